/**
 * Golden tests of the hand-built public fixtures (pbardea/sync and Linear's production formats) through the real
 * CLI, `syncscope dump --json`: every frame decodes as linear, and the derived queues, journals and conflicts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dump, fixture } from './golden-helpers.ts';
import { PUBLIC_FIXTURES } from './public-fixtures.ts';

/** Frames' text without the header line, whose createdAt differs on every build. */
const body = (session: string) => session.split('\n').slice(1).join('\n');

describe('linear public fixtures', () => {
  it('are what public-fixtures.ts builds', () => {
    for (const [name, build] of Object.entries(PUBLIC_FIXTURES))
      expect(body(readFileSync(fixture(name), 'utf8')), name).toBe(body(build()));
  });

  it('pbardea/sync: bootstrap, socket events, a change and a delta; the overtaken update is a version conflict', () => {
    const { lines, summary } = dump(fixture('public-pbardea.syncscope.jsonl'));
    expect(summary.undecodable).toBe(0);
    expect(lines.every((l) => l.protocol === 'linear')).toBe(true);
    expect(summary.byType).toMatchObject({
      'linear/bootstrap': 1,
      'linear/delta': 1,
      'linear/update': 3,
      'linear/create': 1,
      'linear/change': 1,
      'linear/ack': 1,
      'linear/auth': 1,
    });
    expect(summary.queues).toEqual({ 'linear/transactions/client': 0 });
    const latest = Date.UTC(2026, 10, 20, 9, 0, 10);
    expect(summary.journals).toEqual({
      'linear/client/client': { side: 'client', cursor: latest, peer: 'server' },
      'linear/server': { side: 'server', cursor: latest },
    });
    expect(summary.conflicts).toEqual([{ protocol: 'linear', entity: 'Issue/issue-1', field: null, rule: 'version', winner: 'remote' }]);
    expect(summary.entities).toBe(5);
  });

  it('Linear JSON: NDJSON bootstrap in chunks, every SyncAction letter, delta and batch load', () => {
    const { summary } = dump(fixture('public-linear-json.syncscope.jsonl'));
    expect(summary.undecodable).toBe(0);
    expect(summary.byProtocol).toEqual({ linear: 20 });
    expect(summary.byType).toMatchObject({
      'linear/bootstrap': 3,
      'linear/sync': 3,
      'linear/delta': 1,
      'linear/batch-request': 1,
      'linear/hshk': 2,
    });
    expect(summary.journals).toEqual({
      'linear/client/client': { side: 'client', cursor: 2_000_114, peer: 'server' },
      'linear/server': { side: 'server', cursor: 2_000_114 },
    });
    expect(summary.queues).toEqual({});
    expect(summary.conflicts).toEqual([]);
    expect(summary.entities).toBe(8);
  });

  it('Linear MessagePack: the same socket commands from bytes', () => {
    const { summary } = dump(fixture('public-linear-msgpack.syncscope.jsonl'));
    expect(summary.undecodable).toBe(0);
    expect(summary.byType).toEqual({
      'linear/open': 1,
      'linear/hshk': 2,
      'linear/ping': 1,
      'linear/pong': 1,
      'linear/sync': 3,
      'linear/presence': 1,
      'linear/cacheSyncId': 1,
      'linear/eu': 1,
      'linear/refresh': 1,
      'linear/close': 1,
    });
    expect(summary.journals['linear/client/client']).toEqual({ side: 'client', cursor: 2_000_113, peer: 'server' });
  });
});
