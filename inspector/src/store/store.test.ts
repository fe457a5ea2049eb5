import { Deriver, defineDissector, emptyModel, type RawFrame, Registry } from '@syncscope/protocols/core';
import { describe, expect, it } from 'vitest';
import { testDissector } from '../../../protocols/core/test-dissector.ts';
import { type FrameInput, SessionStore, type StoreChange } from './index.ts';

const registry = () => new Registry([testDissector]);

/** A small session on two connections: sets, acks, a conflict, an undecodable frame and an unknown socket. */
function session(count: number): FrameInput[] {
  const frames: FrameInput[] = [
    { transport: 'websocket', conn: 'a', dir: 'out', kind: 'open', meta: { url: 'ws://127.0.0.1:1/test-sync' } },
    { transport: 'websocket', conn: 'b', dir: 'out', kind: 'open', meta: { url: 'ws://127.0.0.1:1/other' } },
  ];
  for (let i = 0; i < count; i++) {
    const key = `k${i % 7}`;
    if (i % 5 === 4) frames.push({ transport: 'websocket', conn: 'a', dir: 'in', kind: 'message', text: `{"op":"ack","key":"${key}"}` });
    else if (i % 13 === 12) frames.push({ transport: 'websocket', conn: 'a', dir: 'in', kind: 'message', text: '{"op":' });
    else if (i % 3 === 0) frames.push({ transport: 'websocket', conn: 'b', dir: 'in', kind: 'message', text: `plain ${i}` });
    else frames.push({ transport: 'websocket', conn: 'a', dir: 'out', kind: 'message', text: `{"op":"set","key":"${key}","value":${i}}` });
  }
  return frames.map((f, i) => ({ ...f, t: 1000 + i }));
}

describe('SessionStore', () => {
  it('indexes frames by connection, protocol, type and time, and decodes them', () => {
    const store = new SessionStore({ registry: registry() });
    store.addMany(session(40));
    store.finish();
    expect(store.size).toBe(42);
    expect(store.dropped).toBe(0);
    expect(store.protocolOf('a')).toBe('test');
    expect(store.protocolOf('b')).toBe('unknown');
    const acks = store.query({ protocol: 'test', type: 'ack' });
    expect(acks.length).toBe(8);
    for (const p of acks) expect(store.info(p)).toMatchObject({ protocol: 'test', type: 'ack', ok: true });
    expect(store.query({ conn: 'b' }).every((p) => store.frame(p)?.conn === 'b')).toBe(true);
    expect(store.query({ type: 'test/undecodable' }).length).toBe(3);
    const bad = store.decode(store.query({ type: 'test/undecodable' })[0] as number);
    expect(bad).toMatchObject({ protocol: 'test', ok: false });
    const set = store.decode(store.query({ type: 'test/set' })[0] as number);
    expect(set).toMatchObject({ ok: true, type: 'set', summary: 'set k1 = 1' });
    expect(store.decode(0)).toMatchObject({ ok: true, type: 'open', lifecycle: true });
    expect(store.positionAtTime(1010)).toBe(10);
    expect(store.query({ conn: 'a', fromTime: 1010, toTime: 1020 }).every((p) => p >= 10 && p < 20)).toBe(true);
    expect(store.types().get('test/set')).toBe(store.query({ type: 'set', protocol: 'test' }).length);
    expect(store.frame(-1)).toBeUndefined();
    expect(store.frame(42)).toBeUndefined();
  });

  it('time travel through checkpoints equals a fresh fold at every position', () => {
    const frames = session(300);
    const store = new SessionStore({ registry: registry(), checkpointEvery: 16 });
    store.addMany(frames);
    const deriver = new Deriver(registry(), 1_000_000);
    for (const frame of store.frames()) deriver.push(frame);
    for (let p = -1; p < store.end; p += 7) expect(store.modelsAt(p)).toEqual(deriver.modelsAt(p));
  });

  it('evicts whole blocks past the cap, counts every dropped frame, and keeps time travel exact', () => {
    const frames = session(1000);
    const store = new SessionStore({ registry: registry(), cap: 100, checkpointEvery: 25 });
    const deriver = new Deriver(registry(), 1_000_000);
    for (const input of frames) deriver.push(store.add(input));
    expect(store.size).toBeLessThanOrEqual(100);
    expect(store.size).toBeGreaterThan(75);
    expect(store.dropped).toBe(frames.length - store.size);
    expect(store.start).toBe(store.dropped);
    expect(store.frame(store.start - 1)).toBeUndefined();
    for (let p = store.start - 1; p < store.end; p += 3) expect(store.modelsAt(p)).toEqual(deriver.modelsAt(p));
    // Indexes forget evicted positions.
    for (const list of [store.query({ conn: 'a' }), store.query({ protocol: 'test' }), store.query({ type: 'test/set' })]) {
      expect(list.length).toBeGreaterThan(0);
      expect(list.every((p) => p >= store.start)).toBe(true);
    }
    const counted = [...store.connections().values()].reduce((a, b) => a + b, 0);
    expect(counted).toBe(store.size);
  });

  it('renumbers a seq that does not increase and keeps the original', () => {
    const store = new SessionStore({ registry: registry() });
    store.add({ seq: 5, t: 1, transport: 'broadcast', conn: 'x', dir: 'local', kind: 'message', json: 1 });
    const again = store.add({ seq: 5, t: 2, transport: 'broadcast', conn: 'x', dir: 'local', kind: 'message', json: 2 });
    expect(again.seq).toBe(6);
    expect(again.meta?.originalSeq).toBe(5);
    expect(store.positionOfSeq(6)).toBe(1);
    expect(store.positionOfSeq(4)).toBeUndefined();
  });

  it('decode-as refolds a connection with another dissector', () => {
    const store = new SessionStore({ registry: registry() });
    store.add({ t: 1, transport: 'websocket', conn: 'z', dir: 'out', kind: 'open', meta: { url: 'ws://h/elsewhere' } });
    for (let i = 0; i < 10; i++)
      store.add({ t: 2 + i, transport: 'websocket', conn: 'z', dir: 'out', kind: 'message', text: `{"op":"set","key":"q","value":${i}}` });
    // The heuristic picks `test` from the payloads; forcing `unknown` and back must refold both ways.
    expect(store.protocolOf('z')).toBe('test');
    store.decodeAs('z', 'unknown');
    expect(store.protocolOf('z')).toBe('unknown');
    expect(store.query({ protocol: 'test' })).toEqual([]);
    expect(store.models().test).toBeUndefined();
    store.decodeAs('z', 'test');
    expect(store.query({ protocol: 'test', type: 'set' }).length).toBe(10);
    expect(store.models().test?.entities.q?.value).toBe(9);
    expect(() => store.decodeAs('z', 'nope')).toThrow(/no dissector "nope"/);
  });

  it('round-trips a session file and HAR, with redactions and the dropped count in the header', async () => {
    const store = new SessionStore({ registry: registry(), cap: 40, checkpointEvery: 10 });
    store.addMany(session(60));
    store.add({
      t: 5000,
      transport: 'idb',
      conn: 'idb:app',
      dir: 'local',
      kind: 'write',
      json: { op: 'put', key: 1, value: new Uint8Array([1, 2]) },
      meta: { db: 'app', store: 's' },
    });
    store.addRedactions(['header:authorization', 'jwt']);
    const text = store.exportSession({ origin: 'http://127.0.0.1' });
    const header = JSON.parse(text.split('\n')[0] as string);
    expect(header).toMatchObject({ redactions: ['header:authorization', 'jwt'], dropped: store.dropped, protocols: ['test'] });
    const copy = new SessionStore({ registry: registry() });
    const { errors } = await copy.importSession(text);
    expect(errors).toEqual([]);
    expect([...copy.frames()]).toEqual([...store.frames()]);
    expect(copy.redactions).toEqual(['header:authorization', 'jwt']);
    await expect(copy.importSession(`${text}{"seq":"x"}\n`)).rejects.toThrow(/:\d+: not a frame/);

    const { har, skipped } = store.exportHar();
    expect(skipped).toBe(1);
    const fromHar = new SessionStore({ registry: registry() });
    expect(fromHar.importHar(har).errors).toEqual([]);
    const messages = (s: SessionStore) => [...s.frames()].filter((f) => f.kind === 'message').map((f: RawFrame) => f.text);
    expect(messages(fromHar)).toEqual(messages(store));
  });

  it('notifies subscribers once per burst', async () => {
    const store = new SessionStore({ registry: registry(), cap: 10, checkpointEvery: 5 });
    const changes: StoreChange[] = [];
    const off = store.subscribe((c) => changes.push(c));
    store.addMany(session(30));
    await Promise.resolve();
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ added: 32, evicted: store.dropped, start: store.start, end: 32, dropped: store.dropped });
    off();
    store.add({ transport: 'broadcast', conn: 'x', dir: 'local', kind: 'message', json: 1 });
    await Promise.resolve();
    expect(changes).toHaveLength(1);
  });

  it('works with a synchronous scheduler (one notification per change)', () => {
    const store = new SessionStore({ registry: registry(), schedule: (run) => run() });
    const changes: StoreChange[] = [];
    store.subscribe((c) => changes.push(c));
    store.addMany(session(3));
    expect(changes.map((c) => c.added)).toEqual([1, 1, 1, 1, 1]);
    expect(changes.at(-1)).toMatchObject({ start: 0, end: 5 });
  });

  it('keeps connection records bounded: ended exchanges are forgotten once evicted, live sockets keep their protocol', () => {
    const store = new SessionStore({ registry: registry(), cap: 400, checkpointEvery: 100 });
    store.add({ t: 0, transport: 'websocket', conn: 'live', dir: 'out', kind: 'open', meta: { url: 'ws://h/test-sync' } });
    // 20,000 HTTP exchanges, each its own connection: a fold copying its connection map per new connection would
    // be quadratic here.
    for (let i = 0; i < 20_000; i++) {
      store.add({
        t: i,
        transport: 'http',
        conn: `http-${i}`,
        dir: 'out',
        kind: 'request',
        meta: { url: `http://h/api/${i}`, method: 'GET' },
      });
      store.add({
        t: i,
        transport: 'http',
        conn: `http-${i}`,
        dir: 'in',
        kind: 'response',
        text: '{}',
        meta: { url: `http://h/api/${i}`, status: 200 },
      });
    }
    expect(store.dropped).toBe(40_001 - store.size);
    expect(store.stateAt(store.end - 1).conns.size).toBeLessThanOrEqual(Math.ceil(store.size / 2) + 1);
    // The socket's open frame is long evicted, yet its next message still decodes as its protocol.
    const frame = store.add({ t: 1, transport: 'websocket', conn: 'live', dir: 'in', kind: 'message', text: '{"op":"ack","key":"x"}' });
    expect(store.protocolOf('live')).toBe('test');
    expect(store.info(store.positionOfSeq(frame.seq) as number)).toMatchObject({ protocol: 'test', type: 'ack', ok: true });
  });

  it('rejects a bad cap or checkpoint interval with a clear error', () => {
    expect(() => new SessionStore({ cap: 0 })).toThrow(/cap must be a positive integer/);
    expect(() => new SessionStore({ cap: 10, checkpointEvery: 11 })).toThrow(/checkpointEvery must be an integer in 1..cap/);
  });

  it('holds a flood of 1,000,000 frames in a small cap: memory bounded, dropped count exact', () => {
    // A dissector that costs nothing, so the test measures the store's own bookkeeping (eviction, indexes,
    // checkpoints), not JSON parsing.
    const flood = defineDissector<null, number>({
      id: 'flood',
      label: 'Flood',
      exact: { channel: /^flood$/ },
      match: () => 0,
      decode: () => ({ ok: true, type: 'm', message: null }),
      init: () => 0,
      reduce: (state) => state,
      summarize: () => 'm',
      model: emptyModel,
    });
    const cap = 20_000;
    const store = new SessionStore({ registry: new Registry([flood]), cap });
    const total = 1_000_000;
    const before = process.memoryUsage().heapUsed;
    const meta = { channel: 'flood' };
    for (let i = 0; i < total; i++) {
      store.add({ t: i, transport: 'broadcast', conn: `c${i % 4}`, dir: 'local', kind: 'message', text: 'x', meta });
    }
    expect(store.size).toBeLessThanOrEqual(cap);
    expect(store.dropped).toBe(total - store.size);
    expect(store.end).toBe(total);
    expect(store.query({ conn: 'c1' }).length).toBe(store.size / 4);
    expect(store.query({ protocol: 'flood', type: 'm' }).length).toBe(store.size);
    // 20,000 small frames and their indexes are a few MB; a leak of a million frames would be hundreds.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(150 * 1024 * 1024);
  }, 120_000);

  it('a background import lists the frames first, derives their state in slices, and ends exactly where a synchronous import does', async () => {
    const source = new SessionStore({ registry: registry(), checkpointEvery: 16 });
    source.addMany(session(3000));
    const text = source.exportSession();

    const sync = new SessionStore({ registry: registry(), checkpointEvery: 16 });
    await sync.importSession(text);
    const background = new SessionStore({ registry: registry(), checkpointEvery: 16 });
    const changes: StoreChange[] = [];
    background.subscribe((change) => changes.push(change));
    await background.importSession(text, { background: true });

    // The frames are in, the derivation has not run yet: no protocol is known, and it says how far it got.
    expect(background.size).toBe(sync.size);
    expect(background.deriving).toEqual({ done: 0, total: sync.size });
    expect(background.info(background.end - 1)).toBeUndefined();
    // Asking for a past state derives up to it at once, and it equals the synchronous one.
    const middle = Math.floor(sync.size / 2);
    expect(background.stateAt(middle).states).toEqual(sync.stateAt(middle).states);
    expect(background.deriving?.done).toBe(middle + 1);

    await background.derived;
    expect(background.deriving).toBeUndefined();
    for (let p = sync.start; p < sync.end; p++) expect(background.info(p)).toEqual(sync.info(p));
    expect(background.models()).toEqual(sync.models());
    expect(background.types()).toEqual(sync.types());
    for (const p of [0, 17, 1000, sync.end - 1]) expect(background.modelsAt(p)).toEqual(sync.modelsAt(p));
    expect(changes.at(-1)?.refolded).toBe(true);
  });

  it('a new import stops the background derivation of the previous one', async () => {
    const source = new SessionStore({ registry: registry() });
    source.addMany(session(2000));
    const store = new SessionStore({ registry: registry() });
    await store.importSession(source.exportSession(), { background: true });
    const first = store.derived;
    await store.importSession(source.exportSession().split('\n').slice(0, 11).join('\n'));
    await first;
    expect(store.size).toBe(10);
    expect(store.deriving).toBeUndefined();
    expect(store.info(9)).toBeDefined();
  });
});
