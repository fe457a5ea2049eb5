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
    expect(acked.state.timelines.ta?.pending.map((p) => p.lsn)).toEqual([1]);
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
