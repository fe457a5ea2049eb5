/**
 * The unpacked extension in real Chromium: the panel page for a tab shows that tab's WebSocket frames decoded,
 * a panel opened late gets the backlog, another tab's frames never reach it, Stop stops. Screenshots go to
 * /tmp/panel-shots/.
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from './test/app.ts';
import { appReady, type ExtensionBrowser, frameCount, launchExtension, poll, sendOnAppSocket as send } from './test/extension-browser.ts';
import { startLinearDemo } from './test/linear-demo.ts';

const SHOTS = '/tmp/panel-shots';
let app: Awaited<ReturnType<typeof startTestApp>>;
let browser: ExtensionBrowser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchExtension();
  app = await startTestApp();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const openApp = (tag: string): Promise<{ page: Page; tabId: number }> => browser.openTab(`${app.url}?tab=${tag}`, appReady);
const openPanel = (tabId: number, theme?: 'light' | 'dark') => browser.openPanel(tabId, theme);

describe('extension panel page', () => {
  it('shows the inspected tab frames, gives a late panel the backlog, and keeps tabs apart', async () => {
    const { page, tabId } = await openApp('a');
    const panel = await openPanel(tabId);
    await send(page, { type: 'todo.add', id: 't1', title: 'milk' });
    await send(page, { type: 'todo.add', id: 't2', title: 'bread' });
    await poll(() => page.evaluate(() => (window as unknown as { app: { received: string[] } }).app.received.length)).toBe(3);
    // Two sent and two acknowledged (the socket's open and hello predate the panel: capture starts on listen).
    await poll(() => frameCount(panel)).toBeGreaterThanOrEqual(4);
    // The text filter searches payloads: both sends and both acks carry "todo.add".
    await panel.getByLabel('Filter messages').fill('todo.add');
    await poll(() => panel.locator('.row').count()).toBe(4);
    const dirs = await panel.locator('.row .col-dir').allTextContents();
    expect(dirs.some((d) => d.includes('out'))).toBe(true);
    expect(dirs.some((d) => d.includes('in'))).toBe(true);
    await panel.getByLabel('Filter messages').fill('bread');
    await panel.locator('.row').first().click();
    await panel.getByRole('tab', { name: 'Raw' }).click();
    await poll(() => panel.locator('.detail-body').textContent()).toContain('"title":"bread"');
    await panel.getByLabel('Filter messages').fill('');
    await panel.screenshot({ path: `${SHOTS}/extension-panel-page.png` });

    // A panel opened later for the same tab gets what happened from the background's backlog.
    const late = await openPanel(tabId, 'dark');
    await poll(() => frameCount(late)).toBe(await frameCount(panel));

    // Another tab's traffic never reaches this tab's panels.
    const other = await openApp('b');
    const otherPanel = await openPanel(other.tabId);
    const before = await frameCount(panel);
    await send(other.page, { type: 'only-in-b' });
    await poll(() => frameCount(otherPanel)).toBeGreaterThanOrEqual(2);
    await send(page, { type: 'sync-marker' });
    await poll(() => frameCount(panel)).toBe(before + 2);
    await panel.getByLabel('Filter messages').fill('only-in-b');
    expect(await panel.locator('.row').count()).toBe(0);
    await panel.getByLabel('Filter messages').fill('sync-marker');
    await poll(() => panel.locator('.row').count()).toBe(2);
    await otherPanel.getByLabel('Filter messages').fill('only-in-b');
    await poll(() => otherPanel.locator('.row').count()).toBe(2);

    // Stop: new traffic is not added.
    await panel.getByRole('button', { name: /Stop/ }).click();
    const stopped = await frameCount(panel);
    await send(page, { type: 'after-stop' });
    await late.getByLabel('Filter messages').fill('after-stop');
    await poll(() => late.locator('.row').count()).toBe(2);
    expect(await frameCount(panel)).toBe(stopped);
    for (const p of [panel, late, otherPanel, page, other.page]) await p.close();
  });
});

describe('a reference engine in the extension panel', () => {
  it('shows the linear demo frames decoded, the queue its offline change joined, and a conflict after reconnect', async () => {
    const demo = await startLinearDemo();
    try {
      const signIn = async (user: string) => {
        const { page, tabId } = await browser.openTab(demo.pageUrl);
        return { page, tabId, user };
      };
      const alice = await signIn('alice');
      const panel = await openPanel(alice.tabId);
      await alice.page.locator('#login button[type=submit]').click();
      await poll(() => alice.page.locator('#status').textContent()).toBe('live');
      await poll(() => alice.page.locator('#issues tbody tr').count()).toBeGreaterThan(0);
      // Frames decoded as linear: the bootstrap and the sync socket.
      await panel.getByLabel('Protocol').selectOption('linear');
      await poll(() => panel.locator('.row').count()).toBeGreaterThan(2);
      expect(await panel.locator('.row.bad').count()).toBe(0);

      const issueId = (await alice.page.locator('#issues tbody tr').first().getAttribute('data-id')) as string;
      await alice.page.locator('#toggle').click();
      await poll(() => alice.page.locator('#status').textContent()).toBe('offline');
      const title = alice.page.locator(`#issues tr[data-id="${issueId}"] input[data-field=title]`);
      await title.fill('alice offline title');
      await title.press('Enter');
      await title.blur();
      // While Alice is offline her change waits in the queue her client persists to IndexedDB: the panel shows it
      // live, from the taps' view of those writes.
      await panel.getByRole('tab', { name: /Queues/ }).click();
      await poll(() => panel.locator('section.card[aria-label^="Queue linear/persisted"] tbody tr').count()).toBeGreaterThan(0);
      await panel.screenshot({ path: `${SHOTS}/extension-linear-offline-queue.png` });
      await panel.getByRole('tab', { name: 'Messages' }).click();
      // Bob changes the same field while Alice is offline; Alice's queued change then loses on reconnect.
      const bob = await signIn('bob');
      await bob.page.locator('#login input[name=username]').fill('bob');
      await bob.page.locator('#login input[name=password]').fill('bob-pw');
      await bob.page.locator('#login button[type=submit]').click();
      await poll(() => bob.page.locator('#status').textContent()).toBe('live');
      const bobTitle = bob.page.locator(`#issues tr[data-id="${issueId}"] input[data-field=title]`);
      await bobTitle.fill('bob online title');
      await bobTitle.press('Enter');
      await bobTitle.blur();
      await poll(() => bob.page.locator('#pending').textContent()).toBe('');

      await alice.page.locator('#toggle').click();
      await poll(() => alice.page.locator('#status').textContent()).toBe('live');
      await panel.getByRole('tab', { name: /Conflicts/ }).click();
      await poll(() => panel.locator('section.conflict').count()).toBeGreaterThan(0);
      await panel.screenshot({ path: `${SHOTS}/extension-linear-conflict.png` });

      // The change queued offline left when Alice came back: travel to the frame that sent it, and it is pending there.
      await panel.getByRole('tab', { name: 'Messages' }).click();
      await panel.getByLabel('Filter messages').fill('alice offline title');
      await panel.locator('.row.dir-out').first().click();
      await panel.getByRole('button', { name: 'State here' }).click();
      await panel.getByRole('tab', { name: /Queues/ }).click();
      await poll(() => panel.locator('section.card[aria-label^="Queue linear/"] tbody tr').count()).toBeGreaterThan(0);
      await panel.screenshot({ path: `${SHOTS}/extension-linear-queue.png` });
      await panel.close();
      // Leave the demo so its sockets close before its server stops.
      for (const p of [alice.page, bob.page]) await p.goto('about:blank');
    } finally {
      await demo.close();
    }
  });
});
