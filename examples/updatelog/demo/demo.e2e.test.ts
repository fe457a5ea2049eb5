/**
 * The league demo in real Chromium against a real server: two fans build a league; one loses the store,
 * renames a team, reloads (the update survives in IndexedDB) and reconnects; a duplicate team name is flagged
 * on both and dismissed.
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
let base: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'updatelog-demo-'));
  server = await startServer({ port: 0, dataDir, rollupIntervalMs: 0 });
  vite = await createServer({ root: demoRoot, configFile: false, logLevel: 'silent', server: { host: '127.0.0.1', port: 0 } });
  await vite.listen();
  base = vite.resolvedUrls?.local[0] ?? '';
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await vite?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function open(client: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1200, height: 820 } })).newPage();
  await page.goto(`${base}?server=${encodeURIComponent(server.url)}&client=${client}`);
  await page.waitForSelector('#status[data-status=live]');
  return page;
}

async function addTeam(page: Page, name: string): Promise<void> {
  await page.fill('#new-team input[name=name]', name);
  await page.click('#new-team button');
}

const standingsRow = (page: Page, name: string) => page.locator('#standings tbody tr', { hasText: name });

describe('league demo (Chromium)', () => {
  it('two fans converge, an edit made without the store survives a reload, a rule breaker is flagged', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    await addTeam(alice, 'Rovers');
    await addTeam(alice, 'City');
    await alice.locator('#new-match select[name=away] option', { hasText: 'City' }).waitFor({ state: 'attached' });
    await alice.selectOption('#new-match select[name=home]', { label: 'Rovers' });
    await alice.selectOption('#new-match select[name=away]', { label: 'City' });
    await alice.fill('#new-match input[name=date]', '2024-05-04');
    await alice.click('#new-match button');
    const match = alice.locator('#matches tbody tr').first();
    await match.waitFor();
    await match.locator('input[name=home]').fill('2');
    await match.locator('input[name=away]').fill('1');
    await match.locator('button[data-action=result]').click();
    await expect.poll(() => standingsRow(alice, 'Rovers').locator('td').last().textContent()).toBe('3');
    await expect.poll(() => standingsRow(bob, 'Rovers').locator('td').last().textContent(), { timeout: 15_000 }).toBe('3');

    // The store becomes unreachable for alice: her rename is saved locally and shown, and survives a reload.
    await alice.context().route(`${server.url}/**`, (route) => route.abort());
    const cityRow = alice.locator('#teams tbody tr', { has: alice.locator('input[value="City"]') });
    await cityRow.locator('input[name=rename]').fill('City FC');
    await cityRow.locator('button[data-action=rename]').click();
    await alice.waitForSelector('#pending:has-text("1 update not yet stored")');
    await alice.reload();
    await alice.waitForSelector('#pending:has-text("1 update not yet stored")');
    await standingsRow(alice, 'City FC').waitFor();
    await alice.context().unroute(`${server.url}/**`);
    await standingsRow(bob, 'City FC').waitFor({ timeout: 15_000 });
    await alice.waitForSelector('#pending:empty', { state: 'attached', timeout: 15_000 });

    // Bob adds a second "rovers": kept, flagged on both; alice dismisses it.
    await addTeam(bob, 'rovers');
    const flag = alice.locator('#flags li', { hasText: 'unique-team-name' });
    await flag.waitFor({ timeout: 15_000 });
    await bob.locator('#flags li', { hasText: 'unique-team-name' }).waitFor({ timeout: 15_000 });
    await alice.screenshot({ path: join(tmpdir(), 'updatelog-demo.png'), fullPage: true });
    await flag.locator('button[data-action=dismiss]').click();
    await bob.locator('#flags li').waitFor({ state: 'detached', timeout: 15_000 });
    expect(await bob.locator('#teams tbody tr').count()).toBe(3);
  });
});
