/**
 * The overlay mounted in an app's page in real Chromium: the real page hook captures the app's WebSocket, the panel
 * shows its frames inside a shadow root the page's CSS cannot reach, and it minimizes and unmounts cleanly.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../../../extension/test/app.ts';
import { CHROMIUM_FLAGS, findChromium } from '../../../scripts/chromium.mjs';

const SHOTS = '/tmp/panel-shots';
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });
let app: Awaited<ReturnType<typeof startTestApp>>;
let browser: Browser;

/** The overlay as an app's bundler would ship it: ESM with the panel split into a lazily loaded chunk. */
async function bundleOverlay(): Promise<Map<string, { type: string; body: string }>> {
  const result = await build({
    entryPoints: { overlay: fileURLToPath(new URL('./index.ts', import.meta.url)) },
    bundle: true,
    splitting: true,
    format: 'esm',
    outdir: '/bundle',
    write: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    target: 'es2022',
    logLevel: 'silent',
  });
  return new Map(result.outputFiles.map((file) => [file.path.replace('/bundle', '/assets'), { type: 'text/javascript', body: file.text }]));
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const files = await bundleOverlay();
  // The app's own CSS tries hard to restyle everything: none of it may reach the panel.
  const head = `<style>* { color: rgb(255, 0, 0) !important; font-size: 40px !important; } div { display: inline !important; }</style>
<script type="module">import { mountOverlay } from '/assets/overlay.js'; window.overlay = mountOverlay({ force: true, theme: 'light' });</script>`;
  app = await startTestApp({ files, head });
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('overlay', () => {
  it('shows the page frames in a shadow root, untouched by the app CSS, and unmounts cleanly', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(app.url);
    await page.evaluate(() => (window as unknown as { app: { ready: Promise<unknown> } }).app.ready);
    await page.evaluate(() => (window as unknown as { overlay: Promise<unknown> }).overlay);
    await page.evaluate(() =>
      (window as unknown as { app: { send(v: unknown): void } }).app.send({ type: 'todo.add', id: 't1', title: 'milk' }),
    );
    const overlay = page.getByTestId('syncscope-overlay');
    // The socket opened after the hook was installed: open, hello, the send and its ack.
    await poll(() => overlay.getByTestId('frame-count').textContent()).toBe('4 frames');
    await overlay.getByLabel('Filter messages').fill('milk');
    await poll(() => overlay.locator('.row').count()).toBe(2);
    const style = await overlay
      .locator('.row')
      .first()
      .evaluate((row) => ({
        color: getComputedStyle(row).color,
        size: getComputedStyle(row).fontSize,
        display: getComputedStyle(row).display,
      }));
    expect(style).toEqual({ color: 'rgb(31, 35, 40)', size: '12px', display: 'flex' });
    // The title bar keeps its own look and size (no class of the panel's leaks onto it).
    const bar = await overlay.locator('.ss-bar').boundingBox();
    expect(bar?.height).toBe(26);
    await page.screenshot({ path: `${SHOTS}/overlay.png` });

    // Storage: an IndexedDB snapshot through the real hook, then a second one diffed against it.
    const put = (title: string) =>
      page.evaluate(
        (t) =>
          new Promise<void>((resolve, reject) => {
            const open = indexedDB.open('todos-db', 1);
            open.onupgradeneeded = () => open.result.createObjectStore('items');
            open.onsuccess = () => {
              const tx = open.result.transaction('items', 'readwrite');
              tx.objectStore('items').put({ title: t }, 't1');
              tx.oncomplete = () => {
                open.result.close();
                resolve();
              };
              tx.onerror = () => reject(tx.error);
            };
          }),
        title,
      );
    await put('milk');
    await overlay.getByRole('tab', { name: 'Storage' }).click();
    await overlay.getByRole('button', { name: 'Snapshot IndexedDB' }).click();
    await poll(() => overlay.locator('section[aria-label="IndexedDB"] tr', { hasText: 'todos-db/items/"t1"' }).count()).toBe(1);
    await put('oat milk');
    await overlay.getByRole('button', { name: 'Snapshot IndexedDB' }).click();
    await poll(() => overlay.locator('tr.diff-changed', { hasText: 'oat milk' }).count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/overlay-storage.png` });

    await overlay.getByRole('button', { name: 'Minimize' }).click();
    await poll(() => page.getByRole('button', { name: /syncscope/ }).count()).toBe(1);
    await page.getByRole('button', { name: /syncscope/ }).click();
    await poll(() => overlay.count()).toBe(1);
    await overlay.getByRole('button', { name: 'Close syncscope' }).click();
    expect(await page.locator('syncscope-overlay').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
