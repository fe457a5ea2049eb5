import preact from '@preact/preset-vite';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_FLAGS, findChromium } from './scripts/chromium.mjs';

/**
 * vitest browser mode in Debian's Chromium, headless, with the flags that keep it off the network. A fresh object per
 * project: vitest names each project's browser instance in place, and a shared one would collide.
 */
const chromiumBrowser = () => ({
  enabled: true,
  headless: true,
  screenshotFailures: false,
  instances: [{ browser: 'chromium' as const }],
  provider: playwright({ launchOptions: { executablePath: findChromium(), args: CHROMIUM_FLAGS } }),
});

// Projects: node tests (*.test.ts); tests in real Chromium (*.browser.test.ts), where IndexedDB, OPFS, SharedWorker
// and BroadcastChannel are the browser's own; the engines' browser tests again with the taps; e2e (*.e2e.test.ts).
export default defineConfig({
  plugins: [preact()],
  test: {
    projects: [
      {
        plugins: [preact()],
        test: {
          name: 'node',
          include: ['{protocols,inspector,examples,extension,scripts}/**/*.test.{ts,tsx}'],
          exclude: ['**/*.browser.test.{ts,tsx}', '**/node_modules/**', '**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [preact()],
        test: {
          name: 'browser',
          include: ['{protocols,inspector,examples,extension}/**/*.browser.test.{ts,tsx}'],
          testTimeout: 30_000,
          browser: chromiumBrowser(),
        },
      },
      {
        // The engines' browser tests once more with the page taps installed: they must pass unchanged
        // (transparency), and every frame the taps saw must decode with its protocol (no unknown, no error).
        plugins: [preact()],
        test: {
          name: 'browser-tapped',
          include: ['examples/**/*.browser.test.{ts,tsx}'],
          setupFiles: ['inspector/src/hook/testing/taps-setup.ts'],
          testTimeout: 30_000,
          browser: chromiumBrowser(),
        },
      },
      {
        plugins: [preact()],
        test: {
          name: 'e2e',
          include: ['{protocols,inspector,examples,extension,scripts}/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
