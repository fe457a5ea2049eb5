/**
 * The demo in real Chromium against a real server: two devices of one user share a list; one goes offline and
 * edits the quantity while the other edits the location; back online, both show both edits (per-property LWW).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, findChromium } from '../../../scripts/chromium.mjs';
import { type RunningServer, startServer } from '../server/index.ts';

const demoRoot = dirname(fileURLToPath(import.meta.url));
let dataDir: string;
let server: RunningServer;
let vite: ViteDevServer;
let browser: Browser;
let pageUrl: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'seneschal-demo-'));
  server = await startServer({ port: 0, dataDir });
  vite = await createServer({ root: demoRoot, configFile: false, logLevel: 'silent', server: { host: '127.0.0.1', port: 0 } });
  await vite.listen();
  const base = vite.resolvedUrls?.local[0] ?? '';
  pageUrl = `${base}?server=${encodeURIComponent(server.url)}`;
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await vite?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function signIn(page: Page, action: 'login' | 'register'): Promise<void> {
  await page.goto(pageUrl);
  await page.fill('input[name=username]', 'alice');
  await page.fill('input[name=password]', 'alice-password');
  await page.click(`button[value=${action}]`);
  await page.waitForSelector('#status[data-status=live]');
}

const row = (page: Page, name: string) => page.locator('#items tbody tr', { has: page.locator(`input[data-prop=name][value="${name}"]`) });

async function edit(page: Page, name: string, prop: string, value: string): Promise<void> {
  const input = row(page, name).locator(`input[data-prop=${prop}]`);
  await input.fill(value);
  await input.press('Tab'); // commits: the change event dispatches the one property
}

describe('seneschal demo (Chromium)', () => {
  it('two devices converge after an offline edit, and the local copy lives in IndexedDB', async () => {
    const phone = await (await browser.newContext()).newPage();
    const tablet = await (await browser.newContext()).newPage();
    await signIn(phone, 'register');
    await phone.fill('#new-list input[name=name]', 'Groceries');
    await phone.click('#new-list button');
    await phone.fill('#new-item input[name=name]', 'milk');
    await phone.fill('#new-item input[name=qty]', '1');
    await phone.fill('#new-item input[name=location]', 'store');
    await phone.click('#new-item button');
    await row(phone, 'milk').waitFor();

    await signIn(tablet, 'login');
    await tablet.click('#lists button:has-text("Groceries")');
    await row(tablet, 'milk').waitFor();

    await tablet.click('#toggle');
    await tablet.waitForSelector('#status[data-status=offline]');
    await edit(tablet, 'milk', 'qty', '2');
    await tablet.waitForSelector('#pending:has-text("1 change not yet sent")');
    await edit(phone, 'milk', 'location', 'food court');
    await phone.waitForSelector('#pending:empty', { state: 'attached' });

    await tablet.click('#toggle');
    await tablet.waitForSelector('#status[data-status=live]');
    for (const page of [phone, tablet]) {
      await expect.poll(() => row(page, 'milk').locator('input[data-prop=qty]').inputValue()).toBe('2');
      await expect.poll(() => row(page, 'milk').locator('input[data-prop=location]').inputValue()).toBe('food court');
    }

    const stored = await tablet.evaluate(async () => {
      const name = `seneschal-${localStorage.getItem('seneschal.clientID')}`;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const all = await new Promise<unknown[]>((resolve) => {
        const req = db.transaction('objects').objectStore('objects').getAll();
        req.onsuccess = () => resolve(req.result);
      });
      return all as Array<{ slice: string; props: Record<string, unknown> }>;
    });
    expect(stored.find((o) => o.props.name === 'milk')?.props).toMatchObject({ qty: '2', location: 'food court' });
    await phone.screenshot({ path: join(tmpdir(), 'seneschal-demo.png') });
  });
});
