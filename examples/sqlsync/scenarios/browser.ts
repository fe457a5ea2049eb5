/**
 * The browser scenario: the demo in real Chromium against a real server, two tabs of one profile sharing the
 * SharedWorker. Used by the fixture recorder to capture the tab <-> worker traffic (the demo's `?record` hook).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { createServer } from 'vite';
import { CHROMIUM_FLAGS, findChromium } from '../../../scripts/chromium.mjs';
import type { FrameInput } from '../client/node-client.ts';
import { startServer } from '../server/index.ts';

export async function browserTabsScenario(): Promise<Array<FrameInput & { t: number }>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sqlsync-browser-scenario-'));
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir });
  const vite = await createServer({
    root: join(import.meta.dirname, '..', 'demo'),
    server: { port: 0, host: '127.0.0.1' },
    logLevel: 'error',
  });
  await vite.listen();
  const address = vite.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}/?server=${encodeURIComponent(server.url)}&doc=browser-todos&record`;
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true });
  try {
    const context = await browser.newContext();
    const open = async (): Promise<Page> => {
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForSelector('#status[data-status="connected"]', { timeout: 30_000 });
      return page;
    };
    const count = (page: Page, n: number) =>
      page.waitForFunction((want) => document.querySelectorAll('#todos li').length === want, n, { timeout: 20_000 });
    const add = async (page: Page, text: string) => {
      await page.fill('#new-text', text);
      await page.click('#add button[type=submit]');
    };
    const one = await open();
    const two = await open();
    await add(one, 'water the plants');
    await count(two, 1);
    await two.locator('#todos li input[type=checkbox]').first().check();
    await one.waitForSelector('#todos li.done', { timeout: 20_000 });
    await one.click('#toggle-connection');
    await one.waitForSelector('#status[data-status="disabled"]');
    await add(two, 'call the plumber');
    await count(one, 2);
    await one.click('#toggle-connection');
    await one.waitForSelector('#status[data-status="connected"]', { timeout: 20_000 });
    // Let the last replies and subscription events arrive before collecting.
    await two.waitForFunction(() => document.querySelectorAll('#todos li').length === 2);
    const frames: Array<FrameInput & { t: number }> = [];
    for (const page of [one, two])
      frames.push(
        ...((await page.evaluate(() => (globalThis as { __sqlsyncFrames?: unknown[] }).__sqlsyncFrames ?? [])) as Array<
          FrameInput & { t: number }
        >),
      );
    await context.close();
    return frames.sort((a, b) => a.t - b.t);
  } finally {
    await browser.close();
    await vite.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
