import type { DissectorEvent, RawFrame } from '@syncscope/protocols/core';
import { describe, expect, it } from 'vitest';
import { decodeSqlsync } from './decode.ts';
import { sqlsyncDissector } from './dissector.ts';
import type { SqlsyncState } from './reduce.ts';
import type { SqlsyncMessage } from './schemas.ts';

let seq = 0;
function fold(
  frames: Array<{ conn: string; dir: RawFrame['dir']; value?: unknown; kind?: RawFrame['kind'] }>,
  from?: SqlsyncState,
): {
  state: SqlsyncState;
  all: SqlsyncState[];
} {
  let state = from ?? sqlsyncDissector.init();
  const all: SqlsyncState[] = [state];
  for (const f of frames) {
    const frame: RawFrame = {
      seq: seq++,
      t: 1000 + seq,
      transport: 'websocket',
      conn: f.conn,
      dir: f.dir,
      kind: f.kind ?? 'message',
      ...(f.value !== undefined ? { text: JSON.stringify(f.value) } : {}),
    };
    let event: DissectorEvent<SqlsyncMessage>;
    if (frame.kind !== 'message')
      event = { lifecycle: true, type: frame.kind as 'open', message: { kind: frame.kind as 'open', meta: {} } };
    else {
      const decoded = decodeSqlsync(frame);
      if (!decoded.ok) throw new Error(decoded.error.reason);
      event = { lifecycle: false, type: decoded.type, message: decoded.message };
    }
    state = sqlsyncDissector.reduce(state, event, frame, { id: f.conn, transport: 'websocket' });
    all.push(state);
  }
  return { state, all };
}

const add = (id: string, text: string) => ({ tag: 'AddTodo', id, text });

describe('sqlsync reducer', () => {
  it('queues timeline entries until acknowledged and keeps both sides of each journal', () => {
    const { state, all } = fold([
      { conn: 'a', dir: 'out', kind: 'open' },
      { conn: 'a', dir: 'out', value: { type: 'open', docs: [{ doc: 'd', storageRange: null, timeline: 'ta' }] } },
      { conn: 'a', dir: 'in', value: { type: 'timeline-range', doc: 'd', timeline: 'ta', range: null } },
      {
        conn: 'a',
        dir: 'out',
        value: {
          type: 'timeline-sync',
          doc: 'd',
          partial: { id: 'ta', range: { first: 0, last: 1 }, entries: [add('x', '1'), add('y', '2')] },
        },
      },
      {
        conn: 'a',
        dir: 'out',
        value: { type: 'timeline-sync', doc: 'd', partial: { id: 'ta', range: { first: 1, last: 1 }, entries: [add('y', '2')] } },
      },
    ]);
    const model = sqlsyncDissector.model(state);
    expect(model.queues['timeline ta']?.map((q) => [q.id, q.attempts])).toEqual([
      ['ta#0', 1],
      ['ta#1', 2],
    ]);
    expect(model.journals['client timeline ta']).toMatchObject({ side: 'client', range: { first: 0, last: 1 } });
    expect(model.journals['server timeline ta']).toMatchObject({ side: 'server', range: null });
    expect(model.phases.map((p) => p.phase)).toEqual(['connecting', 'idle', 'timeline-sync']);
    // Purity: earlier states are untouched by later frames.
    expect(sqlsyncDissector.model(all[3] as SqlsyncState).queues['timeline ta']).toEqual([]);

    const acked = fold(
      [{ conn: 'a', dir: 'in', value: { type: 'timeline-range', doc: 'd', timeline: 'ta', range: { first: 0, last: 0 } } }],
      state,
    );
    expect(acked.state.timelines.ta?.pending.toArray().map((p) => p.lsn)).toEqual([1]);
  });

  it('reports a rebase over another timeline and each rejection once', () => {
    const { state } = fold([
      { conn: 'a', dir: 'out', value: { type: 'open', docs: [{ doc: 'd', storageRange: null, timeline: 'ta' }] } },
      { conn: 'b', dir: 'out', value: { type: 'open', docs: [{ doc: 'd', storageRange: null, timeline: 'tb' }] } },
      {
        conn: 'a',
        dir: 'out',
        value: {
          type: 'timeline-sync',
          doc: 'd',
          partial: { id: 'ta', range: { first: 0, last: 0 }, entries: [{ tag: 'SetText', id: 'x', text: 'A' }] },
        },
      },
      { conn: 'a', dir: 'in', value: { type: 'timeline-range', doc: 'd', timeline: 'ta', range: { first: 0, last: 0 } } },
      {
        conn: 'a',
        dir: 'in',
        value: {
          type: 'storage-sync',
          doc: 'd',
          partial: {
            id: 'd',
            range: { first: 0, last: 1 },
            entries: [
              { timeline: 'tb', lsn: 0, mutation: { tag: 'SetText', id: 'x', text: 'B' } },
              { timeline: 'tb', lsn: 1, mutation: { tag: 'ToggleDone', id: 'zz', done: true }, rejected: 'no todo zz' },
            ],
          },
        },
      },
      {
        conn: 'b',
        dir: 'in',
        value: {
          type: 'storage-sync',
          doc: 'd',
          partial: {
            id: 'd',
            range: { first: 1, last: 1 },
            entries: [{ timeline: 'tb', lsn: 1, mutation: { tag: 'ToggleDone', id: 'zz', done: true }, rejected: 'no todo zz' }],
          },
        },
      },
      { conn: 'a', dir: 'out', value: { type: 'storage-range', doc: 'd', range: { first: 0, last: 1 } } },
    ]);
    const model = sqlsyncDissector.model(state);
    expect(model.conflicts.map((c) => [c.rule, c.entity, c.field, c.winner])).toEqual([
      ['validation', 'd/zz', 'ToggleDone', 'none'],
      ['rebase', 'd/x', 'x', 'local'],
    ]);
    expect(model.entities['d/x']).toMatchObject({ version: 0, value: { text: 'B' } });
    expect(model.journals['server storage d']).toMatchObject({ side: 'server', range: { first: 0, last: 1 } });
    expect(model.journals['client storage d@ta']).toMatchObject({ side: 'client', range: { first: 0, last: 1 }, peer: 'server storage d' });
  });
});

describe('sqlsync reducer: the browser client’s saved journals', () => {
  const write = (json: unknown): RawFrame => ({
    seq: seq++,
    t: 1000 + seq,
    transport: 'idb',
    conn: 'idb:sqlsync',
    dir: 'local',
    kind: 'write',
    json,
    meta: { db: 'sqlsync', store: 'documents' },
  });
  const step = (state: SqlsyncState, frame: RawFrame): SqlsyncState => {
    const decoded = decodeSqlsync(frame);
    if (!decoded.ok) throw new Error(decoded.error.reason);
    return sqlsyncDissector.reduce(state, { lifecycle: false, type: decoded.type, message: decoded.message }, frame, {
      id: frame.conn,
      transport: 'idb',
    });
  };

  it('shows each saved snapshot as the client’s timeline and storage journals, gone when deleted', () => {
    const snapshot = {
      doc: 'd1',
      timeline: { id: 't1', first: 2, entries: [add('a', 'x'), add('b', 'y')] },
      storage: { id: 'd1', first: 0, entries: [] },
    };
    let state = step(sqlsyncDissector.init(), write({ op: 'put', key: 'd1', value: snapshot }));
    const model = sqlsyncDissector.model(state);
    expect(model.journals['saved timeline d1 in sqlsync']).toMatchObject({
      side: 'client',
      range: { first: 2, last: 3 },
      cursor: 4,
      peer: 'server timeline t1',
    });
    expect(model.journals['saved storage d1 in sqlsync']).toMatchObject({
      side: 'client',
      range: null,
      cursor: 0,
      peer: 'server storage d1',
    });
    state = step(state, write({ op: 'delete', key: 'd1' }));
    expect(Object.keys(sqlsyncDissector.model(state).journals)).toEqual([]);
  });
});

describe('sqlsync reducer: a long offline timeline', () => {
  it('keeps 30,000 resent, out-of-order entries sorted by LSN, acknowledges and applies them from the front, and rebases what is left', () => {
    const count = 30_000;
    const batch = 300;
    const edit = (lsn: number) => ({ tag: 'SetText', id: `todo-${lsn % 500}`, text: `edit ${lsn}` });
    const sync = (first: number) => ({
      conn: 'a',
      dir: 'out' as const,
      value: {
        type: 'timeline-sync',
        doc: 'd',
        partial: { id: 'ta', range: { first, last: first + batch - 1 }, entries: Array.from({ length: batch }, (_, k) => edit(first + k)) },
      },
    });
    const firsts = Array.from({ length: count / batch }, (_, i) => i * batch);
    // The last two batches go out swapped, and the second batch is sent twice.
    const order = [...firsts.slice(0, -2), firsts.at(-1) as number, firsts.at(-2) as number, batch];
    let { state } = fold([
      { conn: 'a', dir: 'out', value: { type: 'open', docs: [{ doc: 'd', storageRange: null, timeline: 'ta' }] } },
      { conn: 'a', dir: 'in', value: { type: 'timeline-range', doc: 'd', timeline: 'ta', range: null } },
      ...order.map(sync),
    ]);
    let queue = sqlsyncDissector.model(state).queues['timeline ta'] ?? [];
    expect(queue).toHaveLength(count);
    expect(queue.every((item, i) => item.id === `ta#${i}`)).toBe(true);
    expect(queue.filter((item) => item.attempts === 2).map((item) => item.id)).toEqual(
      Array.from({ length: batch }, (_, k) => `ta#${batch + k}`),
    );
    // The server acknowledges half; then storage applies the first 1,000 entries after another timeline's edit.
    state = fold(
      [{ conn: 'a', dir: 'in', value: { type: 'timeline-range', doc: 'd', timeline: 'ta', range: { first: 0, last: count / 2 - 1 } } }],
      state,
    ).state;
    queue = sqlsyncDissector.model(state).queues['timeline ta'] ?? [];
    expect(queue).toHaveLength(count / 2);
    expect(queue[0]?.id).toBe(`ta#${count / 2}`);
    const applied = [
      { timeline: 'tb', lsn: 0, mutation: edit(7) },
      ...Array.from({ length: 1_000 }, (_, lsn) => ({ timeline: 'ta', lsn, mutation: edit(lsn) })),
    ];
    state = fold(
      [
        {
          conn: 'a',
          dir: 'in',
          value: { type: 'storage-sync', doc: 'd', partial: { id: 'd', range: { first: 0, last: applied.length - 1 }, entries: applied } },
        },
      ],
      state,
    ).state;
    expect(state.timelines.ta?.unapplied.size).toBe(count - 1_000);
    expect(state.timelines.ta?.unapplied.first()?.lsn).toBe(1_000);
    const [rebase] = sqlsyncDissector.model(state).conflicts;
    expect(rebase).toMatchObject({ rule: 'rebase', winner: 'local', entity: 'd/todo-7', field: 'todo-7' });
    expect(rebase?.local).toHaveLength(count - 1_000);
  }, 60_000);
});
