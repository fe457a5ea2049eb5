import type { ConnInfo, DissectorEvent, RawFrame } from '@syncscope/protocols/core';
import { describe, expect, it } from 'vitest';
import { listResultToXml, promotedMetaToHeaders } from './codec.ts';
import { decode } from './decode.ts';
import { updatelogDissector } from './dissector.ts';
import { model } from './model.ts';
import { init, type UpdatelogState } from './reduce.ts';
import type { Message } from './schemas.ts';
import { type Exchange, exchangeFrames, type FrameDraft, localWrite, stamp } from './test-frames.ts';

const BASE = 'http://127.0.0.1:4101/bucket';
const team = (id: string, name: string) => ({ '@type': 'Team', id, name });
const update = (id: string, data: unknown, type = 'addTeam') => ({ id, actions: [{ type, data }] });

function step(state: UpdatelogState, draft: FrameDraft): UpdatelogState {
  const frame: RawFrame = stamp(draft);
  const conn: ConnInfo = { id: frame.conn, transport: frame.transport };
  if (frame.kind === 'error') {
    const event: DissectorEvent<Message> = { lifecycle: true, type: 'error', message: { kind: 'error', meta: frame.meta ?? {} } };
    return updatelogDissector.reduce(state, event, frame, conn);
  }
  const decoded = decode(frame, conn);
  if (!decoded.ok) throw new Error(decoded.error.reason);
  return updatelogDissector.reduce(state, { lifecycle: false, type: decoded.type, message: decoded.message }, frame, conn);
}

function run(drafts: FrameDraft[], from = init()): UpdatelogState {
  return drafts.reduce(step, from);
}

const ex = (exchange: Omit<Exchange, 'conn'>, conn: string) => exchangeFrames({ conn, client: 'alice', ...exchange });
const list = (prefix: string, keys: string[], conn: string, truncated = false) =>
  ex(
    {
      method: 'GET',
      url: `${BASE}?list-type=2&prefix=${encodeURIComponent(prefix)}`,
      status: 200,
      responseBody: listResultToXml({
        Name: 'bucket',
        Prefix: prefix,
        KeyCount: keys.length,
        MaxKeys: 1000,
        IsTruncated: truncated,
        Contents: keys.map((Key) => ({ Key, LastModified: '2024-01-01T00:00:00.000Z', ETag: '"e"', Size: 1 })),
      }),
    },
    conn,
  );
const get = (key: string, body: unknown, conn: string, headers: Record<string, string> = {}) =>
  ex({ method: 'GET', url: `${BASE}/${key}`, status: 200, responseHeaders: headers, responseBody: JSON.stringify(body) }, conn);

describe('reduce: queue of local updates not yet stored', () => {
  const u1 = update('u1', team('t1', 'Rovers'));
  const key = 'league/main/user-alice/1700000000000-u1';

  it('a local save enqueues, a failed PUT counts an attempt, a stored PUT dequeues', () => {
    const saved = run([localWrite('alice', 'updatelog:league.main', { op: 'put', key: 'u1', value: u1 })]);
    expect(model(saved).queues).toEqual({ 'client:alice': [expect.objectContaining({ id: 'u1', attempts: 0, label: 'addTeam' })] });
    const [putRequest] = ex({ method: 'PUT', url: `${BASE}/${key}`, requestBody: JSON.stringify(u1), status: 200 }, 'p1');
    const failed = run(
      [putRequest, { transport: 'http', conn: 'p1', dir: 'in', kind: 'error', meta: { client: 'alice', error: 'ECONNREFUSED' } }],
      saved,
    );
    expect(model(failed).queues['client:alice']?.[0]?.attempts).toBe(1);
    expect(model(failed).phases.at(-1)?.phase).toBe('offline');
    const stored = run(ex({ method: 'PUT', url: `${BASE}/${key}`, requestBody: JSON.stringify(u1), status: 200 }, 'p2'), failed);
    expect(model(stored).queues).toEqual({ 'client:alice': [] });
    expect(model(stored).journals['server:user-alice']).toMatchObject({ side: 'server', cursor: 1700000000000 });
    // Purity: the earlier states still say what they said.
    expect(model(saved).queues['client:alice']).toHaveLength(1);
    expect(model(failed).queues['client:alice']?.[0]?.attempts).toBe(1);
  });
});

describe('reduce: snapshot, catch-up and polling', () => {
  const snapshot = {
    '@type': 'Snapshot',
    timestamp: 100,
    lastKey: 'league/main/shared/100-u0',
    updateCount: 1,
    createdAt: '2024-01-01T00:00:00.000Z',
    state: { teams: { t0: team('t0', 'United') }, status: { '@type': 'Season', name: 'OPEN' } },
    flagged: [{ updateId: 'u0', actionIndex: 0, rule: 'unique-team-name', reason: 'name United taken' }],
  };
  const frames = [
    ...list('league/main/snapshots/', ['league/main/snapshots/0000000000100.json'], 'a'),
    ...get('league/main/snapshots/0000000000100.json', snapshot, 'b'),
    ...list('league/main/shared/', ['league/main/shared/150-u1', 'league/main/shared/151-u2'], 'c'),
    ...get('league/main/shared/150-u1', update('u1', team('t1', 'Rovers')), 'd'),
    ...get(
      'league/main/shared/151-u2',
      update('u2', team('t1', 'City'), 'renameTeam'),
      'e',
      promotedMetaToHeaders({ madeAt: 150, restamped: 'collision', validation: 'name City taken' }),
    ),
    ...list('league/main/shared/', [], 'f'),
  ];
  const state = run(frames);
  const common = model(state);

  it('goes bootstrap -> catching-up -> polling', () => {
    expect(common.phases.map((p) => p.phase)).toEqual(['bootstrap', 'catching-up', 'polling']);
  });

  it('journals: the snapshot loaded, the newest update read, the heads of the areas', () => {
    expect(common.journals['client:alice/snapshot']).toMatchObject({ side: 'client', cursor: 100, peer: 'server:snapshots' });
    expect(common.journals['client:alice']).toMatchObject({ side: 'client', cursor: 151, peer: 'server:shared' });
    expect(common.journals['server:shared']).toMatchObject({ side: 'server', cursor: 151 });
    expect(common.journals['server:snapshots']).toMatchObject({ side: 'server', cursor: 100 });
  });

  it('entities rebuilt from the snapshot plus the updates after it (enums are not entities)', () => {
    expect(Object.keys(common.entities).sort()).toEqual(['Team:t0', 'Team:t1']);
    expect(common.entities['Team:t1']).toMatchObject({ value: { name: 'City' }, version: 151 });
  });

  it('conflicts: the flagged update of the snapshot, a bump, a validation flag', () => {
    expect(common.conflicts.map((c) => [c.rule, c.entity, c.winner])).toEqual([
      ['validation', 'update:u0', 'none'],
      ['timestamp-collision', 'Team:t1', 'local'],
      ['validation', 'update:u2', 'none'],
    ]);
  });

  it('an update read twice (two clients, or a re-poll) is applied and reported once', () => {
    const again = run(
      get(
        'league/main/shared/151-u2',
        update('u2', team('t1', 'City'), 'renameTeam'),
        'g',
        promotedMetaToHeaders({ restamped: 'collision', validation: 'name City taken' }),
      ),
      state,
    );
    expect(model(again).conflicts).toHaveLength(3);
  });

  it('an older update read after a newer one is out of order; two keys in one millisecond are a collision', () => {
    const late = run(
      [
        ...list('league/main/updates/', ['league/main/updates/140-ua', 'league/main/updates/140-ub'], 'h'),
        ...get('league/main/updates/140-ua', update('ua', team('t9', 'Late')), 'i'),
      ],
      state,
    );
    const rules = model(late)
      .conflicts.slice(3)
      .map((c) => c.rule);
    expect(rules).toEqual(['timestamp-collision', 'out-of-order']);
  });

  it('a newer snapshot keeps the updates read after it', () => {
    const later = run(get('league/main/shared/300-u9', update('u9', team('t9', 'Late')), 'l'), state);
    const newer = { ...snapshot, timestamp: 200, state: { teams: { t5: team('t5', 'Athletic') } }, flagged: [] };
    const after = run(get('league/main/snapshots/0000000000200.json', newer, 'm'), later);
    expect(Object.keys(model(after).entities).sort()).toEqual(['Team:t5', 'Team:t9']);
  });

  it('a newer snapshot replaces the rebuilt model; an older one does not', () => {
    const newer = { ...snapshot, timestamp: 200, state: { teams: { t5: team('t5', 'Athletic') } }, flagged: [] };
    const after = run(get('league/main/snapshots/0000000000200.json', newer, 'j'), state);
    expect(Object.keys(model(after).entities)).toEqual(['Team:t5']);
    const older = run(get('league/main/snapshots/0000000000100.json', snapshot, 'k'), after);
    expect(Object.keys(model(older).entities)).toEqual(['Team:t5']);
  });
});

describe('reduce: the browser’s IndexedDB writes', () => {
  const DB = 'updatelog:league.main:alice';
  const idb = (store: string, json: unknown): FrameDraft => ({
    transport: 'idb',
    conn: `idb:${DB}`,
    dir: 'local',
    kind: 'write',
    meta: { db: DB, store, client: 'alice' },
    json,
  });

  it('pending entries queue and leave, a foreign record or a clear removes them, the replica is a client cursor', () => {
    const state = run([
      idb('unsavedUpdates', { op: 'put', key: 'u1', value: { timestamp: 1, update: update('u1', team('t1', 'A')) } }),
      idb('unsavedUpdates', { op: 'put', key: 'u2', value: { timestamp: 2, update: update('u2', team('t2', 'B')) } }),
      idb('unsavedUpdates', { op: 'put', key: 'u3', value: { timestamp: 3, update: update('u3', team('t3', 'C')) } }),
      idb('unsavedUpdates', { op: 'delete', key: 'u1' }),
      idb('unsavedUpdates', { op: 'put', key: 'u2', value: { junk: true } }),
      idb('replica', {
        op: 'put',
        key: 'replica',
        value: { lastKey: 'league/main/shared/1700000000009-u1', snapshotTimestamp: 1700000000000, state: {}, sharedIds: ['u1'] },
      }),
    ]);
    const view = model(state);
    expect(view.queues['client:alice']?.map((item) => item.id)).toEqual(['u3']);
    expect(view.journals['client:alice/replica']).toMatchObject({ side: 'client', cursor: 1700000000009, peer: 'server:shared' });
    // The saved replica does not move the cursor the traffic shows: nothing was read on the wire here.
    expect(view.journals['client:alice']).toBeUndefined();
    const cleared = model(run([idb('unsavedUpdates', { op: 'clear' }), idb('replica', { op: 'delete', key: 'replica' })], state));
    expect(cleared.queues['client:alice']).toEqual([]);
    expect(cleared.journals['client:alice/replica']).toBeUndefined();
  });
});

describe('reduce: a long shared log', () => {
  it('folds a listing of 20,000 keys in pages and still finds the one collision in it (listed keys are kept in a persistent map)', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `league/main/shared/${1_700_000_000_000 + i}-u${i}`);
    keys.push('league/main/shared/1700000019999-uzz');
    const pages: FrameDraft[] = [];
    for (let page = 0; page * 1000 < keys.length; page++)
      pages.push(...list('league/main/shared/', keys.slice(page * 1000, page * 1000 + 1000), `p${page}`, true));
    const folded = run(pages);
    expect(folded.listedTimestamps.size).toBe(20_000);
    expect(model(folded).conflicts.map((c) => [c.rule, c.local, c.remote])).toEqual([['timestamp-collision', 'uzz', 'u19999']]);
  });
});

describe('reduce: a long offline session', () => {
  it('queues 50,000 local saves in order, counts a failed PUT, and drains as they are stored (the queue is persistent, not copied per save)', () => {
    const count = 50_000;
    const ids = Array.from({ length: count }, (_, i) => `u${i}`);
    let state = init();
    for (const [i, id] of ids.entries())
      state = step(
        state,
        localWrite('alice', 'updatelog:league.main', { op: 'put', key: id, value: update(id, team(`t${i}`, `Team ${i}`)) }),
      );
    const queued = model(state).queues['client:alice'] ?? [];
    expect(queued.map((item) => item.id)).toEqual(ids);
    expect(queued.every((item) => item.attempts === 0)).toBe(true);
    // The first PUT fails (offline): one attempt on that update, its place kept.
    const keyOf = (i: number) => `league/main/user-alice/${1_700_000_000_000 + i}-u${i}`;
    const [firstPut] = ex(
      { method: 'PUT', url: `${BASE}/${keyOf(0)}`, requestBody: JSON.stringify(update('u0', team('t0', 'Team 0'))), status: 200 },
      'f',
    );
    state = run(
      [
        firstPut as FrameDraft,
        { transport: 'http', conn: 'f', dir: 'in', kind: 'error', meta: { client: 'alice', error: 'ECONNREFUSED' } },
      ],
      state,
    );
    expect(
      model(state)
        .queues['client:alice']?.slice(0, 2)
        .map((item) => [item.id, item.attempts]),
    ).toEqual([
      ['u0', 1],
      ['u1', 0],
    ]);
    // Back online: every update stored, oldest first; the queue drains and the client's area journal follows.
    for (let i = 0; i < count; i++) {
      state = run(
        ex(
          {
            method: 'PUT',
            url: `${BASE}/${keyOf(i)}`,
            requestBody: JSON.stringify(update(`u${i}`, team(`t${i}`, `Team ${i}`))),
            status: 200,
          },
          `p${i}`,
        ),
        state,
      );
      if (i === count / 2 - 1) expect(model(state).queues['client:alice']?.[0]?.id).toBe(`u${count / 2}`);
    }
    expect(model(state).queues['client:alice']).toEqual([]);
    expect(model(state).journals['server:user-alice']).toMatchObject({ cursor: 1_700_000_000_000 + count - 1 });
  }, 60_000);
});
