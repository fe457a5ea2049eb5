// The demo is served by Vite (`createServer({ root: 'examples/sqlsync/demo' })` loads this file): sqlite-wasm
// must not be pre-bundled, or its wasm file is looked up next to the bundle instead of in the package.
import { defineConfig } from 'vite';

export default defineConfig({
  optimizeDeps: { exclude: ['@sqlite.org/sqlite-wasm'] },
  worker: { format: 'es' },
});
