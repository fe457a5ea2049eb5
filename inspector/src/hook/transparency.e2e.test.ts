import type { RawFrame } from '@syncscope/protocols/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, findChromium } from '../../../scripts/chromium.mjs';
import { HookToRelay, parseMessage } from '../bridge/index.ts';
import { bundleHook } from './build.ts';
import { startConformanceServer } from './fixtures/server.ts';

let browser: Browser;
let server: Awaited<ReturnType<typeof startConformanceServer>>;
let hookCode: string;

beforeAll(async () => {
  server = await startConformanceServer();
  hookCode = (await bundleHook()).code;
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh context per run, so IndexedDB and OPFS start empty each time. */
async function openPage(init?: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (init) await page.addInitScript({ content: `${hookCode};${init}` });
  await page.goto(server.origin);
  return page;
}

/** Installs the built hook with a subscriber that keeps every frame, as an overlay or a test would. */
const SUBSCRIBED = `
  window.__frames = [];
  window.__hook = syncscopeHook.installHook({ bridge: false });
  window.__hook.subscribe((e) => { if (e.type === 'frames') window.__frames.push(...e.frames); });
`;

/** Polls the page (bounded) until `predicate` holds over its captured frames. */
async function framesWhen(page: Page, predicate: (frames: RawFrame[]) => boolean): Promise<RawFrame[]> {
  let frames: RawFrame[] = [];
  for (let i = 0; i < 100; i++) {
    frames = (await page.evaluate('window.__frames')) as RawFrame[];
    if (predicate(frames)) return frames;
    await page.waitForTimeout(50);
  }
  return frames;
}

describe('taps in real Chromium', () => {
  it('leave everything the app observes identical, while capturing every transport', async () => {
    const plain = await openPage();
    const without = await plain.evaluate('runConformance()');
    await plain.context().close();

    const tapped = await openPage(SUBSCRIBED);
    const withTaps = await tapped.evaluate('runConformance()');
    expect(withTaps).toEqual(without);
    // Sanity: the run really did what it claims (so equality is not two empty results).
    expect(without).toMatchObject({
      wsOpen: { protocol: 'sync.v1' },
      wsClose: { code: 4001, reason: 'bye' },
      wsOrder: expect.arrayContaining(['listener1:welcome', 'onmessage:welcome', 'listener2:welcome']),
      stream: { lines: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }] },
      idb: { duplicate: 'ConstraintError', readOnly: 'ReadOnlyError', tx1: 'complete' },
    });

    const frames = await framesWhen(tapped, (list) =>
      list.some((f) => f.transport === 'idb' && (f.json as { op?: string }).op === 'clear'),
    );
    await tapped.context().close();
    const of = (transport: string, kind?: string) => frames.filter((f) => f.transport === transport && (!kind || f.kind === kind));

    // WebSocket: open with URL and subprotocol, both directions, binary as base64, close code and reason.
    const conn = of('websocket', 'open').find((f) => f.meta?.subprotocol === 'sync.v1')?.conn;
    expect(conn).toBeDefined();
    const socket = frames.filter((f) => f.conn === conn);
    expect(socket.map((f) => `${f.kind}:${f.dir}`)).toEqual([
      'open:out',
      'message:in',
      'message:out',
      'message:in',
      'message:out',
      'message:in',
      'message:out',
      'message:in',
      'message:out',
      'message:in',
      'message:out',
      'message:in',
      'message:out',
      'close:in',
    ]);
    expect(socket.filter((f) => f.kind === 'message' && f.dir === 'out').map((f) => f.text ?? f.b64)).toEqual([
      'hello',
      'AQID+g==',
      'CQg=',
      'AgE=',
      expect.stringContaining('"password":"[redacted]"'),
      'close-me',
    ]);
    const secret = socket.find((f) => f.text?.includes('password')) as RawFrame;
    expect(secret.text).not.toContain('hunter2');
    expect(secret.text).not.toContain('eyJ');
    expect(secret.meta?.redacted).toEqual(expect.arrayContaining(['jwt', 'field:password', 'field:token']));
    expect(socket.at(-1)?.meta).toMatchObject({ code: 4001, reason: 'bye' });

    // fetch: the NDJSON stream as chunk frames of whole lines, then a last one; the request's secrets redacted.
    const stream = frames.filter((f) => f.kind === 'response' && f.meta?.url?.endsWith('/stream'));
    expect(stream.slice(0, -1).every((f) => f.meta?.chunk === true && f.text?.endsWith('\n'))).toBe(true);
    expect(stream.at(-1)?.meta?.chunk).toBeUndefined();
    expect(stream.map((f) => f.text ?? '').join('')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}');
    const post = frames.find((f) => f.kind === 'request' && f.meta?.method === 'POST' && f.meta.url?.includes('/echo?')) as RawFrame;
    expect(post.meta?.headers?.authorization).toBe('[redacted]');
    expect(post.meta?.url).toContain('token=%5Bredacted%5D');
    expect(post.text).toBe('{"password":"[redacted]","value":7}');
    const answer = frames.find((f) => f.kind === 'response' && f.conn === post.conn) as RawFrame;
    expect(answer.meta).toMatchObject({ status: 200, headers: { 'x-echo': 'yes' } });
    expect(frames.find((f) => f.kind === 'request' && f.meta?.method === 'PUT')?.text).toBe('from a Request');
    expect(frames.find((f) => f.kind === 'response' && f.meta?.url?.endsWith('/bytes'))?.b64).toBe('AAEC/w==');
    expect(frames.some((f) => f.kind === 'error' && f.meta?.url?.startsWith('http://127.0.0.1:1/'))).toBe(true);
    // XMLHttpRequest
    const xhr = frames.filter((f) => f.conn.startsWith('xhr-'));
    expect(xhr.map((f) => f.kind)).toEqual(['request', 'response']);
    expect(xhr[0]?.text).toBe('xhr body');

    // BroadcastChannel: each post and each receipt, as cloned at that moment, secrets redacted.
    const broadcast = of('broadcast');
    expect(broadcast.map((f) => f.meta?.op)).toEqual(['post', 'post', 'receive', 'receive']);
    expect(broadcast[0]?.json).toMatchObject({ op: 'sync', secret: '[redacted]' });
    expect(broadcast[0]?.meta?.channel).toBe('conformance');

    // IndexedDB writes, with the keys the database assigned.
    expect(of('idb', 'write').map((f) => `${f.meta?.store}:${(f.json as { op: string }).op}`)).toEqual([
      'docs:put',
      'docs:add',
      'auto:add',
      'docs:delete',
      'docs:put',
      'auto:clear',
    ]);
    expect(of('idb', 'write')[2]?.json).toMatchObject({ op: 'add', key: 1, value: { any: 'thing' } });
    expect(of('idb', 'write')[0]?.json).toMatchObject({ value: { id: 'a', token: '[redacted]' } });
    // Every frame is a valid RawFrame as the bridge would check it.
    const check = parseMessage(HookToRelay, { source: 'syncscope-hook', v: 1, event: { type: 'frames', frames, dropped: 0 } });
    expect(check).toEqual(expect.objectContaining({ ok: true }));
  });

  it('speaks the extension bridge: paused until the panel listens, then frames, late opens and snapshots', async () => {
    const page = await openPage(`
      window.__posted = [];
      window.addEventListener('message', (e) => { if (e.data && e.data.source === 'syncscope-hook') window.__posted.push(e.data); });
      syncscopeHook.installHook();
    `);
    const events = async () => (await page.evaluate('window.__posted')) as Array<{ event: { type: string } }>;
    await page.evaluate(`(async () => {
      window.__ws = new WebSocket('ws://' + location.host + '/ws');
      await new Promise((r) => window.__ws.addEventListener('message', r, { once: true }));
      window.__ws.send('unheard');
      const root = await navigator.storage.getDirectory();
      const dir = await root.getDirectoryHandle('data', { create: true });
      const file = await (await dir.getFileHandle('db.bin', { create: true })).createWritable();
      await file.write(new Uint8Array([7, 7, 7]));
      await file.close();
      await new Promise((resolve) => {
        const open = indexedDB.open('snap', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('s').put({ password: 'x', n: 1 }, 'k1');
        open.onsuccess = () => { open.result.close(); resolve(); };
      });
    })()`);
    const before = await events();
    expect(before.map((m) => m.event.type)).toEqual(['hello']);

    const command = (json: string) => page.evaluate(`window.postMessage({ source: 'syncscope-relay', v: 1, command: ${json} }, '*')`);
    await command(`{ type: 'listen', on: true }`);
    await page.evaluate(`window.__ws.send('heard')`);
    await command(`{ type: 'snapshot-idb', requestId: 'i1' }`);
    await command(`{ type: 'snapshot-opfs', requestId: 'o1' }`);
    await command(`{ type: 'snapshot-opfs', requestId: 'o2', path: '/data/db.bin' }`);
    let posted = await events();
    for (let i = 0; i < 100 && posted.filter((m) => (m.event as { done?: boolean }).done).length < 3; i++) {
      await page.waitForTimeout(50);
      posted = await events();
    }
    await page.context().close();
    for (const message of posted) expect(parseMessage(HookToRelay, message)).toEqual(expect.objectContaining({ ok: true }));
    const frames = posted.flatMap((m) => (m.event.type === 'frames' ? (m.event as unknown as { frames: RawFrame[] }).frames : []));
    expect(frames.find((f) => f.kind === 'open')?.meta).toMatchObject({ late: true, url: expect.stringContaining('/ws') });
    const texts = frames.map((f) => f.text);
    expect(texts).toContain('heard');
    expect(texts).not.toContain('unheard');
    type Snapshot = { requestId: string; done: boolean; frames: RawFrame[]; error?: string };
    const snapshots = posted.map((m) => m.event).filter((e): e is Snapshot & { type: string } => e.type === 'snapshot');
    const idb = snapshots.filter((s) => s.requestId === 'i1').flatMap((s) => s.frames);
    expect(idb.find((f) => f.meta?.db === 'snap')?.json).toMatchObject({
      store: 's',
      records: [{ key: 'k1', value: { password: '[redacted]', n: 1 } }],
    });
    const tree = snapshots.filter((s) => s.requestId === 'o1').flatMap((s) => s.frames);
    expect(tree[0]?.json).toMatchObject({ tree: expect.arrayContaining([{ path: '/data/db.bin', kind: 'file', size: 3 }]) });
    const bytes = snapshots.filter((s) => s.requestId === 'o2');
    expect(bytes.at(-1)).toMatchObject({ done: true });
    expect(bytes.flatMap((s) => s.frames)[0]).toMatchObject({ b64: 'BwcH', meta: { path: '/data/db.bin', size: 3 } });
  });

  it('forwards what a worker hook captures to the page hook', async () => {
    const page = await openPage(SUBSCRIBED);
    await page.evaluate(`new Promise((resolve) => {
      const worker = new Worker('/worker.js');
      worker.onmessage = (e) => e.data === 'worker done' && resolve();
      worker.postMessage('ws://' + location.host + '/ws');
    })`);
    const frames = await framesWhen(page, (list) => list.some((f) => f.conn.startsWith('w1|') && f.kind === 'close'));
    await page.context().close();
    const fromWorker = frames.filter((f) => f.conn.startsWith('w1|'));
    expect(fromWorker.map((f) => f.text ?? f.kind)).toEqual(['open', 'from the worker', 'welcome', 'from the worker', 'close']);
    // The page side saw the app's own postMessage traffic with the worker too.
    expect(frames.filter((f) => f.transport === 'worker').map((f) => `${f.dir}:${JSON.stringify(f.json)}`)).toEqual([
      `out:"ws://${new URL(server.origin).host}/ws"`,
      'in:"worker done"',
    ]);
  });
});
