/**
 * Scenario tests over real sockets on 127.0.0.1: several clients, offline edits, reconnect, concurrent edits to one
 * object, a server restart in the middle of a sync. All clients converge on the server's truth; nothing
 * acknowledged is lost.
 */
import { describe, expect, it } from 'vitest';
import { concurrentEditsScenario, issue, offlineEditsScenario, restartScenario } from './scenarios/scenarios.ts';

describe('linear scenarios', () => {
  it('offline edits wait in the queue, reconnect drains then takes the delta, a restarted client takes a delta', async () => {
    const outcome = await offlineEditsScenario();
    expect(outcome.truth[issue('issue-2')]).toMatchObject({ title: 'Reconnect drains the queue, then takes the delta' });
    expect(outcome.truth[issue('issue-1')]).toMatchObject({ status: 'done' });
    expect(outcome.truth[issue(outcome.createdId)]).toMatchObject({ assigneeId: 'user-alice', projectId: 'proj-sync' });
    expect(outcome.phasesOfBob).toEqual(['bootstrap', 'live', 'offline', 'draining', 'delta', 'live', 'offline']);
    expect(outcome.bobRestartedWithDelta).toBe(true);
    // Team scoping: team-design's objects never reach team-core's clients.
    expect(Object.keys(outcome.truth).some((key) => key.includes('issue-3') || key.includes('team-design'))).toBe(false);
  });

  it('concurrent edits: the late title is rejected as stale, the untouched field lands, a race has one winner', async () => {
    const outcome = await concurrentEditsScenario();
    expect(outcome.rejectedOfBob).toEqual([{ code: 'stale', field: 'title' }]);
    expect(outcome.truth[issue('issue-1')]).toMatchObject({ title: 'Alice: bootstrap streams every object', status: 'todo' });
    expect(outcome.racedRejections).toBe(1);
    expect(['user-alice', 'user-bob']).toContain((outcome.truth[issue('issue-2')] as { assigneeId: string }).assigneeId);
  });

  it('a server restart in the middle of a sync loses nothing it acknowledged', async () => {
    const outcome = await restartScenario();
    expect(outcome.acknowledgedButUnseenAtStop).toBe(3);
    expect(outcome.survivedRestart).toBe(true);
    expect(outcome.truth[issue('issue-1')]).toMatchObject({ description: 'edited while the server was down' });
  });
});
