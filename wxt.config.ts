// The syncscope extension build (Chrome MV3 and Firefox MV3): sources in extension/, the panel UI imported from
// @syncscope/inspector/panel. Preact has no WXT module, so its Vite preset is added directly.
import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

export default defineConfig({
  srcDir: 'extension',
  entrypointsDir: 'entrypoints',
  outDir: '.output',
  // Firefox too: MV3 gives both browsers the MAIN-world content script the hook needs at document_start.
  manifestVersion: 3,
  vite: () => ({ plugins: [preact()] }),
  manifest: {
    name: 'syncscope',
    description: 'Devtools for sync engines: every frame, queue, journal and conflict of an offline-first app.',
    browser_specific_settings: {
      gecko: {
        id: 'syncscope@syncscope.dev',
        strict_min_version: '128.0',
        // Nothing leaves the browser: frames go from the page to the DevTools panel only.
        data_collection_permissions: { required: ['none'] },
      },
    },
  },
});
