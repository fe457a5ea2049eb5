/**
 * The standalone page in real Chromium: fed a session file (every view shows what the dissectors derived), fed
 * live frames by a remote sink over the server's WebSocket, time travel from the timeline, a bad file's error naming
 * its line, and payloads shown as text. Screenshots of each view go to /tmp/panel-shots/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CHROMIUM_FLAGS, findChromium } from '../../../scripts/chromium.mjs';
import { BRIDGE_VERSION, SOURCE } from '../bridge/index.ts';
import { demoFrames, demoSessionText } from '../panel/test/demo-session.ts';
import { type PanelServer, startPanelServer } from './index.ts';

/** Polls generously: two-core CI machines run several browsers at once. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });
const SHOTS = '/tmp/panel-shots';
let dir: string;
let server: PanelServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'syncscope-serve-'));
  writeFileSync(join(dir, 'demo.syncscope.jsonl'), demoSessionText());
  const lines = demoSessionText().split('\n');
  lines.splice(3, 0, '{"seq": "not a number"}');
  writeFileSync(join(dir, 'broken.syncscope.jsonl'), lines.join('\n'));
  server = await startPanelServer({ port: 0, host: '127.0.0.1', sessions: [join(dir, 'demo.syncscope.jsonl')] });
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openPage(query: string, theme = 'light'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}?${query}&theme=${theme}`);
  (page as Page & { errors?: string[] }).errors = errors;
  return page;
}

describe('standalone panel page', () => {
  it('shows a session file decoded in every view, and travels in time', async () => {
    const frames = demoFrames();
    const page = await openPage('session=demo.syncscope.jsonl&live=0');
    await poll(() => page.getByTestId('frame-count').textContent()).toBe(`${frames.length.toLocaleString('en-US')} frames`);
    expect(await page.locator('.row').count()).toBeGreaterThan(10);
    await page.screenshot({ path: `${SHOTS}/standalone-messages.png` });

    // Filter by protocol: only that protocol's rows remain.
    await page.getByLabel('Protocol').selectOption('sqlsync');
    const protocols = await page.locator('.row .col-protocol').allTextContents();
    expect(protocols.length).toBeGreaterThan(0);
    expect(new Set(protocols)).toEqual(new Set(['sqlsync']));
    await page.getByLabel('Protocol').selectOption('');

    // Keyboard: focus the grid, go Home, step down, and the detail pane follows.
    await page.locator('.table-body').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await poll(() => page.locator('.row.selected').getAttribute('data-position')).toBe('1');
    await poll(() => page.locator('.detail-head').textContent()).toContain('#1 ');
    await page.screenshot({ path: `${SHOTS}/standalone-detail.png` });

    await page.getByRole('tab', { name: /Queues/ }).click();
    await poll(() => page.locator('section.card[aria-label^="Queue "]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/standalone-queues.png` });

    await page.getByRole('tab', { name: /Journals/ }).click();
    await poll(() => page.locator('.journal').count()).toBeGreaterThan(1);
    await page.screenshot({ path: `${SHOTS}/standalone-journals.png` });

    await page.getByRole('tab', { name: /Conflicts/ }).click();
    const conflictsNow = await page.locator('section.conflict').count();
    expect(conflictsNow).toBeGreaterThan(0);
    expect(await page.locator('.side.winner').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/standalone-conflicts.png` });

    // Time travel: Home on the timeline goes to the first frame, where no conflict has happened yet.
    await page.getByRole('slider').focus();
    await page.keyboard.press('Home');
    await poll(() => page.getByTestId('time-travel').textContent()).toContain('#0');
    expect(await page.locator('section.conflict').count()).toBe(0);
    // Clicking the middle of the strip travels there: some conflicts have happened, not necessarily all.
    const strip = await page.getByRole('slider').boundingBox();
    if (!strip) throw new Error('timeline strip not rendered');
    await page.mouse.click(strip.x + strip.width / 2, strip.y + strip.height / 2);
    await poll(() => page.getByTestId('time-travel').textContent());
    const middle = Number((await page.getByRole('slider').getAttribute('aria-valuenow')) ?? -1);
    expect(middle).toBeGreaterThan(0);
    expect(middle).toBeLessThan(frames.length - 1);
    expect(await page.locator('section.conflict').count()).toBeLessThanOrEqual(conflictsNow);
    await page.screenshot({ path: `${SHOTS}/standalone-time-travel.png` });
    // Arrow keys step one frame; End returns to live, with every conflict back.
    await page.keyboard.press('ArrowRight');
    await poll(() => page.getByRole('slider').getAttribute('aria-valuenow')).toBe(String(middle + 1));
    await page.keyboard.press('End');
    await poll(() => page.locator('.badge', { hasText: 'live' }).count()).toBe(1);
    expect(await page.locator('section.conflict').count()).toBe(conflictsNow);

    await page.getByRole('tab', { name: /Entities/ }).click();
    await page.locator('.list button').first().click();
    await poll(() => page.locator('.history').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/standalone-entities.png` });

    await page.getByRole('tab', { name: /Storage/ }).click();
    await page.screenshot({ path: `${SHOTS}/standalone-storage.png` });
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.close();
  });

  it('receives live frames from a remote sink, renders payloads as text, and counts drops', async () => {
    const page = await openPage('', 'dark');
    await poll(() => page.locator('.badge.good-bg', { hasText: 'connected' }).count()).toBe(1);
    const sink = new WebSocket(server.remoteUrl);
    await new Promise((resolve, reject) => {
      sink.once('open', resolve);
      sink.once('error', reject);
    });
    try {
      const hostile = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
      const event = {
        type: 'frames',
        dropped: 7,
        frames: [
          { seq: 0, t: 1000, transport: 'websocket', conn: 'node-ws', dir: 'out', kind: 'open', meta: { url: 'ws://127.0.0.1:1/x' } },
          { seq: 1, t: 1010, transport: 'websocket', conn: 'node-ws', dir: 'in', kind: 'message', text: hostile },
        ],
      };
      sink.send(JSON.stringify({ source: SOURCE.remote, v: BRIDGE_VERSION, client: 'node test', event }));
      await poll(() => page.getByTestId('frame-count').textContent()).toBe('2 frames');
      expect(await page.getByTestId('dropped-count').textContent()).toBe('7 dropped');
      await page.locator('.row[data-position="1"]').click();
      await page.getByRole('tab', { name: 'Raw' }).click();
      expect(await page.locator('pre.raw').textContent()).toBe(hostile);
      expect(await page.locator('.syncscope-panel img, .syncscope-panel b').count()).toBe(0);
      expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
      await page.screenshot({ path: `${SHOTS}/standalone-live-dark.png` });
    } finally {
      sink.close();
      await page.close();
    }
  });

  it('keeps a large session fast: a bounded number of rows in the DOM, tail followed, keyboard over the whole list', async () => {
    const page = await openPage('live=0');
    const total = 100_000;
    // Frames go straight into the page's session (the same call the WebSocket feed makes), 10,000 at a time.
    await page.evaluate((count) => {
      const { session } = (window as unknown as { syncscope: { session: { accept(e: unknown): void } } }).syncscope;
      for (let batch = 0; batch < count; batch += 10_000) {
        const frames = Array.from({ length: 10_000 }, (_, i) => ({
          seq: batch + i,
          t: 1_800_000_000_000 + batch + i,
          transport: 'websocket',
          conn: `c${(batch + i) % 3}`,
          dir: i % 2 ? 'in' : 'out',
          kind: 'message',
          text: `{"n":${batch + i}}`,
        }));
        session.accept({ type: 'frames', dropped: 0, frames });
      }
    }, total);
    await poll(() => page.getByTestId('frame-count').textContent()).toBe(`${total.toLocaleString('en-US')} frames`);
    await poll(() => page.locator(`.row[data-position="${total - 1}"]`).count()).toBe(1);
    expect(await page.locator('.row').count()).toBeLessThan(100);
    await page.locator('.table-body').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await poll(() => page.locator('.row.selected').getAttribute('data-position')).toBe('2');
    await page.keyboard.press('End');
    await poll(() => page.locator('.row.selected').getAttribute('data-position')).toBe(String(total - 1));
    await page.getByLabel('Filter messages').fill('"n":4242}');
    await poll(() => page.getByTestId('row-count').textContent()).toBe(`1 of ${total.toLocaleString('en-US')}`);
    expect(await page.locator('.row').count()).toBeLessThan(100);
    await page.close();
  });

  it('imports by file picker with a clear error naming the bad line', async () => {
    const page = await openPage('live=0');
    // The panel is mounted (its toolbar counts frames) before a file is chosen, so the choice reaches its handler.
    await page.getByTestId('frame-count').waitFor();
    await page.getByTestId('import-input').setInputFiles(join(dir, 'broken.syncscope.jsonl'));
    const result = page.getByTestId('import-result');
    await poll(() => result.textContent()).toMatch(/Import failed: broken\.syncscope\.jsonl:4: /);
    await page.screenshot({ path: `${SHOTS}/standalone-import-error.png` });
    await page.getByTestId('import-input').setInputFiles(join(dir, 'demo.syncscope.jsonl'));
    await poll(() => result.textContent()).toContain(`${demoFrames().length.toLocaleString('en-US')} frames`);
    await page.close();
  });
});
