/** Golden tests of the hand-built public-format fixtures through `syncscope dump --json`, and that they are current. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpJson } from '../core/testing/dump-cli.ts';
import { DOC_ID, replicationSession, TIMELINE_ID, workerSession } from './fixtures/build-public-fixtures.ts';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

const dump = dumpJson;

describe('public sqlsync 0.3 fixtures', () => {
  it('are what the builder makes', () => {
    expect(readFileSync(fixture('public-replication.syncscope.jsonl'), 'utf8')).toBe(replicationSession());
    expect(readFileSync(fixture('public-worker.syncscope.jsonl'), 'utf8')).toBe(workerSession());
  });

  it('replication: journals on both sides, one unacked frame, the truncated frame a typed error', async () => {
    const { lines, summary } = await dump(fixture('public-replication.syncscope.jsonl'));
    expect(summary.byProtocol).toEqual({ sqlsync: 13 });
    expect(summary.undecodable).toBe(1);
    expect(lines.find((line) => line.ok === false)?.error).toBe('Frame.len: announces 20 frame bytes but 15 follow');
    expect(summary.queues).toEqual({ [`sqlsync/timeline ${TIMELINE_ID}`]: 1 });
    expect(summary.journals[`sqlsync/client journal ${TIMELINE_ID}`]).toMatchObject({ side: 'client', range: { first: 0, last: 2 } });
    expect(summary.journals[`sqlsync/server journal ${TIMELINE_ID}`]).toMatchObject({ side: 'server', range: { first: 0, last: 1 } });
    expect(summary.journals[`sqlsync/server journal ${DOC_ID}`]).toMatchObject({ side: 'server', range: { first: 0, last: 0 } });
    expect(summary.journals[`sqlsync/client journal ${DOC_ID}`]).toMatchObject({ side: 'client', range: { first: 0, last: 0 } });
    expect(summary.conflicts).toEqual([]);
  });

  it('worker API: every message decodes, the request without a reply stays queued', async () => {
    const { summary } = await dump(fixture('public-worker.syncscope.jsonl'));
    expect(summary.undecodable).toBe(0);
    expect(summary.byType).toMatchObject({
      'sqlsync/Boot': 1,
      'sqlsync/Doc.Mutate': 2,
      'sqlsync/Reply': 4,
      'sqlsync/Event.SubscriptionChanged': 2,
    });
    expect(summary.queues).toEqual({ 'sqlsync/worker port-1': 1 });
  });
});
