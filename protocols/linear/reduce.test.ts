import { describe, expect, it } from 'vitest';
import type { DissectorEvent, RawFrame } from '../core/index.ts';
import { decodeFrame } from './decode.ts';
import { toModel } from './model.ts';
import { init, type LinearState, reduce } from './reduce.ts';
import type { LinearMessage } from './schemas.ts';

/** Feeds frames through decode and reduce as the fold does, asserting every frame decodes. */
function run(frames: Array<Omit<RawFrame, 'seq' | 't'>>): LinearState {
  let state = init();
  frames.forEach((partial, seq) => {
    const frame = { ...partial, seq, t: 1000 + seq } as RawFrame;
    let event: DissectorEvent<LinearMessage>;
    if (frame.kind === 'open' || frame.kind === 'close' || frame.kind === 'error') {
      event = { lifecycle: true, type: frame.kind, message: { kind: frame.kind, meta: frame.meta ?? {} } };
    } else {
      const decoded = decodeFrame(frame);
      if (!decoded.ok) throw new Error(`frame ${seq}: ${decoded.error.reason}`);
      event = { lifecycle: false, type: decoded.type, message: decoded.message };
    }
    const before = JSON.stringify(state);
    const next = reduce(state, event, frame);
    expect(JSON.stringify(state), 'reduce must not mutate').toBe(before);
    state = next;
  });
  return state;
}

const base = 'http://127.0.0.1:1';
const headers = { 'x-client-id': 'c1' };
const get = (conn: string, path: string) => ({
  transport: 'http' as const,
  conn,
  dir: 'out' as const,
  kind: 'request' as const,
  meta: { url: base + path, method: 'GET', headers },
});
const body = (conn: string, path: string, text: string, chunk = false) => ({
  transport: 'http' as const,
  conn,
  dir: 'in' as const,
  kind: 'response' as const,
  text,
  meta: { url: base + path, method: 'GET', status: 200, ...(chunk ? { chunk } : {}) },
});
const post = (conn: string, value: unknown) => ({
  transport: 'http' as const,
  conn,
  dir: 'out' as const,
  kind: 'request' as const,
  text: JSON.stringify(value),
  meta: { url: `${base}/change`, method: 'POST', headers },
});
const reply = (conn: string, value: unknown) => ({
  transport: 'http' as const,
  conn,
  dir: 'in' as const,
  kind: 'response' as const,
  text: JSON.stringify(value),
  meta: { url: `${base}/change`, method: 'POST', status: 200 },
});
const ws = (kind: 'open' | 'close', conn = 'w1') => ({
  transport: 'websocket' as const,
  conn,
  dir: kind === 'open' ? ('out' as const) : ('in' as const),
  kind,
  meta: { url: `ws://127.0.0.1:1/sync?clientId=c1` },
});
const push = (value: unknown, conn = 'w1') => ({
  transport: 'websocket' as const,
  conn,
  dir: 'in' as const,
  kind: 'message' as const,
  text: JSON.stringify(value),
});

const update = (id: string, field: string, from: unknown, to: unknown, baseSyncId: number) => ({
  id,
  type: 'update',
  modelClass: 'Issue',
  modelId: 'i1',
  baseSyncId,
  changeSnapshot: { changes: { [field]: { original: from, updated: to } } },
});

describe('linear reduce', () => {
  it('full bootstrap over chunks, then live: pool, journals and phases', () => {
    const state = run([
      ws('open'),
      get('b1', '/bootstrap'),
      body('b1', '/bootstrap', '{"__class":"Team","id":"t1","name":"Core","key":"COR","syncId":1}\n', true),
      body('b1', '/bootstrap', '{"__class":"Issue","id":"i1","title":"a","syncId":2}\n_metadata_={"lastSyncId":2}\n'),
    ]);
    const model = toModel(state);
    expect(Object.keys(model.entities)).toEqual(['Team/t1', 'Issue/i1']);
    expect(model.journals['client/c1']).toMatchObject({ side: 'client', cursor: 2, peer: 'server' });
    expect(model.phases.map((p) => p.phase)).toEqual(['connecting', 'bootstrap', 'live']);
  });

  it('a transaction stays queued until its sync id reaches the client, then leaves the queue', () => {
    const state1 = run([
      get('b1', '/bootstrap'),
      body('b1', '/bootstrap', '{"__class":"Issue","id":"i1","title":"a","syncId":2}\n_metadata_={"lastSyncId":2}\n'),
      post('p1', { clientId: 'c1', transactions: [update('t1', 'title', 'a', 'b', 2)] }),
      reply('p1', { lastSyncId: 3, results: [{ id: 't1', ok: true, syncId: 3 }] }),
    ]);
    expect(toModel(state1).queues['transactions/c1']).toMatchObject([
      { id: 't1', attempts: 1, label: 'update Issue/i1 {title} (sync id 3)' },
    ]);
    const state2 = run([
      get('b1', '/bootstrap'),
      body('b1', '/bootstrap', '{"__class":"Issue","id":"i1","title":"a","syncId":2}\n_metadata_={"lastSyncId":2}\n'),
      post('p1', { clientId: 'c1', transactions: [update('t1', 'title', 'a', 'b', 2)] }),
      reply('p1', { lastSyncId: 3, results: [{ id: 't1', ok: true, syncId: 3 }] }),
      ws('open'),
      push({ cmd: 'sync', lastSyncId: 3, sync: [{ id: 3, modelName: 'Issue', modelId: 'i1', action: 'U', data: { title: 'b' } }] }),
    ]);
    const model = toModel(state2);
    expect(model.queues['transactions/c1']).toEqual([]);
    expect(model.entities['Issue/i1']).toMatchObject({ version: 3, value: { title: 'b' } });
  });

  it('a stale change is a conflict the server side won, and the pool rolls back to the server copy', () => {
    const state = run([
      post('p1', { clientId: 'c1', transactions: [update('t1', 'title', 'a', 'mine', 2)] }),
      reply('p1', {
        lastSyncId: 5,
        results: [
          {
            id: 't1',
            ok: false,
            code: 'stale',
            field: 'title',
            message: 'title changed at sync id 4',
            syncId: 4,
            current: { __class: 'Issue', id: 'i1', title: 'theirs' },
          },
        ],
      }),
    ]);
    const model = toModel(state);
    expect(model.conflicts).toMatchObject([
      { entity: 'Issue/i1', field: 'title', local: 'mine', remote: 'theirs', winner: 'remote', rule: 'stale', frames: [0, 1] },
    ]);
    expect(model.queues['transactions/c1']).toEqual([]);
    expect(model.entities['Issue/i1']).toMatchObject({ version: 4, value: { title: 'theirs' } });
  });

  it('reconnect follows the note: offline, connecting, draining, delta, live; stale socket updates are dropped', () => {
    const state = run([
      ws('open'),
      get('b1', '/bootstrap'),
      body('b1', '/bootstrap', '{"__class":"Issue","id":"i1","title":"a","syncId":2}\n_metadata_={"lastSyncId":2}\n'),
      ws('close'),
      ws('open', 'w2'),
      post('p1', { clientId: 'c1', transactions: [update('t1', 'title', 'a', 'b', 2)] }),
      reply('p1', { lastSyncId: 4, results: [{ id: 't1', ok: true, syncId: 4 }] }),
      get('d1', '/bootstrap?sinceSyncId=2'),
      body(
        'd1',
        '/bootstrap?sinceSyncId=2',
        '{"__class":"SyncAction","id":4,"modelName":"Issue","modelId":"i1","action":"U","data":{"title":"b"}}\n_metadata_={"lastSyncId":4}\n',
      ),
      push(
        { cmd: 'sync', lastSyncId: 3, sync: [{ id: 3, modelName: 'Issue', modelId: 'i1', action: 'U', data: { title: 'older' } }] },
        'w2',
      ),
    ]);
    const model = toModel(state);
    expect(model.phases.map((p) => p.phase)).toEqual([
      'connecting',
      'bootstrap',
      'live',
      'offline',
      'connecting',
      'draining',
      'delta',
      'live',
    ]);
    expect(model.entities['Issue/i1']).toMatchObject({ version: 4, value: { title: 'b' } });
    expect(model.queues['transactions/c1']).toEqual([]);
    expect(model.journals['client/c1']?.cursor).toBe(4);
  });

  it('a resent transaction counts an attempt, not a second item', () => {
    const tx = { clientId: 'c1', transactions: [update('t1', 'title', 'a', 'b', 2)] };
    const state = run([post('p1', tx), post('p2', tx)]);
    expect(toModel(state).queues['transactions/c1']).toMatchObject([{ id: 't1', attempts: 2 }]);
  });
});

describe('linear reduce: what the browser client persisted', () => {
  const db = 'linear-sync:ana@127.0.0.1:4000';
  const idb = (store: string, json: unknown) => ({
    transport: 'idb' as const,
    conn: `idb:${db}`,
    dir: 'local' as const,
    kind: 'write' as const,
    json,
    meta: { db, store },
  });
  const tx = (id: string) => ({ id, type: 'delete', modelClass: 'Issue', modelId: 'i1' });

  it('keeps the persisted queue and last sync id as a client-side queue and journal', () => {
    const state = run([
      idb('models', { op: 'clear' }),
      idb('models', { op: 'put', key: 'Team/t1', value: { key: 'Team/t1', model: { __class: 'Team', id: 't1' }, syncId: 1 } }),
      idb('meta', { op: 'put', key: 'lastSyncId', value: 2 }),
      idb('transactions', { op: 'put', key: 'tx1', value: { tx: tx('tx1'), enqueuedAt: 1 } }),
      idb('transactions', { op: 'put', key: 'tx2', value: { tx: tx('tx2'), enqueuedAt: 2 } }),
      idb('transactions', { op: 'put', key: 'tx1', value: { tx: tx('tx1'), enqueuedAt: 1, syncId: 4 } }),
      idb('transactions', { op: 'delete', key: 'tx2' }),
      idb('meta', { op: 'put', key: 'lastSyncId', value: 5 }),
    ]);
    const model = toModel(state);
    expect(model.queues[`persisted/${db}`]).toEqual([
      { id: 'tx1', enqueuedAt: 1003, attempts: 0, frame: 5, label: 'delete Issue/i1 (sync id 4)' },
    ]);
    expect(model.journals[`persisted/${db}`]).toEqual({ side: 'client', cursor: 5, peer: 'server', lastFrame: 7 });
    expect([...(state.persisted[db]?.models ?? [])]).toEqual(['Team/t1']);
  });
});

describe('linear reduce: a workspace-sized bootstrap', () => {
  it('folds a one-body bootstrap of 50,000 objects and the live changes after it (the pool is persistent, not copied per object)', () => {
    const lines = Array.from(
      { length: 50_000 },
      (_, i) => `Issue=${JSON.stringify({ id: `i${i}`, title: `issue ${i}`, teamId: 't1', syncId: 1 })}`,
    );
    lines.push('_metadata_={"lastSyncId":1}');
    const action = (id: number, modelId: string) => ({
      __class: 'SyncAction',
      id,
      modelName: 'Issue',
      modelId,
      action: 'U',
      data: { title: `changed ${modelId.slice(1)}` },
    });
    let state = init();
    const frames = [get('h1', '/bootstrap'), body('h1', '/bootstrap', lines.join('\n'))];
    for (let i = 0; i < 2_000; i++)
      frames.push(
        body(`d${i}`, `/bootstrap?sinceSyncId=${i + 1}`, `${JSON.stringify(action(i + 2, `i${i}`))}\n_metadata_={"lastSyncId":${i + 2}}`),
      );
    frames.forEach((partial, seq) => {
      const frame = { ...partial, seq, t: seq } as RawFrame;
      const decoded = decodeFrame(frame);
      if (!decoded.ok) throw new Error(`frame ${seq}: ${decoded.error.reason}`);
      state = reduce(state, { lifecycle: false, type: decoded.type, message: decoded.message }, frame);
    });
    const entities = toModel(state).entities;
    expect(Object.keys(entities)).toHaveLength(50_000);
    expect(entities['Issue/i1999']).toMatchObject({ version: 2001, value: { title: 'changed 1999' } });
  });
});

describe('linear reduce: a long offline session', () => {
  it('queues 20,000 offline transactions in order, keeps a stale rejection and a resend, and drains as sync ids arrive (the queue is persistent, not copied per frame)', () => {
    const count = 20_000;
    const db = 'linear-sync:ana@127.0.0.1:4000';
    const tx = (i: number) => ({ ...update(`t${i}`, 'title', 'a', `b${i}`, 1), modelId: `i${i}` });
    const frames: Array<Omit<RawFrame, 'seq' | 't'>> = [];
    for (let i = 0; i < count; i++) {
      frames.push({
        transport: 'idb',
        conn: `idb:${db}`,
        dir: 'local',
        kind: 'write',
        json: { op: 'put', key: `t${i}`, value: { tx: tx(i), enqueuedAt: i } },
        meta: { db, store: 'transactions' },
      } as Omit<RawFrame, 'seq' | 't'>);
      frames.push(post(`p${i}`, { clientId: 'c1', transactions: [tx(i)] }));
    }
    // t7 is sent twice; t5 is rejected as stale; the server's sync ids follow the order of its replies, and the
    // replies of t0 and t1 arrive swapped.
    frames.push(post('p7b', { clientId: 'c1', transactions: [tx(7)] }));
    const order = [1, 0, ...Array.from({ length: count - 2 }, (_, i) => i + 2)];
    let syncId = 1;
    for (const i of order) {
      if (i === 5) {
        frames.push(
          reply(`p${i}`, {
            lastSyncId: syncId,
            results: [
              {
                id: 't5',
                ok: false,
                code: 'stale',
                message: 'changed since',
                field: 'title',
                current: { __class: 'Issue', id: 'i5', title: 'theirs' },
                syncId,
              },
            ],
          }),
        );
        continue;
      }
      syncId++;
      frames.push(reply(`p${i}`, { lastSyncId: syncId, results: [{ id: `t${i}`, ok: true, syncId }] }));
    }
    frames.push(ws('open'));
    const sync = (id: number, i: number) =>
      push({ cmd: 'sync', lastSyncId: id, sync: [{ id, modelName: 'Issue', modelId: `i${i}`, action: 'U', data: { title: `b${i}` } }] });
    let state = init();
    let seq = 0;
    const feed = (partial: Omit<RawFrame, 'seq' | 't'>) => {
      const frame = { ...partial, seq, t: 1000 + seq } as RawFrame;
      seq++;
      if (frame.kind === 'open' || frame.kind === 'close') {
        state = reduce(state, { lifecycle: true, type: frame.kind, message: { kind: frame.kind, meta: frame.meta ?? {} } }, frame);
        return;
      }
      const decoded = decodeFrame(frame);
      if (!decoded.ok) throw new Error(`frame ${frame.seq}: ${decoded.error.reason}`);
      state = reduce(state, { lifecycle: false, type: decoded.type, message: decoded.message }, frame);
    };
    frames.forEach(feed);
    let model = toModel(state);
    const queued = model.queues['transactions/c1'] ?? [];
    expect(queued).toHaveLength(count - 1);
    expect(queued.slice(0, 6).map((item) => item.id)).toEqual(['t0', 't1', 't2', 't3', 't4', 't6']);
    expect(queued[0]?.label).toBe('update Issue/i0 {title} (sync id 3)');
    expect(queued[1]?.label).toBe('update Issue/i1 {title} (sync id 2)');
    expect(queued.find((item) => item.id === 't7')?.attempts).toBe(2);
    expect(model.queues[`persisted/${db}`]).toHaveLength(count);
    expect(model.conflicts).toEqual([expect.objectContaining({ entity: 'Issue/i5', field: 'title', winner: 'remote', rule: 'stale' })]);
    // Halfway through the sync actions, exactly the transactions at or below the client's cursor have left.
    const half = Math.floor(syncId / 2);
    for (let id = 2; id <= half; id++) feed(sync(id, 0));
    model = toModel(state);
    expect(model.queues['transactions/c1']).toHaveLength(count - 1 - (half - 1));
    expect(model.queues['transactions/c1']?.every((item) => Number(/sync id (\d+)/.exec(item.label ?? '')?.[1]) > half)).toBe(true);
    for (let id = half + 1; id <= syncId; id++) feed(sync(id, 0));
    for (let i = 0; i < count; i++)
      feed({
        transport: 'idb',
        conn: `idb:${db}`,
        dir: 'local',
        kind: 'write',
        json: { op: 'delete', key: `t${i}` },
        meta: { db, store: 'transactions' },
      } as Omit<RawFrame, 'seq' | 't'>);
    model = toModel(state);
    expect(model.queues['transactions/c1']).toEqual([]);
    expect(model.queues[`persisted/${db}`]).toEqual([]);
    expect(model.journals['client/c1']).toMatchObject({ cursor: syncId });
  }, 60_000);
});
