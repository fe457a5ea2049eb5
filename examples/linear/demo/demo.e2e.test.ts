/**
 * The demo in real Chromium against a real server: Alice creates an issue that Bob sees live; Bob goes offline and
 * edits while Alice edits another field; Bob comes back (drain, delta, live) and both pages show both edits; Bob's
 * reload starts from IndexedDB with a delta bootstrap. A screenshot of the page goes to /tmp/linear-demo.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, findChromium } from '../../../scripts/chromium.mjs';
import { createNodeClient } from '../client/node.ts';
import { type RunningServer, startServer } from '../server/index.ts';

const demoRoot = dirname(fileURLToPath(import.meta.url));
let dataDir: string;
let server: RunningServer;
let vite: ViteDevServer;
let browser: Browser;
let pageUrl: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'linear-demo-'));
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
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(pageUrl);
  await page.fill('#login input[name=username]', username);
  await page.fill('#login input[name=password]', `${username}-pw`);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#status[data-status=live]');
}

const titleOf = (page: Page, id: string) => page.locator(`#issues tr[data-id="${id}"] input[data-field=title]`);

describe('linear demo (Chromium)', () => {
  it('two people converge after offline edits, and a reload starts from IndexedDB', async () => {
    const alice = await (await browser.newContext({ viewport: { width: 1100, height: 520 } })).newPage();
    const bob = await (await browser.newContext()).newPage();
    await signIn(alice, 'alice');
    await signIn(bob, 'bob');
    await expect.poll(() => alice.locator('#issues tbody tr').count()).toBe(2);
    expect(await alice.textContent('#pool')).toMatch(/root Team\/team-core, hydrated/);

    await alice.fill('#new-issue input[name=title]', 'Created in the browser');
    await alice.selectOption('#new-issue select[name=assigneeId]', 'user-bob');
    await alice.click('#new-issue button[type=submit]');
    await expect
      .poll(() => bob.locator('#issues input[data-field=title]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value)))
      .toContain('Created in the browser');

    await bob.click('#toggle');
    await bob.waitForSelector('#status[data-status=offline]');
    await titleOf(bob, 'issue-2').fill('Reconnect drains the queue (edited offline)');
    await titleOf(bob, 'issue-2').press('Tab');
    await bob.waitForSelector('#pending:has-text("1 change not yet synced")');
    await alice.selectOption('#issues tr[data-id="issue-2"] select[data-field=status]', 'done');
    await alice.waitForSelector('#pending:empty', { state: 'attached' });

    await bob.click('#toggle');
    await bob.waitForSelector('#status[data-status=live]');
    for (const page of [alice, bob]) {
      await expect.poll(() => titleOf(page, 'issue-2').inputValue()).toBe('Reconnect drains the queue (edited offline)');
      await expect.poll(() => page.locator('#issues tr[data-id="issue-2"] select[data-field=status]').inputValue()).toBe('done');
    }

    // Bob reloads: his data is in IndexedDB, so the client asks for a delta, not a full bootstrap.
    const bootstraps: string[] = [];
    bob.on('request', (request) => {
      if (request.url().includes('/bootstrap')) bootstraps.push(request.url());
    });
    await signIn(bob, 'bob');
    expect(bootstraps).toHaveLength(1);
    expect(bootstraps[0]).toMatch(/\/bootstrap\?sinceSyncId=\d+$/);
    expect(
      await bob.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).filter((n) => n?.startsWith('linear-sync:'))),
    ).toHaveLength(1);
    await expect.poll(() => bob.locator('#issues tbody tr').count()).toBe(3);

    // The server holds what both pages show.
    const check = createNodeClient({ server: server.url, username: 'alice', password: 'alice-pw', clientId: 'e2e-check' });
    await check.start();
    const issues = check.pool.ofClass('Issue');
    await check.stop();
    expect(issues.find((i) => i.id === 'issue-2')).toMatchObject({ title: 'Reconnect drains the queue (edited offline)', status: 'done' });
    expect(issues.find((i) => i.title === 'Created in the browser')).toMatchObject({ assigneeId: 'user-bob' });

    await alice.screenshot({ path: '/tmp/linear-demo.png' });
  });
});
