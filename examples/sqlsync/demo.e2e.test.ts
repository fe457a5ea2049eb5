/**
 * The demo against a real server in real Chromium: two tabs of one profile (one SharedWorker) and a second
 * profile (its own worker and timeline) edit the same todo list; a profile goes offline, edits, and its browser is
 * shut down (worker and in-memory SQLite gone) and started again on the same profile directory: the offline edit
 * was kept in OPFS and syncs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, findChromium } from '../../scripts/chromium.mjs';
import { type RunningServer, startServer } from './server/index.ts';

let server: RunningServer;
let vite: ViteDevServer;
let browser: Browser;
let demoUrl: string;
const dataDir = mkdtempSync(join(tmpdir(), 'sqlsync-e2e-'));

beforeAll(async () => {
  server = await startServer({ port: 0, host: '127.0.0.1', dataDir });
  vite = await createServer({
    root: join(import.meta.dirname, 'demo'),
    server: { port: 0, host: '127.0.0.1' },
    logLevel: 'error',
  });
  await vite.listen();
  const address = vite.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  demoUrl = `http://127.0.0.1:${port}/?server=${encodeURIComponent(server.url)}&doc=e2e-todos`;
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await vite?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const texts = (page: Page) => page.locator('#todos li .text').allTextContents();
async function waitForTexts(page: Page, expected: string[]): Promise<void> {
  await page.waitForFunction(
    (want) => JSON.stringify([...document.querySelectorAll('#todos li .text')].map((e) => e.textContent).sort()) === JSON.stringify(want),
    [...expected].sort(),
    { timeout: 20_000 },
  );
}
async function add(page: Page, text: string): Promise<void> {
  await page.fill('#new-text', text);
  await page.click('#add button[type=submit]');
}
async function open(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
  await page.goto(demoUrl);
  await page.waitForSelector('#status[data-status="connected"]', { timeout: 30_000 });
  return page;
}

describe('sqlsync demo in Chromium', () => {
  it('tabs and profiles converge; an offline edit survives closing every tab and syncs later', async () => {
    const profileDir = mkdtempSync(join(tmpdir(), 'sqlsync-profile-'));
    const launchA = () =>
      chromium.launchPersistentContext(profileDir, { executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true });
    let profileA = await launchA();
    const profileB = await browser.newContext();
    try {
      const a1 = await open(profileA);
      const a2 = await open(profileA);
      const b1 = await open(profileB);

      await add(a1, 'buy milk');
      await waitForTexts(a2, ['buy milk']); // same SharedWorker
      await waitForTexts(b1, ['buy milk']); // through the server

      await b1.locator('#todos li', { hasText: 'buy milk' }).locator('input[type=checkbox]').check();
      await a1.waitForSelector('#todos li.done', { timeout: 20_000 });

      // Profile A goes offline and edits; B must not see it yet.
      await a1.click('#toggle-connection');
      await a1.waitForSelector('#status[data-status="disabled"]');
      await add(a2, 'written offline');
      await waitForTexts(a1, ['buy milk', 'written offline']);
      await add(b1, 'from profile B');
      await waitForTexts(b1, ['buy milk', 'from profile B']);
      await a1.screenshot({ path: join(tmpdir(), 'sqlsync-demo-offline.png') });

      // Profile A's browser shuts down: worker and in-memory database are gone; the journals stay in OPFS.
      await profileA.close();
      profileA = await launchA();
      const a3 = await open(profileA);
      await waitForTexts(a3, ['buy milk', 'written offline', 'from profile B']);
      await waitForTexts(b1, ['buy milk', 'written offline', 'from profile B']);
      await a3.screenshot({ path: join(tmpdir(), 'sqlsync-demo.png') });

      const rows = server.coordinator.query('e2e-todos', 'SELECT text, done FROM todos ORDER BY text');
      expect(rows).toEqual([
        { text: 'buy milk', done: 1 },
        { text: 'from profile B', done: 0 },
        { text: 'written offline', done: 0 },
      ]);
      expect(await texts(a3)).toHaveLength(3);

      // A toggles a todo offline while B deletes it: on reconnect A's toggle is refused by the server's reducer,
      // the rebase drops it, and A's page says so.
      await a3.click('#toggle-connection');
      await a3.waitForSelector('#status[data-status="disabled"]');
      await a3.locator('#todos li', { hasText: 'from profile B' }).locator('input[type=checkbox]').check();
      const deletedId = await b1.locator('#todos li', { hasText: 'from profile B' }).getAttribute('data-id');
      await b1.locator('#todos li', { hasText: 'from profile B' }).locator('button').click();
      await waitForTexts(b1, ['buy milk', 'written offline']);
      await a3.click('#toggle-connection');
      await waitForTexts(a3, ['buy milk', 'written offline']);
      await a3.waitForSelector('#rejections li', { timeout: 20_000 });
      expect(await a3.locator('#rejections li').allTextContents()).toEqual([`ToggleDone: todo ${deletedId} does not exist`]);
      await a3.screenshot({ path: join(tmpdir(), 'sqlsync-demo-rejection.png') });
    } finally {
      await profileA.close();
      await profileB.close();
      rmSync(profileDir, { recursive: true, force: true });
    }
  });
});
