/** Scenario tests: several clients and the server over real sockets on 127.0.0.1, each in its own temp dir. */

import { createRegistry, Fold, initialFoldState } from '@syncscope/protocols';
import type { RawFrame } from '@syncscope/protocols/core';
import { describe, expect, it } from 'vitest';
import type { FrameInput } from './client/frames.ts';
import { concurrentEdits, offlineReconnect, outOfOrder, serverRestart, snapshots, validationFlags } from './scenarios/scenarios.ts';

/** Collects frames and checks at the end that the updatelog dissector decodes every one of them. */
function frameSink() {
  const frames: RawFrame[] = [];
  const onFrame = (input: FrameInput) => frames.push({ ...input, seq: frames.length, t: input.t ?? Date.now() } as RawFrame);
  const undecodable = () => {
    const fold = new Fold(createRegistry());
    let state = initialFoldState();
    const bad: string[] = [];
    for (const frame of frames) {
      const step = fold.step(state, frame);
      state = step.state;
      for (const s of step.settled)
        if (!s.info.ok || s.info.protocol !== 'updatelog') bad.push(`${s.seq}: ${s.info.protocol} ${s.info.error?.reason ?? ''}`);
    }
    for (const s of fold.finish(state).settled)
      if (!s.info.ok || s.info.protocol !== 'updatelog') bad.push(`${s.seq}: ${s.info.protocol} ${s.info.error?.reason ?? ''}`);
    return bad;
  };
  return { onFrame, frames, undecodable };
}

describe('updatelog scenarios', () => {
  it('offline edits survive a reload and reach everyone after reconnecting', async () => {
    const sink = frameSink();
    const result = await offlineReconnect({ onFrame: sink.onFrame });
    expect(result.offlineView).toEqual(['City', 'Rovers FC']);
    expect(result.unsavedAfterReload).toBe(2);
    expect(result.reloadedView).toEqual(['City', 'Rovers FC']);
    expect(result.states[0]).toBe(result.states[1]);
    expect(result.teams).toEqual(['City', 'Rovers FC', 'United']);
    expect(result.matches).toBe(1);
    expect(sink.undecodable()).toEqual([]);
  });

  it('concurrent edits to one team in one millisecond: bumped by the promoter, everyone converges', async () => {
    const result = await concurrentEdits();
    expect(result.timestamps).toEqual([1_800_000_000_000, 1_800_000_001_000, 1_800_000_001_001]);
    expect(result.restamps).toEqual(['collision']);
    expect(result.names[0]).toBe(result.names[1]);
    expect(result.states[0]).toBe(result.states[1]);
  });

  it('a server restart in the middle of a sync loses nothing acknowledged', async () => {
    const sink = frameSink();
    const result = await serverRestart({ onFrame: sink.onFrame });
    expect(result.acknowledged).toBe(2);
    expect(result.storedWhileDown).toBe(0);
    expect(result.errorWhileDown).toMatch(/unreachable/);
    expect(result.teams).toEqual(['City', 'Rovers', 'United']);
    expect(result.standings).toEqual([
      ['Rovers', 1],
      ['United', 1],
      ['City', 0],
    ]);
    expect(result.states[0]).toBe(result.states[1]);
    expect(sink.frames.some((f) => f.kind === 'error')).toBe(true);
    expect(sink.undecodable()).toEqual([]);
  });

  it('an update made earlier but arriving later is restamped and applied the same everywhere', async () => {
    const result = await outOfOrder();
    expect(result.lastMeta).toMatchObject({ restamped: 'out-of-order', madeAt: 1_800_000_001_000 });
    expect(result.match?.result).toMatchObject({ homeGoals: 2, awayGoals: 0 });
    expect(result.match?.match.date?.toISOString()).toBe('2024-05-05T15:00:00.000Z');
    expect(result.states[0]).toBe(result.states[1]);
  });

  it('validation failures are flagged (not dropped) on every client and can be dismissed', async () => {
    const result = await validationFlags();
    expect(result.flagged).toEqual(
      expect.arrayContaining([
        { updateId: result.clash, rule: 'unique-team-name' },
        { updateId: result.orphan, rule: 'known-team' },
      ]),
    );
    expect(result.validationHeaders.length).toBe(2);
    expect(result.afterDismiss).toEqual([result.orphan]);
    expect(result.teams).toBe(2);
    expect(result.states[0]).toBe(result.states[1]);
  });

  it('snapshots: immutable, rolled up once, and a new client starts from one', async () => {
    const result = await snapshots();
    expect(result.snapshotKey).toMatch(/^league\/main\/snapshots\/\d{13}\.json$/);
    expect(result.again).toBeUndefined();
    expect(result.cacheControl).toContain('immutable');
    expect(result.carolSnapshot).toBe(Number(/(\d+)\.json$/.exec(result.snapshotKey ?? '')?.[1]));
    expect(result.carolStandings).toEqual([
      ['Rovers', 3],
      ['United', 0],
      ['City FC', 0],
    ]);
    expect(result.states[0]).toBe(result.states[1]);
  });
});
