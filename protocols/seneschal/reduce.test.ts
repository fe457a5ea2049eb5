import { describe, expect, it } from 'vitest';
import type { DissectorEvent, RawFrame } from '../core/index.ts';
import { decodeFrame } from './decode.ts';
import { summarize } from './dissector.ts';
import { toModel } from './model.ts';
import { init, reduce, type SeneschalState } from './reduce.ts';
import type { Envelope, SeneschalMessage } from './schemas.ts';

const at = (hhmm: number) => Date.UTC(2026, 10, 20, Math.floor(hhmm / 100), hhmm % 100);
const env = (hhmm: number, clientID: string, data: Record<string, unknown>, action = 'items/upsert', oid = 'ob1'): Envelope => ({
  timestamp: at(hhmm),
  clientID,
  dispatch: { action, payload: [oid, data] },
});

/** Decodes and reduces frames in order, the way the fold does. */
function replay(frames: Array<{ conn: string; dir: 'in' | 'out'; message?: unknown; kind?: 'open' | 'close' }>): SeneschalState {
  let state = init();
  frames.forEach((f, seq) => {
    const frame: RawFrame = f.kind
      ? { seq, t: seq, transport: 'websocket', conn: f.conn, dir: f.dir, kind: f.kind }
      : { seq, t: seq, transport: 'websocket', conn: f.conn, dir: f.dir, kind: 'message', text: JSON.stringify(f.message) };
    let event: DissectorEvent<SeneschalMessage>;
    if (f.kind) event = { lifecycle: true, type: f.kind, message: { kind: f.kind, meta: {} } };
    else {
      const decoded = decodeFrame(frame);
      if (!decoded.ok) throw new Error(decoded.error.reason);
      event = { lifecycle: false, type: decoded.type, message: decoded.message };
    }
    const before = JSON.stringify(state);
    const next = reduce(state, event, frame);
    expect(JSON.stringify(state)).toBe(before); // pure: the old state is untouched
    state = next;
  });
  return state;
}

describe('seneschal reduce', () => {
  it("replays the note's worked example: name at 0700, offline qty+location at 0720, location at 0730", () => {
    const state = replay([
      { conn: 'a', dir: 'out', message: { type: 'hello', token: 't', clientID: 'A' } },
      {
        conn: 'a',
        dir: 'out',
        message: { type: 'dispatch', id: 'd0', envelope: env(600, 'A', { name: 'tset', qty: '1', location: 'store' }) },
      },
      { conn: 'a', dir: 'out', message: { type: 'dispatch', id: 'd1', envelope: env(700, 'A', { name: 'test' }) } },
      { conn: 'a', dir: 'in', message: { type: 'ack', id: 'd1' } },
      { conn: 'a', dir: 'out', message: { type: 'dispatch', id: 'd3', envelope: env(730, 'A', { location: 'food court' }) } },
      { conn: 'b', dir: 'out', kind: 'open' },
      { conn: 'b', dir: 'out', message: { type: 'hello', token: 't', clientID: 'B' } },
      { conn: 'b', dir: 'in', message: { type: 'rehydrateBegin' } },
      {
        conn: 'b',
        dir: 'out',
        message: { type: 'rehydrate', dispatches: [{ id: 'd2', envelope: env(720, 'B', { qty: '2', location: 'aisle' }) }] },
      },
    ]);
    const model = toModel(state);
    expect(model.entities.ob1?.value).toEqual({ name: 'test', qty: '2', location: 'food court' });
    expect(model.conflicts.map((c) => [c.entity, c.field, c.local, c.remote, c.winner])).toEqual([
      ['ob1', 'qty', '2', '1', 'local'],
      ['ob1', 'location', 'aisle', 'food court', 'remote'],
    ]);
    // Before rehydrateEnd, B's stored dispatch is still in its queue; A's unacked d0 and d3 are in A's.
    expect(model.queues['client/B']?.map((q) => q.id)).toEqual(['d2']);
    expect(model.queues['client/A']?.map((q) => q.id)).toEqual(['d0', 'd3']);
    expect(model.phases.map((p) => p.phase)).toEqual(['connecting', 'rehydrate']);
    expect(model.journals['client/B']).toMatchObject({ side: 'client', cursor: at(720), peer: 'server/B' });
  });

  it('acknowledges, queues server dispatches until received, and records access changes', () => {
    const reduced = {
      type: 'dispatch',
      id: 's1',
      envelope: env(740, 'server', { qty: '2', location: 'food court' }),
      times: { qty: at(720), location: at(730) },
      reason: 'reduced',
    };
    const revoke = { type: 'dispatch', id: 's2', envelope: env(741, 'server', {}, 'lists/delete', 'list1'), reason: 'revoke' };
    const state = replay([
      { conn: 'b', dir: 'out', message: { type: 'hello', token: 't', clientID: 'B' } },
      { conn: 'b', dir: 'out', message: { type: 'rehydrate', dispatches: [{ id: 'd2', envelope: env(720, 'B', { qty: '2' }) }] } },
      { conn: 'b', dir: 'in', message: { type: 'rehydrateEnd', accepted: ['d2'], queued: 2 } },
      { conn: 'b', dir: 'in', message: reduced },
      { conn: 'b', dir: 'in', message: revoke },
      { conn: 'b', dir: 'out', message: { type: 'received', ids: ['s1'] } },
      { conn: 'b', dir: 'out', kind: 'close' },
    ]);
    const model = toModel(state);
    expect(model.queues['client/B']).toEqual([]);
    expect(model.queues['server/B']?.map((q) => q.id)).toEqual(['s2']);
    expect(model.entities.ob1?.value).toEqual({ qty: '2', location: 'food court' });
    expect(model.entities.ob1?.version).toBe(at(730));
    // The revoke deletes list1 for B only; the master copy never saw list1, so only the access change shows.
    expect(model.entities['access/B/list1']).toMatchObject({ type: 'access', deleted: true, value: { granted: false } });
    expect(model.entities.list1).toBeUndefined();
    expect(model.phases.map((p) => p.phase)).toEqual(['live', 'offline']);
    expect(model.conflicts).toEqual([]);
  });

  it('counts a dispatch re-sent after a lost connection once, with a second attempt', () => {
    const stored = { id: 'd9', envelope: env(720, 'B', { qty: '3' }) };
    const state = replay([
      { conn: 'a', dir: 'out', message: { type: 'dispatch', id: 'd1', envelope: env(730, 'A', { qty: '4' }) } },
      { conn: 'b1', dir: 'out', message: { type: 'hello', token: 't', clientID: 'B' } },
      { conn: 'b1', dir: 'out', message: { type: 'rehydrate', dispatches: [stored] } },
      { conn: 'b2', dir: 'out', message: { type: 'hello', token: 't', clientID: 'B' } },
      { conn: 'b2', dir: 'out', message: { type: 'rehydrate', dispatches: [stored] } },
    ]);
    const model = toModel(state);
    expect(model.conflicts).toHaveLength(1);
    expect(model.queues['client/B']).toEqual([expect.objectContaining({ id: 'd9', attempts: 2 })]);
    expect(model.entities.ob1?.value).toEqual({ qty: '4' });
  });

  it('treats a delete as a property in last-writer-wins', () => {
    const state = replay([
      { conn: 'a', dir: 'out', message: { type: 'dispatch', id: 'd1', envelope: env(700, 'A', { name: 'x' }) } },
      { conn: 'a', dir: 'out', message: { type: 'dispatch', id: 'd2', envelope: env(710, 'A', {}, 'items/delete') } },
    ]);
    expect(toModel(state).entities.ob1).toMatchObject({ deleted: true, value: { name: 'x' } });
  });

  it("shows the browser client's stored dispatches as its queue, from IndexedDB writes to the rehydrate", () => {
    let state = init();
    const stored = { id: 'd1', envelope: env(720, 'tablet', { qty: '2' }) };
    const frames: RawFrame[] = [
      {
        seq: 0,
        t: 0,
        transport: 'idb',
        conn: 'idb',
        dir: 'local',
        kind: 'write',
        json: { op: 'put', key: 'd1', value: stored },
        meta: { db: 'seneschal-tablet', store: 'unsent' },
      },
      {
        seq: 1,
        t: 1,
        transport: 'idb',
        conn: 'idb',
        dir: 'local',
        kind: 'write',
        json: { op: 'put', key: 'ob1', value: { slice: 'items', props: { qty: '1' } } },
        meta: { db: 'seneschal-tablet', store: 'objects' },
      },
    ];
    for (const frame of frames) {
      const decoded = decodeFrame(frame);
      if (!decoded.ok) throw new Error(decoded.error.reason);
      state = reduce(state, { lifecycle: false, type: decoded.type, message: decoded.message }, frame);
    }
    expect(toModel(state).queues['client/tablet']).toEqual([expect.objectContaining({ id: 'd1', attempts: 0 })]);
    expect(toModel(state).entities).toEqual({}); // the local copy is not the master copy
    const sent: RawFrame = {
      seq: 2,
      t: 2,
      transport: 'websocket',
      conn: 'w',
      dir: 'out',
      kind: 'message',
      text: JSON.stringify({ type: 'rehydrate', dispatches: [stored] }),
    };
    const decoded = decodeFrame(sent);
    if (!decoded.ok) throw new Error(decoded.error.reason);
    state = reduce(state, { lifecycle: false, type: decoded.type, message: decoded.message }, sent);
    expect(toModel(state).queues['client/tablet']).toEqual([expect.objectContaining({ id: 'd1', attempts: 1 })]);
    const dropped: RawFrame = {
      seq: 3,
      t: 3,
      transport: 'idb',
      conn: 'idb',
      dir: 'local',
      kind: 'write',
      json: { op: 'delete', key: 'd1' },
      meta: { db: 'seneschal-tablet', store: 'unsent' },
    };
    const gone = decodeFrame(dropped);
    if (!gone.ok) throw new Error(gone.error.reason);
    state = reduce(state, { lifecycle: false, type: gone.type, message: gone.message }, dropped);
    expect(toModel(state).queues['client/tablet']).toEqual([]);
  });

  it('a rehydrate in several messages (`more: true`) keeps every part queued until rehydrateEnd', () => {
    const state = replay([
      { conn: 'b', dir: 'out', message: { type: 'hello', token: 't', clientID: 'B' } },
      { conn: 'b', dir: 'in', message: { type: 'rehydrateBegin' } },
      {
        conn: 'b',
        dir: 'out',
        message: { type: 'rehydrate', dispatches: [{ id: 'd1', envelope: env(710, 'B', { qty: '1' }) }], more: true },
      },
      { conn: 'b', dir: 'out', message: { type: 'rehydrate', dispatches: [{ id: 'd2', envelope: env(720, 'B', { qty: '2' }) }] } },
    ]);
    const model = toModel(state);
    expect(model.queues['client/B']?.map((p) => p.id)).toEqual(['d1', 'd2']);
    expect(model.entities.ob1?.value).toMatchObject({ qty: '2' });
    const ended = replay([
      { conn: 'b', dir: 'out', message: { type: 'hello', token: 't', clientID: 'B' } },
      {
        conn: 'b',
        dir: 'out',
        message: { type: 'rehydrate', dispatches: [{ id: 'd1', envelope: env(710, 'B', { qty: '1' }) }], more: true },
      },
      { conn: 'b', dir: 'out', message: { type: 'rehydrate', dispatches: [{ id: 'd2', envelope: env(720, 'B', { qty: '2' }) }] } },
      { conn: 'b', dir: 'in', message: { type: 'rehydrateEnd', accepted: ['d1', 'd2'], queued: 0 } },
    ]);
    expect(toModel(ended).queues['client/B']).toEqual([]);
    expect(summarize({ kind: 'client', message: { type: 'rehydrate', dispatches: [], more: true } })).toBe(
      'rehydrate: 0 stored dispatches, more follow',
    );
  });

  it('keeps an object whose id is "__proto__" like any other (ids come from the wire)', () => {
    const state = replay([
      { conn: 'a', dir: 'out', message: { type: 'hello', token: 't', clientID: 'A' } },
      {
        conn: 'a',
        dir: 'out',
        message: { type: 'dispatch', id: 'd1', envelope: env(700, 'A', { name: 'n' }, 'items/upsert', '__proto__') },
      },
    ]);
    const id = '__proto__';
    const model = toModel(state);
    expect(Object.keys(model.entities)).toContain(id);
    expect(model.entities[id]?.value).toEqual({ name: 'n' });
  });
});

describe('seneschal reduce: a long offline session', () => {
  it('folds 50,000 offline dispatches on one object through the queue, a rehydrate and the acknowledgements (queues and replayed keys are persistent, not copied per dispatch)', () => {
    const count = 50_000;
    const envelopeOf = (i: number): Envelope => ({
      timestamp: at(700) + i,
      clientID: 'tablet',
      dispatch: { action: 'items/upsert', payload: ['ob1', { qty: String(i) }] },
    });
    const idb = (seq: number, json: unknown): RawFrame => ({
      seq,
      t: seq,
      transport: 'idb',
      conn: 'idb',
      dir: 'local',
      kind: 'write',
      json,
      meta: { db: 'seneschal-tablet', store: 'unsent' },
    });
    const ws = (seq: number, dir: 'in' | 'out', message: unknown): RawFrame => ({
      seq,
      t: seq,
      transport: 'websocket',
      conn: 'w',
      dir,
      kind: 'message',
      text: JSON.stringify(message),
    });
    let state = init();
    const step = (frame: RawFrame) => {
      const decoded = decodeFrame(frame);
      if (!decoded.ok) throw new Error(`frame ${frame.seq}: ${decoded.error.reason}`);
      state = reduce(state, { lifecycle: false, type: decoded.type, message: decoded.message }, frame);
    };
    let seq = 0;
    for (let i = 0; i < count; i++) step(idb(seq++, { op: 'put', key: `d${i}`, value: { id: `d${i}`, envelope: envelopeOf(i) } }));
    const queued = toModel(state).queues['client/tablet'] ?? [];
    expect(queued).toHaveLength(count);
    expect(queued.slice(0, 2).map((item) => [item.id, item.attempts])).toEqual([
      ['d0', 0],
      ['d1', 0],
    ]);
    step(ws(seq++, 'out', { type: 'hello', clientID: 'tablet', token: 'session-token' }));
    const ids = Array.from({ length: count }, (_, i) => `d${i}`);
    step(ws(seq++, 'out', { type: 'rehydrate', dispatches: ids.map((id, i) => ({ id, envelope: envelopeOf(i) })) }));
    // Sending keeps each dispatch's place and counts the attempt; the object holds the latest offline value.
    const sent = toModel(state).queues['client/tablet'] ?? [];
    expect(sent).toHaveLength(count);
    expect([sent[0]?.id, sent[0]?.attempts, sent.at(-1)?.id]).toEqual(['d0', 1, `d${count - 1}`]);
    expect(toModel(state).entities.ob1?.value).toEqual({ qty: String(count - 1) });
    // A retried rehydrate replays nothing twice (every key is remembered on the object).
    const before = state.objects.get('ob1');
    step(ws(seq++, 'out', { type: 'rehydrate', dispatches: ids.slice(-3).map((id, i) => ({ id, envelope: envelopeOf(count - 3 + i) })) }));
    expect(state.objects.get('ob1')).toBe(before);
    expect(toModel(state).queues['client/tablet']?.at(-1)).toMatchObject({ id: `d${count - 1}`, attempts: 2 });
    step(ws(seq++, 'in', { type: 'rehydrateEnd', accepted: ids.slice(0, count / 2), queued: 0 }));
    expect(toModel(state).queues['client/tablet']?.[0]?.id).toBe(`d${count / 2}`);
    for (let i = count / 2; i < count; i++) step(idb(seq++, { op: 'delete', key: `d${i}` }));
    expect(toModel(state).queues['client/tablet']).toEqual([]);
  }, 60_000);
});
