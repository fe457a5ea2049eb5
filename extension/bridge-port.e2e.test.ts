/**
 * The hook <-> relay bridge on its own MessagePort, with the real unpacked extension in real Chromium: while a panel
 * listens, the app's own window `message` listener sees none of syncscope's batches (nor the relay's port offer or
 * commands), and the frames still reach the panel — across a panel closed and reopened, a reload of the page, and a
 * port offer the page forges.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './test/app.ts';
import { appReady, type ExtensionBrowser, launchExtension, poll, sendOnAppSocket } from './test/extension-browser.ts';

/**
 * The app's own window listener, registered by the page's first script (after the hook, which runs at
 * document_start): it reads every message's data, as an app's listener does, and keeps whatever is syncscope's.
 */
const APP_LISTENER = `<script>
  window.__appSaw = [];
  window.__appMessages = 0;
  window.addEventListener('message', (e) => {
    window.__appMessages++;
    const d = e.data;
    if (d && typeof d.source === 'string' && d.source.startsWith('syncscope'))
      window.__appSaw.push({ source: d.source, type: d.type || (d.event && d.event.type) || (d.command && d.command.type), ports: e.ports.length });
  });
</script>`;

let browser: ExtensionBrowser;
let app: TestApp;

beforeAll(async () => {
  browser = await launchExtension();
  app = await startTestApp({ head: APP_LISTENER });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

type Seen = { source: string; type: string; ports: number };
const appSaw = (page: Page) => page.evaluate(() => (window as unknown as { __appSaw: Seen[] }).__appSaw);
/** What of syncscope's the app saw, besides the hook's hello (said on the window before a relay port exists). */
const appSawOfOurs = async (page: Page) => (await appSaw(page)).filter((m) => !(m.source === 'syncscope-hook' && m.type === 'hello'));

/** Frames in the panel's session whose text contains `needle`. */
const panelFrames = (panel: Page, needle: string) =>
  panel.evaluate((n) => {
    const { session } = (
      window as unknown as { syncscope: { session: { store: { start: number; end: number; frame(p: number): { text?: unknown } } } } }
    ).syncscope;
    let count = 0;
    for (let p = session.store.start; p < session.store.end; p++) {
      const text = session.store.frame(p).text;
      if (typeof text === 'string' && text.includes(n)) count++;
    }
    return count;
  }, needle);

/** Sends `count` messages on the app's socket; each is echoed back as an ack, so 2 × count frames carry `marker`. */
async function traffic(page: Page, panel: Page, marker: string, count = 20) {
  for (let i = 0; i < count; i++) await sendOnAppSocket(page, { type: 'marker', marker, i });
  await poll(() => panelFrames(panel, marker)).toBe(2 * count);
}

describe('the bridge on its own MessagePort, in real Chromium with the extension', () => {
  it('keeps every syncscope batch away from the app’s window listener while frames reach the panel', async () => {
    const { page, tabId } = await browser.openTab(`${app.url}?tab=port`, appReady);
    let panel = await browser.openPanel(tabId);
    await traffic(page, panel, 'PORT-1');
    // The app received its acks (its socket works) and its listener ran for other messages (a control below).
    expect(await appSawOfOurs(page)).toEqual([]);

    // Panel closed (capture pauses) and reopened (listen again): still on the port.
    await panel.close();
    await poll(async () => (await browser.context.pages()).includes(panel)).toBe(false);
    panel = await browser.openPanel(tabId);
    await traffic(page, panel, 'PORT-2');
    expect(await appSawOfOurs(page)).toEqual([]);

    // A reload: a new document, a new hook and relay, a new handshake; the panel (same tab) listens on.
    await page.reload();
    await appReady(page);
    await traffic(page, panel, 'PORT-3');
    expect(await appSawOfOurs(page)).toEqual([]);

    // The page forges a port offer as the relay's: the hook refuses it, its channel gets nothing, frames go on.
    const forged = page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const channel = new MessageChannel();
          let got = 0;
          channel.port1.onmessage = () => got++;
          window.postMessage({ source: 'syncscope-relay', v: 1, type: 'port' }, '*', [channel.port2]);
          setTimeout(() => resolve(got), 3000);
        }),
    );
    await traffic(page, panel, 'PORT-4');
    expect(await forged).toBe(0);
    // The page's own relay-tagged post is swallowed by the hook like the relay's: the app saw nothing of ours.
    expect(await appSawOfOurs(page)).toEqual([]);
    // Control: the listener does see window messages (so the emptiness above is not a listener that never ran).
    await page.evaluate(() => window.postMessage({ source: 'syncscope-control' }, '*'));
    await poll(() => appSaw(page)).toContainEqual({ source: 'syncscope-control', ports: 0 });
    await panel.close();
    await page.close();
  });
});
