/**
 * Golden tests of the fixtures recorded from the reference engine (examples/sqlsync/scripts/record-fixtures.ts)
 * through `syncscope dump --json`: zero undecodable frames, the derived queues, journals and conflicts. The
 * assertions are the scenarios' invariants, so a re-recording that keeps the engine's behaviour keeps them green.
 */
import { join } from 'node:path';
import { readSessionFile } from '@syncscope/inspector/session/node';
import { createRegistry, Fold, initialFoldState } from '@syncscope/protocols';
import { describe, expect, it } from 'vitest';
import { dumpJson } from '../core/testing/dump-cli.ts';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', `${name}.syncscope.jsonl`);

async function summary(name: string): Promise<Record<string, any>> {
  return (await dumpJson(fixture(name))).summary;
}

/** Every client timeline agrees with the server's view of it, and every client storage with the server storage. */
function expectJournalsInAgreement(journals: Record<string, any>, doc: string, storage: { first: number; last: number }) {
  const names = Object.keys(journals);
  const timelines = names.filter((n) => n.startsWith('sqlsync/client timeline '));
  expect(timelines.length).toBeGreaterThan(0);
  for (const name of timelines) {
    const server = journals[name.replace('client timeline', 'server timeline')];
    expect(server, name).toMatchObject({ side: 'server', range: journals[name].range });
  }
  expect(journals[`sqlsync/server storage ${doc}`]).toMatchObject({ side: 'server', range: storage });
  const clientStorages = names.filter((n) => n.startsWith(`sqlsync/client storage ${doc}@`));
  expect(clientStorages.length).toBe(timelines.length);
  for (const name of clientStorages)
    expect(journals[name], name).toMatchObject({ side: 'client', range: storage, peer: `server storage ${doc}` });
}

const conflictsOf = (s: Record<string, any>) =>
  (s.conflicts as Array<Record<string, unknown>>).map((c) => `${c.rule} ${c.entity} ${c.field ?? ''} ${c.winner}`.trim());

describe('recorded sqlsync sessions', () => {
  it('offline edits: everything acknowledged, journals agree, the reconnecting client rebased', async () => {
    const s = await summary('offline-edits');
    expect(s.undecodable).toBe(0);
    expect(s.byProtocol).toEqual({ sqlsync: s.frames });
    expect(s.queues).toEqual({ 'sqlsync/timeline tl-alice': 0, 'sqlsync/timeline tl-bob': 0 });
    expectJournalsInAgreement(s.journals, 'doc-offline', { first: 0, last: 4 });
    expect(s.journals['sqlsync/client timeline tl-bob'].range).toEqual({ first: 0, last: 1 });
    expect(conflictsOf(s)).toEqual(['rebase doc doc-offline  local']);
  });

  it('concurrent edits: a rebase over the other edit of the same todo, and both edits of the deleted todo rejected', async () => {
    const s = await summary('concurrent-edits');
    expect(s.undecodable).toBe(0);
    expect(Object.values(s.queues)).toEqual([0, 0, 0]);
    expectJournalsInAgreement(s.journals, 'doc-concurrent', { first: 0, last: 5 });
    expect(conflictsOf(s)).toEqual([
      'rebase doc-concurrent/plan plan local',
      'validation doc-concurrent/plan SetText none',
      'validation doc-concurrent/plan ToggleDone none',
    ]);
  });

  it('server restart mid-sync: the backlog was queued, went offline with the server, and was all acknowledged after', async () => {
    const s = await summary('server-restart');
    expect(s.undecodable).toBe(0);
    expect(s.queues).toEqual({ 'sqlsync/timeline tl-alice': 0, 'sqlsync/timeline tl-bob': 0 });
    expectJournalsInAgreement(s.journals, 'doc-restart', { first: 0, last: 80 });
    expect(s.journals['sqlsync/client timeline tl-alice'].range).toEqual({ first: 0, last: 79 });
    expect(new Set(conflictsOf(s))).toEqual(new Set(['rebase doc doc-restart  local']));

    // Frame by frame: the queue held unacknowledged entries while the server was down, and the phases show it.
    const { frames } = await readSessionFile(fixture('server-restart'));
    const fold = new Fold(createRegistry());
    let state = initialFoldState();
    let pendingAtServerLoss = -1;
    for (const frame of frames) {
      state = fold.step(state, frame).state;
      if (frame.kind === 'close' && frame.meta?.code === 1006 && frame.conn.startsWith('alice')) {
        pendingAtServerLoss = fold.models(state).sqlsync?.queues['timeline tl-alice']?.length ?? -1;
      }
    }
    expect(pendingAtServerLoss).toBeGreaterThan(0);
    const phases = (fold.models(state).sqlsync?.phases ?? []).filter((p) => p.conn?.startsWith('alice')).map((p) => p.phase);
    expect(phases).toContain('offline');
    expect(phases).toContain('timeline-sync');
    expect(phases).toContain('storage-sync');
    // The last connection ended idle, then closed with the scenario.
    expect(phases.slice(-2)).toEqual(['idle', 'offline']);
  });

  it('browser tabs: every tab <-> worker request answered, subscriptions carry the final rows, offline then live', async () => {
    const s = await summary('browser-tabs');
    expect(s.undecodable).toBe(0);
    expect(Object.keys(s.queues)).toHaveLength(2);
    expect(Object.values(s.queues)).toEqual([0, 0]);
    expect(s.byType).toMatchObject({ 'sqlsync/Boot': 2, 'sqlsync/Doc.Mutate': 3, 'sqlsync/Doc.SetConnectionEnabled': 2 });
    expect(s.byType['sqlsync/Event.SubscriptionErr']).toBeUndefined();

    const { frames } = await readSessionFile(fixture('browser-tabs'));
    const fold = new Fold(createRegistry());
    let state = initialFoldState();
    for (const frame of frames) state = fold.step(state, frame).state;
    const model = fold.models(state).sqlsync;
    // The todo list subscription of each tab (the demo also subscribes to its rejections, empty here).
    const subscriptions = Object.values(model?.entities ?? {}).filter(
      (e) => e.type === 'subscription' && (e.value as { columns: string[] }).columns.includes('text'),
    );
    expect(subscriptions).toHaveLength(2);
    for (const sub of subscriptions) {
      const rows = (sub.value as { rows: unknown[][] }).rows;
      expect(rows.map((row) => [row[1], row[2]])).toEqual([
        ['water the plants', 1],
        ['call the plumber', 0],
      ]);
    }
    const phases = (model?.phases ?? []).map((p) => p.phase);
    const offlineAt = phases.indexOf('offline');
    expect(offlineAt).toBeGreaterThan(0);
    expect(phases.slice(offlineAt)).toContain('live');
  });
});
