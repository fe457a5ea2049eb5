/**
 * Golden tests of the engine's recorded traffic (examples/updatelog/scripts/record-fixtures.ts) through
 * `syncscope dump --json`: every frame decodes, queues drain, client journals catch up with the shared log,
 * and each scenario shows the conflicts it provoked.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DumpSummary, dumpAll } from './golden.ts';

const RECORDED = ['offline-reconnect', 'concurrent-edits', 'server-restart', 'out-of-order', 'validation-flags', 'snapshots'];
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
let summaries: Record<string, DumpSummary> = {};
beforeAll(async () => {
  summaries = await dumpAll(Object.fromEntries(RECORDED.map((name) => [name, join(fixtures, `${name}.syncscope.jsonl`)])));
});
const summary = (name: string) => summaries[name] as DumpSummary;
const rules = (s: DumpSummary) => s.conflicts.map((c) => `${c.rule}:${c.entity}:${c.winner}`);

describe.each(['offline-reconnect', 'concurrent-edits', 'server-restart', 'out-of-order', 'validation-flags', 'snapshots'])(
  'recorded %s',
  (name) => {
    it('decodes every frame as updatelog, drains every queue, and every client catches up with the shared log', () => {
      const s = summary(name);
      expect(s.frames).toBeGreaterThan(20);
      expect(s.undecodable).toBe(0);
      expect(s.byProtocol).toEqual({ updatelog: s.frames });
      for (const pending of Object.values(s.queues)) expect(pending).toBe(0);
      const head = s.journals['updatelog/server:shared'];
      expect(head).toMatchObject({ side: 'server' });
      const clients = Object.entries(s.journals).filter(([id]) => /^updatelog\/client:[^/]+$/.test(id));
      expect(clients.length).toBeGreaterThan(0);
      for (const [, journal] of clients) expect(journal).toEqual({ side: 'client', cursor: head?.cursor, peer: 'server:shared' });
    });
  },
);

describe('what each recording shows', () => {
  it('offline edits that reach the log after a newer update are restamped out of order', () => {
    const s = summary('offline-reconnect');
    expect(rules(s)).toEqual(['out-of-order:Team:t1:local', 'out-of-order:Match:m1:local']);
    expect(s.byType['updatelog/LocalPut']).toBe(s.byType['updatelog/LocalDelete']);
    expect(s.entities).toBe(4);
  });

  it('two renames in one millisecond: one bumped', () => {
    const s = summary('concurrent-edits');
    expect(rules(s)).toEqual(['timestamp-collision:Team:t1:local']);
    expect(s.conflicts[0]?.field).toBe('timestamp');
  });

  it('a restart in the middle: failed PUTs retried, nothing lost', () => {
    const s = summary('server-restart');
    expect(s.conflicts).toEqual([]);
    expect(s.byType['updatelog/error']).toBe(3);
    expect(s.byType['updatelog/PutUpdate']).toBe(8);
    expect(s.byType['updatelog/Stored']).toBe(5);
    expect(s.entities).toBe(5);
  });

  it('an earlier result arriving after a reschedule', () => {
    expect(rules(summary('out-of-order'))).toEqual(['out-of-order:Result:m1:local']);
  });

  it('validation failures are conflicts nobody wins, left for a person', () => {
    const s = summary('validation-flags');
    expect(s.conflicts.map((c) => [c.rule, c.winner])).toEqual([
      ['validation', 'none'],
      ['validation', 'none'],
    ]);
  });

  it('a client starting from a snapshot: its journal points at the snapshot, entities rebuilt from it', () => {
    const s = summary('snapshots');
    expect(s.byType['updatelog/SnapshotObject']).toBe(1);
    expect(s.journals['updatelog/client:carol/snapshot']).toEqual({
      side: 'client',
      cursor: s.journals['updatelog/server:snapshots']?.cursor,
      peer: 'server:snapshots',
    });
    expect(s.entities).toBe(5);
  });
});
