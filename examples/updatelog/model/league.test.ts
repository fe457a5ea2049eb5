import type { Update } from '@syncscope/protocols/updatelog';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../engine/canonical.ts';
import { type LoggedUpdate, replayAll, replayUpdate } from '../engine/replay.ts';
import { FlagDismissal, League, leagueApp, Match, MatchStatus, Result, Team } from './league.ts';

const types = leagueApp.types;
let n = 0;
const logged = (timestamp: number, type: string, arg: unknown): LoggedUpdate => ({
  timestamp,
  update: { id: `u${++n}`, actions: [{ type, data: types.toJson(arg) }] } as Update,
});

const history: LoggedUpdate[] = [
  logged(1, 'addTeam', new Team('t1', 'Rovers')),
  logged(2, 'addTeam', new Team('t2', 'City')),
  logged(3, 'addTeam', new Team('t3', 'United')),
  logged(4, 'scheduleMatch', new Match('m1', 't1', 't2', new Date('2024-05-01T15:00:00.000Z'), MatchStatus.SCHEDULED)),
  logged(5, 'scheduleMatch', new Match('m2', 't2', 't3', new Date('2024-05-08T15:00:00.000Z'), MatchStatus.SCHEDULED)),
  logged(6, 'recordResult', new Result('m1', 2, 1)),
  logged(7, 'renameTeam', new Team('t1', 'Rovers FC')),
  logged(8, 'recordResult', new Result('m2', 0, 0)),
  logged(9, 'recordResult', new Result('m1', 3, 1)),
  logged(10, 'renameTeam', new Team('t1', 'Town')),
  logged(11, 'scheduleMatch', new Match('m3', 't3', 't9', new Date('2024-05-15T15:00:00.000Z'), MatchStatus.SCHEDULED)),
];

const canonical = (league: League) => canonicalJson(types.toJson(league));

describe('the league model', () => {
  const league = replayAll(leagueApp, League.empty(), history);

  it('computes standings from the results (the later correction of m1 wins)', () => {
    expect(league.standings().map((s) => [s.name, s.played, s.points, s.goalsFor - s.goalsAgainst])).toEqual([
      ['Town', 1, 3, 2],
      ['United', 1, 1, 0],
      ['City', 2, 1, -2],
    ]);
  });

  it('any arrival order gives the same state: updates commute (per-field stamps)', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(history, { minLength: history.length, maxLength: history.length }), (order) => {
        const state = order.reduce((s, u) => replayUpdate(leagueApp, s, u), League.empty());
        expect(canonical(state)).toBe(canonical(league));
      }),
      { numRuns: 60, seed: 3 },
    );
  });

  it('flags rule breakers instead of dropping them, and a dismissal clears the flag', () => {
    expect(league.flags()).toEqual([
      { updateId: history[10]?.update.id, actionIndex: 0, rule: 'known-team', reason: 'match m3 refers to unknown team t9' },
    ]);
    expect(league.matchList().map((m) => m.match.id)).toContain('m3');
    const clash = replayUpdate(leagueApp, league, logged(12, 'addTeam', new Team('t4', 'city')));
    expect(
      clash
        .flags()
        .map((f) => f.rule)
        .sort(),
    ).toEqual(['known-team', 'unique-team-name']);
    const negative = logged(13, 'recordResult', new Result('m2', -1, 0));
    const bad = replayUpdate(leagueApp, clash, negative);
    expect(bad.flags().find((f) => f.updateId === negative.update.id)).toMatchObject({
      rule: 'invalid-argument',
      reason: expect.stringContaining('homeGoals'),
    });
    const unknown = replayUpdate(leagueApp, bad, { timestamp: 14, update: { id: 'ux', actions: [{ type: 'relegate', data: 1 }] } });
    expect(unknown.flags().find((f) => f.updateId === 'ux')).toMatchObject({ updateId: 'ux', rule: 'unknown-method' });
    const badType = replayUpdate(leagueApp, unknown, {
      timestamp: 15,
      update: { id: 'uy', actions: [{ type: 'addTeam', data: { '@type': 'Player', id: 'p' } }] },
    });
    expect(badType.flags().find((f) => f.updateId === 'uy')).toMatchObject({
      updateId: 'uy',
      rule: 'typed-json',
      reason: 'actions.0.data.@type: unknown type Player',
    });
    const dismissed = replayUpdate(leagueApp, badType, logged(16, 'dismissFlag', new FlagDismissal('ux')));
    expect(dismissed.flags().some((f) => f.updateId === 'ux')).toBe(false);
  });

  it('restores dates and enum instances from typed JSON', () => {
    const back = types.revive(types.toJson(league)) as League;
    expect(back).toBeInstanceOf(League);
    const m1 = back.matchList()[0]?.match;
    expect(m1?.date).toBeInstanceOf(Date);
    expect(m1?.status).toBe(MatchStatus.SCHEDULED);
    expect(canonical(back)).toBe(canonical(league));
  });

  it('a state revived from typed JSON (a snapshot) goes on exactly like the state it was taken from', () => {
    const [early, late] = [history.slice(0, 6), history.slice(6)];
    const before = replayAll(leagueApp, League.empty(), early);
    const revived = types.revive(JSON.parse(JSON.stringify(types.toJson(before)))) as League;
    expect(revived.stamps).toEqual(before.stamps);
    // The older correction of m1 (stamp 6) must still lose to the newer one (stamp 9) after the revive.
    const stale = logged(0, 'recordResult', new Result('m1', 9, 9));
    const continued = replayAll(leagueApp, revived, [...late, stale]);
    expect(canonical(continued)).toBe(canonical(replayAll(leagueApp, before, [...late, stale])));
    expect(canonical(continued)).toBe(canonical(replayUpdate(leagueApp, league, stale)));
    expect(before.stamps['teams/t1/name']).toBe(replayAll(leagueApp, League.empty(), early).stamps['teams/t1/name']);
  });
});
