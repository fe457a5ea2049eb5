/**
 * `npm start` as a user runs it: spawned in its own process group, ready when it says so, every printed URL
 * answers, a demo app driven in Chromium with the unpacked extension shows its frames in the syncscope panel, and
 * Ctrl-C (SIGINT to the group) leaves no process behind. A busy port is refused with a clear message.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, findChromium } from './chromium.mjs';

const root = join(import.meta.dirname, '..');
const BASE = 47_100;
const started: ChildProcess[] = [];
const dirs: string[] = [];

function npmStart(args: string[]) {
  const dataDir = mkdtempSync(join(tmpdir(), 'syncscope-start-'));
  dirs.push(dataDir);
  const child = spawn('npm', ['start', '--', ...args, '--data', dataDir], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (c) => {
    output += c;
  });
  child.stderr?.on('data', (c) => {
    output += c;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal === 'SIGINT' ? 130 : code)));
  const waitFor = (pattern: RegExp, ms: number) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not print ${pattern} in ${ms} ms:\n${output}`)), ms);
      const check = () => {
        if (pattern.test(output)) {
          clearTimeout(timer);
          resolve(output);
        }
      };
      child.stdout?.on('data', check);
      void exited.then(() => {
        clearTimeout(timer);
        if (!pattern.test(output)) reject(new Error(`npm start exited before printing ${pattern}:\n${output}`));
      });
      check();
    });
  return { child, waitFor, exited, output: () => output };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(() => {
  for (const child of started) if (child.pid && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('refuses a busy port with a message naming it', async () => {
    const blocker = createServer().listen(BASE + 53, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      const run = npmStart(['--port', String(BASE + 50), '--no-build']);
      expect(await run.exited).toBe(1);
      expect(run.output()).toMatch(/port 47153 \(seneschal server\) is already in use/);
      await expect.poll(() => groupAlive(run.child.pid as number), { timeout: 10_000 }).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('starts everything, serves every URL it prints, shows a demo in the panel, and stops on Ctrl-C', async () => {
    const run = npmStart(['--port', String(BASE)]);
    const output = await run.waitFor(/syncscope playground ready/, 240_000);
    const urls = [...new Set(output.match(/http:\/\/127\.0\.0\.[12]:\d+(\/\S*)?/g) ?? [])];
    expect(urls.length).toBeGreaterThanOrEqual(12);
    for (const url of urls) {
      const response = await fetch(url);
      expect(response.status, url).toBeLessThan(500);
    }

    const profile = mkdtempSync(join(tmpdir(), 'syncscope-start-profile-'));
    dirs.push(profile);
    const extension = join(root, '.output/chrome-mv3');
    let context: BrowserContext | undefined;
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath: findChromium(),
        headless: true,
        args: [...CHROMIUM_FLAGS, `--disable-extensions-except=${extension}`, `--load-extension=${extension}`],
      });
      const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
      const extensionId = new URL(worker.url()).host;
      const tabIds = () =>
        worker.evaluate(async () => {
          const chrome = (globalThis as unknown as { chrome: { tabs: { query(q: object): Promise<Array<{ id: number }>> } } }).chrome;
          return (await chrome.tabs.query({})).map((t) => t.id);
        });
      const known = new Set(await tabIds());
      const demoUrl = /seneschal\s+demo: (\S+)/.exec(output)?.[1] as string;
      const page = await context.newPage();
      await page.goto(demoUrl);
      const tabId = (await tabIds()).find((id) => !known.has(id)) as number;
      // As a user would: DevTools (the panel) open on the tab, then reproduce in the app.
      const panel = await context.newPage();
      await panel.goto(`chrome-extension://${extensionId}/devtools-panel.html?tabId=${tabId}`);
      await expect.poll(() => panel.locator('.badge', { hasText: 'connected' }).count(), { timeout: 20_000 }).toBe(1);
      await page.bringToFront();
      await page.fill('input[name=username]', 'ana');
      await page.fill('input[name=password]', 'ana-password');
      await page.click('button[value=register]');
      await page.waitForSelector('#status[data-status=live]', { timeout: 20_000 });
      await page.fill('#new-list input[name=name]', 'Groceries');
      await page.click('#new-list button');
      await expect
        .poll(() => panel.locator('.row .col-protocol', { hasText: 'seneschal' }).count(), { timeout: 20_000 })
        .toBeGreaterThan(2);
      await panel.screenshot({ path: join(tmpdir(), 'syncscope-npm-start-panel.png') });
    } finally {
      await context?.close();
    }

    const pgid = run.child.pid as number;
    process.kill(-pgid, 'SIGINT');
    // npm itself ends by the signal, as in a terminal (130); the playground under it stops everything first.
    expect(await run.exited).toBe(130);
    await expect.poll(() => run.output(), { timeout: 10_000 }).toMatch(/syncscope: stopping…/);
    await expect.poll(() => groupAlive(pgid), { timeout: 10_000 }).toBe(false);
  });
});
