/**
 * Golden tests of the recorded fixtures (examples/linear/scripts/record-fixtures.ts: the engine's real traffic)
 * through the real CLI, `syncscope dump --json`: zero undecodable frames, and the derived queues, journals and
 * conflicts. The queue and phase history along the way is checked by folding the same frames in process.
 */
import { readFileSync } from 'node:fs';
import { parseFrameLine } from '@syncscope/inspector/session';
import { describe, expect, it } from 'vitest';
import { type CommonModel, Fold, initialFoldState, type RawFrame } from '../core/index.ts';
import { createRegistry } from '../index.ts';
import { linearDissector } from './dissector.ts';
import { dump, fixture } from './golden-helpers.ts';
import type { LinearState } from './reduce.ts';

/** The linear common model after every frame of a fixture. */
function modelsAlong(name: string): Array<{ frame: RawFrame; model: CommonModel }> {
  const frames = readFileSync(fixture(name), 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim())
    .map((line) => {
      const parsed = parseFrameLine(line);
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.frame;
    });
  const fold = new Fold(createRegistry());
  let state = initialFoldState();
  return frames.map((frame) => {
    state = fold.step(state, frame).state;
    const linear = (state.states.linear as LinearState | undefined) ?? linearDissector.init();
    return { frame, model: linearDissector.model(linear) };
  });
}

const phasesOf = (model: CommonModel, client: string) => model.phases.filter((p) => p.conn === client).map((p) => p.phase);
const maxPending = (steps: Array<{ model: CommonModel }>, queue: string) =>
  Math.max(...steps.map((s) => s.model.queues[queue]?.length ?? 0));

const settledJournals = (cursor: number) => ({
  'linear/client/alice-laptop': { side: 'client', cursor, peer: 'server' },
  'linear/client/bob-phone': { side: 'client', cursor, peer: 'server' },
  'linear/server': { side: 'server', cursor },
});

describe('linear recorded fixtures', () => {
  it('carry no secrets: passwords, tokens and Authorization headers are "[redacted]"', () => {
    for (const name of ['scenario-offline.syncscope.jsonl', 'scenario-concurrent.syncscope.jsonl', 'scenario-restart.syncscope.jsonl']) {
      const text = readFileSync(fixture(name), 'utf8');
      expect(text, name).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
      expect(text, name).not.toMatch(/-pw\\"/);
      expect(text, name).toContain('\\"password\\":\\"[redacted]\\"');
      expect(text, name).toContain('"authorization":"[redacted]"');
    }
  });

  it('offline edits: queued while offline, drained on reconnect, both clients caught up', () => {
    const { summary } = dump(fixture('scenario-offline.syncscope.jsonl'));
    expect(summary.undecodable).toBe(0);
    expect(summary.byProtocol).toEqual({ linear: summary.frames });
    expect(summary.queues).toEqual({ 'linear/transactions/alice-laptop': 0, 'linear/transactions/bob-phone': 0 });
    const cursor = summary.journals['linear/server']?.cursor as number;
    expect(summary.journals).toEqual(settledJournals(cursor));
    expect(summary.conflicts).toEqual([]);
    const steps = modelsAlong('scenario-offline.syncscope.jsonl');
    expect(maxPending(steps, 'transactions/bob-phone')).toBe(2);
    const last = steps.at(-1)?.model as CommonModel;
    expect(phasesOf(last, 'bob-phone')).toEqual([
      'connecting',
      'bootstrap',
      'live',
      'offline',
      'connecting',
      'draining',
      'delta',
      'live',
      'offline',
      'connecting',
      'delta',
      'live',
    ]);
    expect(last.entities['Issue/issue-bob-1']).toMatchObject({ type: 'Issue', value: { assigneeId: 'user-alice' } });
  });

  it('concurrent edits: the stale title and the lost race are conflicts the server side won', () => {
    const { summary } = dump(fixture('scenario-concurrent.syncscope.jsonl'));
    expect(summary.undecodable).toBe(0);
    expect(summary.conflicts).toEqual([
      { protocol: 'linear', entity: 'Issue/issue-1', field: 'title', rule: 'stale', winner: 'remote' },
      { protocol: 'linear', entity: 'Issue/issue-2', field: 'assigneeId', rule: 'stale', winner: 'remote' },
    ]);
    expect(summary.queues).toEqual({ 'linear/transactions/alice-laptop': 0, 'linear/transactions/bob-phone': 0 });
    expect(summary.journals).toEqual(settledJournals(summary.journals['linear/server']?.cursor as number));
    const last = modelsAlong('scenario-concurrent.syncscope.jsonl').at(-1)?.model as CommonModel;
    expect(last.entities['Issue/issue-1']?.value).toMatchObject({ title: 'Alice: bootstrap streams every object', status: 'todo' });
  });

  it('restart mid-sync: acknowledged transactions stay queued across the outage until their sync ids arrive', () => {
    const { summary } = dump(fixture('scenario-restart.syncscope.jsonl'));
    expect(summary.undecodable).toBe(0);
    expect(summary.byType['linear/error']).toBeGreaterThanOrEqual(1);
    expect(summary.queues).toEqual({ 'linear/transactions/alice-laptop': 0, 'linear/transactions/bob-phone': 0 });
    expect(summary.journals).toEqual(settledJournals(summary.journals['linear/server']?.cursor as number));
    expect(summary.conflicts).toEqual([]);
    const steps = modelsAlong('scenario-restart.syncscope.jsonl');
    // Right after the acknowledgement the three creates are still queued, each labelled with its sync id.
    const acked = steps.find((s) => s.frame.kind === 'response' && s.frame.meta?.url?.endsWith('/change'));
    const queued = acked?.model.queues['transactions/alice-laptop'] ?? [];
    expect(queued).toHaveLength(3);
    expect(queued.every((item) => /\(sync id \d+\)$/.test(item.label ?? ''))).toBe(true);
    const last = steps.at(-1)?.model as CommonModel;
    expect(['Issue/issue-restart-1', 'Issue/issue-restart-2', 'Issue/issue-restart-3'].every((key) => key in last.entities)).toBe(true);
    expect(phasesOf(last, 'alice-laptop')).toEqual(expect.arrayContaining(['draining', 'offline', 'delta', 'live']));
  });
});
