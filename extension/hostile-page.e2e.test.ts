/**
 * A hostile page against the real unpacked extension in real Chromium. The page is untrusted: whatever it posts
 * reaches the relay content script, and what the relay lets through reaches the background router and the panel.
 * An honest tab (the test app on its own origin) is open beside it with its own panel throughout. The hostile page
 * forges bridge messages of every kind, forges the honest tab's ids, floods and oversizes, and puts HTML/JS in every
 * field the panel shows. What must hold: malformed messages are dropped at the relay, nothing of one tab reaches
 * another tab's panel or page, the relay and background keep working (the pages' later honest frames still arrive)
 * with bounded memory, and hostile text is shown as text and never executed or loaded.
 */
import { mkdirSync } from 'node:fs';
import { BRIDGE_VERSION, SOURCE, WORKER_BRIDGE_CHANNEL } from '@syncscope/inspector/bridge';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './test/app.ts';
import { appReady, type ExtensionBrowser, launchExtension, poll, sendOnAppSocket } from './test/extension-browser.ts';
import { hostileOf, RawJson, startHostileSite } from './test/hostile-page.ts';

const SHOTS = '/tmp/panel-shots';
let browser: ExtensionBrowser;
let honestSite: TestApp;
let hostileSite: TestApp;
let honest: { page: Page; tabId: number; panel: Page };
let hostile: { page: Page; tabId: number; panel: Page; toolkit: ReturnType<typeof hostileOf> };
/** Everything that went wrong in a panel or page: uncaught errors and dialogs (alert() would mean executed script). */
const incidents: string[] = [];

beforeAll(async () => {
  browser = await launchExtension();
  honestSite = await startTestApp();
  hostileSite = await startHostileSite();
  const watch = (page: Page, name: string) => {
    page.on('pageerror', (error) => incidents.push(`${name}: ${error.message}`));
    page.on('dialog', (dialog) => {
      incidents.push(`${name}: dialog ${dialog.message()}`);
      void dialog.dismiss();
    });
  };
  const h = await browser.openTab(`${honestSite.url}?tab=honest`, appReady);
  const hPanel = await browser.openPanel(h.tabId);
  honest = { ...h, panel: hPanel };
  const x = await browser.openTab(`${hostileSite.url}?tab=hostile`, appReady);
  const xPanel = await browser.openPanel(x.tabId);
  hostile = { ...x, panel: xPanel, toolkit: hostileOf(x.page) };
  watch(honest.page, 'honest page');
  watch(honest.panel, 'honest panel');
  watch(hostile.panel, 'hostile panel');
  watch(hostile.page, 'hostile page');
});

afterAll(async () => {
  await browser?.close();
  await honestSite?.close();
  await hostileSite?.close();
});

// ---- what a panel holds ----

interface PanelWindow {
  syncscope: {
    session: {
      store: { start: number; end: number; frame(p: number): Record<string, unknown> | undefined };
      origin?: string;
      lastError?: string;
      hookDropped: number;
      dropped: number;
      snapshots: unknown[];
    };
  };
}

/** Everything a panel's session holds, as one string to search (long texts cut, so a 20 MB frame stays cheap). */
const panelDump = (panel: Page) =>
  panel.evaluate(() => {
    const { session } = (window as unknown as PanelWindow).syncscope;
    const frames: unknown[] = [];
    for (let p = session.store.start; p < session.store.end; p++) {
      const frame = session.store.frame(p) as { text?: string };
      frames.push(
        typeof frame.text === 'string' && frame.text.length > 4096
          ? { ...frame, text: `${frame.text.slice(0, 64)}…${frame.text.slice(-64)}` }
          : frame,
      );
    }
    const { origin, lastError, hookDropped, snapshots } = session;
    return JSON.stringify({ frames, origin, lastError, hookDropped, snapshots });
  });

/** The stored frames whose text payload contains `needle`. */
const framesWith = (panel: Page, needle: string) =>
  panel.evaluate((n) => {
    const { session } = (window as unknown as PanelWindow).syncscope;
    const found: Array<Record<string, unknown>> = [];
    for (let p = session.store.start; p < session.store.end; p++) {
      const frame = session.store.frame(p) as { text?: unknown };
      if (typeof frame.text === 'string' && frame.text.includes(n))
        found.push({ ...frame, text: frame.text.length > 4096 ? `${frame.text.length} chars` : frame.text });
    }
    return found;
  }, needle);

/** One field of a panel's session. */
const panelSession = (panel: Page, key: 'origin' | 'lastError') =>
  panel.evaluate((k) => (window as unknown as PanelWindow).syncscope.session[k], key);

/** Sends on a page's real WebSocket and waits until its panel has the frame (and the server's ack) — the pipe works. */
async function roundTrip(tab: { page: Page; panel: Page }, marker: string) {
  await sendOnAppSocket(tab.page, { type: 'marker', marker });
  await poll(async () => (await framesWith(tab.panel, marker)).length).toBe(2);
}

const pollutionProbe = () => {
  const probe = {} as Record<string, unknown>;
  return [probe.polluted, probe.forged, (Object.prototype as Record<string, unknown>).polluted].filter((v) => v !== undefined);
};
/** What a fresh object inherits that it should not: empty unless some prototype was polluted. */
const polluted = (target: Page | ExtensionBrowser['worker']) =>
  'goto' in target ? target.evaluate(pollutionProbe) : target.evaluate(pollutionProbe);

// ---- forged messages ----

const frame = (over: Record<string, unknown>) => ({
  seq: 900_000,
  t: 1_800_000_000_000,
  transport: 'websocket',
  conn: 'hostile-ws',
  dir: 'in',
  kind: 'message',
  ...over,
});
const hook = (event: unknown, extra: Record<string, unknown> = {}) => ({ source: SOURCE.hook, v: BRIDGE_VERSION, event, ...extra });
const frames = (list: unknown[], extra: Record<string, unknown> = {}) => ({ type: 'frames', frames: list, dropped: 0, ...extra });
const status = { capturing: true, recording: false, buffered: 0, dropped: 0 };
const withoutKey = (value: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(value).filter(([k]) => k !== key));

/**
 * Messages the relay must drop, each carrying its REJ-n marker where it would show if it got through. Every kind of
 * the bridge schema: hook events (hello, frames, snapshot, status, tap-error), the envelopes of the other directions
 * (relay, background, panel, remote, worker, chunk), as the page can post them to the relay's window.
 */
function rejectedForgeries(honestTab: number): Array<[string, unknown]> {
  const frameOf = (marker: string) => frame({ text: marker });
  return [
    // wrong types
    ['frame seq is a string', hook(frames([frame({ seq: 'REJ-1', text: 'REJ-1' })]))],
    ['dropped is a string', hook({ type: 'frames', frames: [frameOf('REJ-2')], dropped: '0' })],
    ['frames is an object', hook({ type: 'frames', frames: { 0: frameOf('REJ-3') }, dropped: 0 })],
    ['text is an object', hook(frames([frame({ text: { html: 'REJ-4' } })]))],
    ['unknown transport', hook(frames([frame({ transport: 'telepathy', text: 'REJ-5' })]))],
    ['negative size', hook(frames([frame({ size: -1, text: 'REJ-6' })]))],
    ['t is a string', hook(frames([frame({ t: 'REJ-7', text: 'REJ-7' })]))],
    ['meta.status is a string', hook(frames([frame({ text: 'x', meta: { status: 'REJ-8' } })]))],
    ['hello from an unknown context', hook({ type: 'hello', url: 'REJ-9', context: 'extension', redactions: [], status })],
    ['status with a fractional dropped count', hook({ type: 'status', status: { ...status, dropped: 777_001.5 } })],
    ['snapshot of an unknown kind', hook({ type: 'snapshot', requestId: 'REJ-11', kind: 'sql', index: 0, done: true, frames: [] })],
    ['tap-error whose message is a number', hook({ type: 'tap-error', tap: 'REJ-12', message: 12 })],
    ['unknown event type', hook({ type: 'frames-v2', frames: [frameOf('REJ-13')], dropped: 0 })],
    // missing fields
    ['frames without dropped', hook({ type: 'frames', frames: [frameOf('REJ-14')] })],
    ['frame without conn', hook(frames([withoutKey(frameOf('REJ-15'), 'conn')]))],
    ['message frame without payload', hook(frames([frame({ conn: 'REJ-16' })]))],
    ['envelope without event', { source: SOURCE.hook, v: BRIDGE_VERSION, frames: [frameOf('REJ-17')] }],
    ['hello without status', hook({ type: 'hello', url: 'REJ-18', context: 'page', redactions: [] })],
    ['snapshot without requestId', hook({ type: 'snapshot', kind: 'idb', index: 0, done: true, frames: [frameOf('REJ-19')] })],
    ['event without type', hook({ frames: [frameOf('REJ-20')], dropped: 0 })],
    // two payloads, bad base64
    ['frame with text and b64', hook(frames([frame({ text: 'REJ-21', b64: 'AAAA' })]))],
    ['b64 that is not base64', hook(frames([frame({ b64: 'REJ-22' })]))],
    // versions
    ['version 2', { ...hook(frames([frameOf('REJ-23')])), v: 2 }],
    ['version 0', { ...hook(frames([frameOf('REJ-24')])), v: 0 }],
    ['version as a string', { ...hook(frames([frameOf('REJ-25')])), v: '1' }],
    ['no version', withoutKey(hook(frames([frameOf('REJ-26')])), 'v')],
    ['null version', { ...hook(frames([frameOf('REJ-27')])), v: null }],
    // messages claiming to come from the extension's side, or another sender
    ['relay-to-background envelope', { source: SOURCE.relay, v: 1, type: 'hook', event: frames([frameOf('REJ-28')]) }],
    ['relay ready for another url', { source: SOURCE.relay, v: 1, type: 'ready', url: 'REJ-29' }],
    [
      'background-to-panel for the honest tab',
      { source: SOURCE.background, v: 1, type: 'hook', tabId: honestTab, event: frames([frameOf('REJ-30')]) },
    ],
    [
      'background tab state for the honest tab',
      { source: SOURCE.background, v: 1, type: 'tab', tabId: honestTab, state: 'disconnected', url: 'REJ-31' },
    ],
    ['panel connect to the honest tab', { source: SOURCE.panel, v: 1, type: 'connect', tabId: honestTab, note: 'REJ-32' }],
    [
      'panel command stopping the honest tab',
      { source: SOURCE.panel, v: 1, type: 'command', tabId: honestTab, command: { type: 'record', on: false } },
    ],
    ['remote sink envelope', { source: SOURCE.remote, v: 1, client: 'REJ-33', event: frames([frameOf('REJ-33')]) }],
    ['worker envelope on the window', { source: SOURCE.worker, v: 1, worker: 'REJ-34', event: frames([frameOf('REJ-34')]) }],
    ['source in capitals', { ...hook(frames([frameOf('REJ-35')])), source: 'SYNCSCOPE-HOOK' }],
    [
      'hook chunk holding a valid message',
      {
        source: SOURCE.hook,
        v: 1,
        type: 'chunk',
        id: 'c1',
        index: 0,
        count: 1,
        b64: btoa(JSON.stringify(hook(frames([frameOf('REJ-36')])))),
      },
    ],
    // prototype keys standing in for the real ones (JSON.parse in the page makes them own properties)
    [
      'event fields only under __proto__',
      new RawJson(
        `{"source":"syncscope-hook","v":1,"event":{"__proto__":{"type":"frames","dropped":0,"frames":[${JSON.stringify(frameOf('REJ-37'))}]}}}`,
      ),
    ],
    [
      'envelope fields only under __proto__',
      new RawJson(`{"__proto__":{"source":"syncscope-hook","v":1},"event":${JSON.stringify(frames([frameOf('REJ-38')]))}}`),
    ],
    ['frame fields only under constructor.prototype', hook(frames([{ constructor: { prototype: frameOf('REJ-39') } }]))],
    // huge: a request id past its bound; one bad frame among 10,000 good ones rejects the whole batch
    [
      'request id of 201 characters',
      hook({ type: 'snapshot', requestId: 'R'.repeat(201), kind: 'idb', index: 0, done: true, frames: [frameOf('REJ-43')] }),
    ],
    [
      'one bad frame in a batch of 10,000',
      hook(
        frames([
          ...Array.from({ length: 9_999 }, (_, i) => frame({ seq: i, text: `REJ-44 ${i}` })),
          frame({ seq: 'last', text: 'REJ-44' }),
        ]),
      ),
    ],
    ['seq past the safe integers', hook(frames([frame({ seq: 2 ** 60, text: 'REJ-45' })]))],
    // not objects at all
    ['a string', 'REJ-40'],
    ['null', null],
    ['a number', 41],
    ['an array of envelopes', [hook(frames([frameOf('REJ-42')]))]],
  ];
}

describe('a hostile page beside an honest tab, with the real extension', () => {
  it('has its forged bridge messages dropped at the relay: nothing malformed reaches a panel, the pipe keeps working', async () => {
    await roundTrip(honest, 'HONEST-1');
    await roundTrip(hostile, 'HOSTILE-1');
    const forgeries = rejectedForgeries(honest.tabId);
    await hostile.toolkit.forge(forgeries.map(([, message]) => message));
    // Not cloneable: postMessage throws in the page, nothing leaves it.
    expect(await hostile.toolkit.uncloneable()).toEqual(['DataCloneError', 'DataCloneError', 'DataCloneError', 'DataCloneError']);
    // A well-formed hook message, but from a child frame rather than the page's own window.
    await hostile.toolkit.fromChildFrame(hook(frames([frame({ text: 'REJ-child-frame' })])));
    // Accepted: well formed, so it is the page's word about its own traffic — shown in its own panel only, with the
    // extra fields (another tab's ids) dropped and prototype keys kept as plain data.
    const accepted = [
      hook(frames([frame({ text: 'ACC-1', tabId: honest.tabId, sessionId: 'other', connectionId: 'other' })], { tabId: honest.tabId }), {
        tabId: honest.tabId,
        type: 'hook',
        target: 'syncscope-panel',
      }),
      new RawJson(
        `{"source":"syncscope-hook","v":1,"constructor":{"prototype":{"polluted":"envelope"}},"event":{"type":"frames","dropped":0,"__proto__":{"polluted":"event"},"frames":[{"seq":900001,"t":1,"transport":"websocket","conn":"hostile-ws","dir":"in","kind":"message","text":"ACC-2","meta":{"__proto__":{"polluted":"meta","url":"javascript:void 0"},"constructor":{"prototype":{"polluted":"meta"}}}}]}}`,
      ),
      new RawJson(
        `{"source":"syncscope-hook","v":1,"event":{"type":"frames","dropped":0,"frames":[{"seq":900002,"t":1,"transport":"broadcast","conn":"hostile-bc","dir":"local","kind":"message","json":{"marker":"ACC-3","__proto__":{"polluted":"json"},"constructor":{"prototype":{"polluted":"json"}},"nested":{"__proto__":{"forged":true}}}}]}}`,
      ),
      // Extreme numbers: times at the ends of the doubles, the largest safe seq.
      hook(
        frames([
          frame({ seq: Number.MAX_SAFE_INTEGER, t: 1.7e308, text: 'ACC-5' }),
          frame({ seq: 0, t: -1.7e308, text: 'ACC-6' }),
          frame({ seq: 1, t: Number.MIN_VALUE, text: 'ACC-7' }),
        ]),
      ),
      // A tap error of 1 MB.
      hook({ type: 'tap-error', tap: 'ACC-4', message: '<b>big</b>'.repeat(100_000) }),
      hook(frames([frame({ text: 'ACC-sentinel' })])),
    ];
    await hostile.toolkit.forge(accepted);
    await poll(async () => (await framesWith(hostile.panel, 'ACC-sentinel')).length).toBe(1);
    // The relay and background are still up: both pages' real traffic still arrives.
    await roundTrip(hostile, 'HOSTILE-2');
    await roundTrip(honest, 'HONEST-2');

    const hostileSeen = await panelDump(hostile.panel);
    const honestSeen = await panelDump(honest.panel);
    expect(hostileSeen.match(/REJ-[\w-]+/g) ?? []).toEqual([]);
    expect(hostileSeen).not.toContain('777001');
    expect(hostileSeen).toContain('ACC-1');
    expect(hostileSeen).toContain('ACC-2');
    expect(hostileSeen).toContain('ACC-3');
    for (const marker of ['ACC-5', 'ACC-6', 'ACC-7']) expect(await framesWith(hostile.panel, marker)).toHaveLength(1);
    // The 1 MB tap error is clipped for the banner, as text, and the views keep their room.
    const banner = (await hostile.panel.locator('.banner.error-text').textContent()) ?? '';
    expect(banner).toMatch(/^tap ACC-4: (<b>big<\/b>)+.*… \(\d+ more characters\)$/);
    expect(banner.length).toBeLessThan(2100);
    expect(await hostile.panel.locator('.banner b').count()).toBe(0);
    expect((await hostile.panel.locator('main.view').boundingBox())?.height).toBeGreaterThan(300);
    expect(await hostile.panel.locator('.row').count()).toBeGreaterThan(0);
    // Extra fields were dropped on the way: the stored frame has no tab, session or connection id of another tab.
    const [acc1] = await framesWith(hostile.panel, 'ACC-1');
    expect(Object.keys(acc1 ?? {}).sort()).toEqual(['conn', 'dir', 'kind', 'seq', 't', 'text', 'transport']);
    // Nothing of the hostile tab, forged or not, reached the honest tab's panel.
    expect(honestSeen.match(/(REJ|ACC)-[\w-]+|HOSTILE-\d|hostile-\w+/g) ?? []).toEqual([]);
    // The prototype keys stayed data: no prototype anywhere was polluted.
    for (const context of [hostile.panel, honest.panel, browser.worker, honest.page]) expect(await polluted(context)).toEqual([]);
    // The honest panel still records and is connected: the forged panel command and tab state did nothing.
    expect(await honest.panel.locator('.badge', { hasText: 'connected' }).count()).toBe(1);
    expect(incidents).toEqual([]);
  });

  it("forges the honest tab's tab, connection and session ids: the honest panel never gets them, the page never reads the honest stream", async () => {
    // The honest tab's own ids, as its panel knows them: its socket's connection and the seqs it used.
    await roundTrip(honest, 'HONEST-6');
    const honestFrames = await framesWith(honest.panel, 'HONEST-6');
    const honestConn = honestFrames[0]?.conn as string;
    const honestSeq = honestFrames[0]?.seq as number;
    expect(honestConn).toBeTruthy();
    const intoHonest = (marker: string, extra: Record<string, unknown> = {}) =>
      frame({ conn: honestConn, seq: honestSeq, text: marker, tabId: honest.tabId, sessionId: honestConn, ...extra });
    await hostile.toolkit.forge([
      // Well formed, so shown — but only as the hostile tab's own traffic, whatever ids it claims.
      hook(frames([intoHonest('FORGED-into-A-1')], { tabId: honest.tabId, conn: honestConn }), { tabId: honest.tabId, tab: honest.tabId }),
      hook(frames([intoHonest('FORGED-into-A-2', { meta: { url: honestSite.url, tabId: String(honest.tabId) } })])),
      hook({ type: 'hello', url: `${honestSite.url}?tab=honest`, context: 'page', redactions: [], status, tabId: honest.tabId }),
      // Dropped at the relay: envelopes of the extension's side addressed to the honest tab.
      { source: SOURCE.background, v: 1, type: 'hook', tabId: honest.tabId, event: frames([intoHonest('FORGED-into-A-3')]) },
      { source: SOURCE.relay, v: 1, type: 'hook', tabId: honest.tabId, event: frames([intoHonest('FORGED-into-A-4')]) },
      { source: SOURCE.relay, v: 1, type: 'ready', url: `${honestSite.url}?tab=honest` },
      // Attempts to listen in on, or steer, the honest tab's capture.
      { source: SOURCE.panel, v: 1, type: 'connect', tabId: honest.tabId },
      { source: SOURCE.panel, v: 1, type: 'command', tabId: honest.tabId, command: { type: 'snapshot-idb', requestId: 'steal' } },
      { source: SOURCE.panel, v: 1, type: 'command', tabId: honest.tabId, command: { type: 'record', on: false } },
      { source: SOURCE.panel, v: 1, type: 'command', tabId: honest.tabId, command: { type: 'listen', on: false } },
      { source: SOURCE.background, v: 1, type: 'command', tabId: honest.tabId, command: { type: 'listen', on: false } },
    ]);
    // The worker bridge is a BroadcastChannel: it reaches the page's own hook (shown as a worker's frames in the
    // hostile panel), never a tab of another origin.
    await hostile.toolkit.broadcast(WORKER_BRIDGE_CHANNEL, {
      source: SOURCE.worker,
      v: 1,
      worker: 'forged-worker',
      event: frames([intoHonest('FORGED-into-A-5')]),
    });
    await hostile.toolkit.forge([hook(frames([frame({ text: 'FORGED-sentinel' })]))]);
    await poll(async () => (await framesWith(hostile.panel, 'FORGED-sentinel')).length).toBe(1);
    await poll(async () => (await framesWith(hostile.panel, 'FORGED-into-A-5')).length).toBe(1);
    // The hostile page has no way to the extension: no runtime API, and the panel page is not web-accessible.
    expect(
      await hostile.page.evaluate(() => typeof (window as { chrome?: { runtime?: { connect?: unknown } } }).chrome?.runtime?.connect),
    ).toBe('undefined');
    const panelUrl = `chrome-extension://${browser.extensionId}/devtools-panel.html?tabId=${honest.tabId}`;
    const framed = await hostile.page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const iframe = document.createElement('iframe');
          iframe.src = url;
          iframe.onload = () => {
            try {
              resolve(iframe.contentDocument ? 'readable' : 'opaque');
            } catch {
              resolve('opaque');
            }
          };
          document.body.append(iframe);
        }),
      panelUrl,
    );
    expect(framed).toBe('opaque');
    const child = hostile.page.frames().find((f) => f.url().startsWith('chrome-extension://') || f.url().startsWith('chrome-error://'));
    if (child) expect(await child.locator('.syncscope-panel').count()).toBe(0);
    expect(browser.context.pages().some((p) => p.url().startsWith(panelUrl) && p !== honest.panel)).toBe(false);

    // The honest tab goes on: still captured (no forged stop or listen-off reached it), still connected.
    await roundTrip(honest, 'HONEST-3');
    await roundTrip(hostile, 'HOSTILE-3');
    const honestSeen = await panelDump(honest.panel);
    expect(honestSeen.match(/FORGED-[\w-]+/g) ?? []).toEqual([]);
    expect(await honest.panel.locator('.badge', { hasText: 'connected' }).count()).toBe(1);
    // The hostile tab's frames carrying the honest ids are in the hostile panel, as the hostile tab's own traffic.
    const hostileSeen = await panelDump(hostile.panel);
    expect(hostileSeen.match(/FORGED-into-A-\d/g)).toEqual(['FORGED-into-A-1', 'FORGED-into-A-2', 'FORGED-into-A-5']);
    // And nothing of the honest tab reached the hostile panel, nor the hostile page's window.
    expect(hostileSeen.match(/HONEST-\d/g) ?? []).toEqual([]);
    const pageSaw = (await hostile.toolkit.seen()).join('\n');
    expect(pageSaw.match(/HONEST-\d/g) ?? []).toEqual([]);
    // Nor even its own traffic: the hook's batches travel on the relay's port, never as window messages. (The page's
    // window listener works: it saw what the page itself posted.)
    expect(pageSaw).not.toContain('HOSTILE-3');
    expect(pageSaw).toContain('FORGED-sentinel');
    expect(incidents).toEqual([]);
  });

  /** 20 MB cross four contexts in chunks: seconds on an idle machine, more on a loaded two-core one. */
  const slowPoll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 45_000 });

  it('survives oversized payloads and floods: bounded, later frames still arrive, the panel shows a clear entry', async () => {
    const MB = 1024 * 1024;
    // One frame of 20 MB: it crosses relay, background and panel in chunks and is shown as one row with its size.
    await hostile.toolkit.big(20, 'BIG-TAIL-1');
    await slowPoll(async () => (await framesWith(hostile.panel, 'BIG-TAIL-1')).map((f) => f.text)).toEqual([`${20 * MB + 10} chars`]);
    await hostile.panel.getByLabel('Filter messages').fill('hostile-big');
    await poll(() => hostile.panel.locator('.row .col-size').allTextContents()).toEqual(['20.0 MB']);
    await hostile.panel.locator('.row').first().click();
    await poll(() => hostile.panel.locator('.detail-head').textContent()).toContain('20.0 MB');
    await hostile.panel.getByLabel('Close detail').click();
    await hostile.panel.getByLabel('Filter messages').fill('');
    // Chunk messages that never complete and chunk headers that lie (count 1e9, index past count, negative, 16 MB
    // of base64, a repeated index, not base64), also under the extension's own source names: dropped at the relay.
    await hostile.toolkit.chunkFlood(2000, 'REJ-CHUNK');
    // A payload nested thousands of arrays deep: structured clone takes it, the JSON hop to the background cannot.
    // The relay reports it as a tap error, shown in the panel, instead of throwing.
    expect(await hostile.toolkit.deep([4800, 4000, 3200], 'DEEP-1')).toBeGreaterThan(0);
    await poll(() => panelSession(hostile.panel, 'lastError')).toMatch(
      /^tap relay: dropped a frames event that cannot cross to the extension/,
    );
    await poll(() => hostile.panel.locator('.banner.error-text').textContent()).toContain('tap relay: dropped a frames event');
    // A second big frame: live panels get it, but the background keeps a bounded backlog for panels opened later.
    await hostile.toolkit.big(20, 'BIG-TAIL-2');
    await slowPoll(async () => (await framesWith(hostile.panel, 'BIG-TAIL-2')).length).toBe(1);
    // Both tabs still work end to end.
    await roundTrip(hostile, 'HOSTILE-4');
    await roundTrip(honest, 'HONEST-4');
    expect(await panelDump(hostile.panel)).not.toMatch(/REJ-CHUNK|DEEP-1/);
    expect(await panelDump(honest.panel)).not.toMatch(/BIG-TAIL|DEEP-1|REJ-CHUNK|relay/);

    // A panel opened now gets the backlog: at most 32 MiB of frames, the older big frame gone and counted as dropped.
    const late = await browser.openPanel(hostile.tabId);
    try {
      await slowPoll(async () => (await framesWith(late, 'HOSTILE-4')).length).toBe(2);
      const held = await late.evaluate(() => {
        const { session } = (window as unknown as PanelWindow).syncscope;
        let chars = 0;
        const tails: string[] = [];
        for (let p = session.store.start; p < session.store.end; p++) {
          const text = (session.store.frame(p) as { text?: unknown }).text;
          if (typeof text !== 'string') continue;
          chars += text.length;
          if (text.length > 1024) tails.push(text.slice(-10));
        }
        return { chars, tails, dropped: session.dropped };
      });
      expect(held.tails).toEqual(['BIG-TAIL-2']);
      expect(held.chars).toBeLessThanOrEqual(32 * MB);
      expect(held.dropped).toBeGreaterThanOrEqual(1);
      expect(await late.getByTestId('dropped-count').textContent()).toBe(`${held.dropped} dropped`);
    } finally {
      await late.close();
    }
    expect(incidents).toEqual([]);
  });

  it('shows HTML and JS in every displayed field as text, and nothing runs or loads', async () => {
    // A fresh hostile tab and panel, so the views hold only what this test sends.
    const { page, tabId } = await browser.openTab(`${hostileSite.url}?tab=html`, appReady);
    const panel = await browser.openPanel(tabId);
    panel.on('dialog', (dialog) => {
      incidents.push(`html panel: dialog ${dialog.message()}`);
      void dialog.dismiss();
    });
    panel.on('pageerror', (error) => incidents.push(`html panel: ${error.message}`));
    // Whatever would run sets __pwned; whatever would load asks the hostile server for /pwned/<field>.
    const img = (field: string) => `<img src="${hostileSite.url}pwned/${field}" onerror="window.__pwned='${field}'">`;
    const script = (field: string) => `<script>window.__pwned='${field}'</script>`;
    const jsUrl = (field: string) => `javascript:window.__pwned='${field}'`;
    const svg = (field: string) => `<svg onload="window.__pwned='${field}'"></svg>`;
    const entity = `ob1${script('entity')}`;
    const field = `location${img('conflict-field')}`;
    const phone = `phone${img('conn')}`;
    const tablet = `tablet${svg('conn')}`;
    const url = `ws://127.0.0.1:4101/seneschal?next=${img('url')}`;
    const upsert = (timestamp: number, clientID: string, values: Record<string, string>) =>
      JSON.stringify({ timestamp, clientID, dispatch: { action: 'items/upsert', payload: [entity, values] } });
    const base = { t: 1_795_154_400_000, transport: 'websocket', dir: 'out', kind: 'message' };
    const seneschal = [
      { ...base, seq: 1000, conn: phone, kind: 'open', meta: { url, headers: { 'x-evil': img('header'), [script('header-name')]: 'v' } } },
      { ...base, seq: 1001, conn: phone, text: upsert(1_795_154_400_000, 'phone', { name: 'tset', qty: '1', [field]: jsUrl('value') }) },
      { ...base, seq: 1002, conn: phone, text: upsert(1_795_158_000_000, 'phone', { name: 'test' }) },
      { ...base, seq: 1003, conn: phone, text: upsert(1_795_159_800_000, 'phone', { [field]: 'food court' }) },
      { ...base, seq: 1004, conn: tablet, kind: 'open', meta: { url } },
      { ...base, seq: 1005, conn: tablet, text: upsert(1_795_159_200_000, 'tablet', { qty: '2', [field]: 'aisle' }) },
      // A protocol error whose message quotes what the page sent.
      { ...base, seq: 1006, conn: phone, dir: 'in', text: JSON.stringify({ type: img('protocol-error') }) },
    ];
    const others = [
      {
        ...base,
        seq: 1007,
        transport: 'http',
        conn: `http${svg('http-conn')}`,
        kind: 'request',
        meta: { url: jsUrl('http-url'), method: `GET${script('method')}`, headers: { 'x-evil': img('http-header') } },
      },
      { ...base, seq: 1008, conn: `plain${script('conn')}`, dir: 'in', text: `${script('text')}${img('text')}${jsUrl('text')}` },
      {
        ...base,
        seq: 1009,
        transport: 'broadcast',
        conn: 'bc',
        dir: 'local',
        meta: { channel: svg('channel') },
        json: { [img('json-key')]: script('json-value'), link: jsUrl('json-link') },
      },
    ];
    const tapError = `${img('tap-error')}${script('tap-error')}`;
    await hostileOf(page).forge([
      hook({ type: 'hello', url: jsUrl('hello-url'), context: 'page', redactions: [img('redaction')], status }),
      hook(frames([...seneschal, ...others])),
      hook({ type: 'tap-error', tap: svg('tap'), message: tapError }),
    ]);
    await poll(async () => (await framesWith(panel, 'protocol-error')).length).toBe(1);

    // Shown as text: connection names, the decode error quoting the page, raw payload, meta (url, headers).
    await panel.getByLabel('Protocol').selectOption('seneschal');
    await poll(() => panel.locator('.row .col-conn').allTextContents()).toContain(phone);
    expect(await panel.locator('.row .col-conn').allTextContents()).toContain(tablet);
    await poll(() => panel.locator('.banner.error-text').textContent()).toBe(`tap ${svg('tap')}: ${tapError}`);
    await panel.locator('.row', { hasText: 'unknown server message' }).click();
    await poll(() => panel.locator('.decode-error').textContent()).toContain(`unknown server message "${img('protocol-error')}"`);
    // Like the other extension e2e shots, to /tmp/panel-shots (extension/screenshots/hostile-page.png is a copy).
    mkdirSync(SHOTS, { recursive: true });
    await panel.screenshot({ path: `${SHOTS}/hostile-page.png` });
    await panel.getByRole('tab', { name: 'Raw' }).click();
    expect(await panel.locator('pre.raw').textContent()).toBe(JSON.stringify({ type: img('protocol-error') }));
    await panel.locator('.row', { hasText: 'open' }).first().click();
    await panel.getByRole('tab', { name: 'Meta' }).click();
    const meta = JSON.parse((await panel.locator('pre.raw').textContent()) ?? '{}');
    expect(meta).toMatchObject({ conn: phone, meta: { url, headers: { 'x-evil': img('header'), [script('header-name')]: 'v' } } });
    await panel.getByLabel('Protocol').selectOption('');
    await panel.getByLabel('Filter messages').fill('plain');
    await panel.locator('.row').first().click();
    await panel.getByRole('tab', { name: 'Raw' }).click();
    expect(await panel.locator('pre.raw').textContent()).toBe(`${script('text')}${img('text')}${jsUrl('text')}`);
    // A structured payload's keys and values in the decoded tree; the page's claimed url in the badge's tooltip.
    await panel.getByLabel('Filter messages').fill('');
    await panel.getByLabel('Direction').selectOption('local');
    await panel.locator('.row').first().click();
    await panel.getByRole('tab', { name: 'Decoded' }).click();
    const tree = (await panel.locator('.detail-body').textContent()) ?? '';
    for (const text of [img('json-key'), script('json-value'), jsUrl('json-link')]) expect(tree).toContain(text);
    await panel.getByLabel('Direction').selectOption('');
    // The hello's claimed url is not believed: the relay names the page itself, so a forged hello cannot pass for
    // another site (or smuggle a javascript: url into the badge).
    expect(await panel.locator('.badge', { hasText: 'connected' }).getAttribute('title')).toBe(page.url());
    // Entity keys and conflict fields, and the values on both sides.
    await panel.getByRole('tab', { name: /Conflicts/ }).click();
    await poll(() => panel.locator('section.conflict h3 code').allTextContents()).toEqual(expect.arrayContaining([entity, field]));
    expect(await panel.locator('section.conflict').first().textContent()).toContain(entity);
    await panel.getByRole('tab', { name: /Entities/ }).click();
    await poll(() => panel.locator('.list button').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(entity)]));
    await panel.locator('.list button', { hasText: 'ob1' }).first().click();
    await poll(() => panel.locator('section[aria-label="Entity"]').textContent()).toContain(jsUrl('value'));

    // Nothing ran, nothing loaded, no markup from the page became elements, and no link goes to javascript:.
    expect(await panel.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await honest.panel.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await panel.locator('.syncscope-panel :is(img, script, iframe, object, embed, [onerror], [onload])').count()).toBe(0);
    expect(await panel.locator('a[href^="javascript:" i], [src^="javascript:" i]').count()).toBe(0);
    expect(await panel.locator('.syncscope-panel svg[onload], svg svg').count()).toBe(0);
    expect([...hostileSite.requests, ...honestSite.requests].filter((path) => path.includes('pwned'))).toEqual([]);
    // The page still reaches its panel afterwards.
    await roundTrip({ page, panel }, 'HOSTILE-5');
    expect(incidents).toEqual([]);
    await panel.close();
    await page.close();
  });
});
