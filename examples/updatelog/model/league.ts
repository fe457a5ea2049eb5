/**
 * The demo app's model: a league table. Every change is a single-argument method (addTeam, renameTeam,
 * scheduleMatch, rescheduleMatch, recordResult, dismissFlag), and calling a method and replaying an update are
 * the same code path (`League.apply`), as the design note asks.
 *
 * Updates must tolerate arriving in any order, so the model never depends on previous values: every method
 * upserts fields, and each field remembers the stamp (`${timestamp}-${updateId}`, the update's key) that wrote
 * it; an older stamp never overwrites a newer one. The state is therefore the same whatever order the updates
 * are applied in. Validation is derived from the whole state, so an update that breaks a rule (a match against
 * an unknown team, two teams with one name, a result for no match) is kept and flagged for a person.
 */
import { type Flag, TypeRegistry } from '@syncscope/protocols/updatelog';
import { z } from 'zod';
import type { AppModel } from '../engine/app-model.ts';
import { RecordTable, StampTable } from './persistent-tables.ts';

export class MatchStatus {
  static readonly SCHEDULED = new MatchStatus('Scheduled');
  static readonly POSTPONED = new MatchStatus('Postponed');
  static readonly PLAYED = new MatchStatus('Played');
  private constructor(readonly label: string) {}
}

export class Team {
  constructor(
    readonly id: string,
    readonly name?: string,
  ) {}
}

export class Match {
  constructor(
    readonly id: string,
    readonly homeTeamId?: string,
    readonly awayTeamId?: string,
    readonly date?: Date,
    readonly status?: MatchStatus,
  ) {}
}

export class Result {
  /** `id` is the match's id: a match has one result, and recording it again corrects it. */
  constructor(
    readonly id: string,
    readonly homeGoals: number,
    readonly awayGoals: number,
  ) {}
}

export class FlagDismissal {
  constructor(readonly updateId: string) {}
}

/** A stamp orders writes: the timestamp, then the update id (the key's last segment). */
export type Stamp = string;

export function stampOf(timestamp: number, updateId: string): Stamp {
  return `${String(timestamp).padStart(16, '0')}-${updateId}`;
}

export function updateIdOf(stamp: Stamp): string {
  return stamp.slice(stamp.indexOf('-') + 1);
}

const Id = z.string().min(1).max(64);
const statusValues = [MatchStatus.SCHEDULED, MatchStatus.POSTPONED, MatchStatus.PLAYED];
/** The arguments each method accepts, checked after typed JSON is revived. */
const Args = {
  addTeam: z.instanceof(Team).pipe(z.object({ id: Id, name: z.string().trim().min(1).max(40) })),
  renameTeam: z.instanceof(Team).pipe(z.object({ id: Id, name: z.string().trim().min(1).max(40) })),
  scheduleMatch: z.instanceof(Match).pipe(
    z.object({
      id: Id,
      homeTeamId: Id,
      awayTeamId: Id,
      date: z.date(),
      status: z.custom<MatchStatus>((v) => statusValues.includes(v as MatchStatus)),
    }),
  ),
  rescheduleMatch: z.instanceof(Match).pipe(
    z.object({
      id: Id,
      date: z.date().optional(),
      status: z.custom<MatchStatus>((v) => statusValues.includes(v as MatchStatus)).optional(),
    }),
  ),
  recordResult: z
    .instanceof(Result)
    .pipe(z.object({ id: Id, homeGoals: z.number().int().min(0).max(99), awayGoals: z.number().int().min(0).max(99) })),
  dismissFlag: z.instanceof(FlagDismissal).pipe(z.object({ updateId: z.string().min(1) })),
};
export type MethodName = keyof typeof Args;
export const METHODS = Object.keys(Args) as MethodName[];

type Fields = Readonly<Record<string, unknown>>;
type Collection = 'teams' | 'matches' | 'results';

export interface Standing {
  teamId: string;
  name: string;
  played: number;
  won: number;
  drawn: number;
  lost: number;
  goalsFor: number;
  goalsAgainst: number;
  points: number;
}

/** A state's fields as persistent tables (an update copies a few small nodes, not whole collections). */
interface Tables {
  teams: RecordTable<Fields>;
  matches: RecordTable<Fields>;
  results: RecordTable<Fields>;
  stamps: StampTable;
}

/** Each state's tables; a state revived from typed JSON (plain records, frozen) gets them when first used. */
const stateTables = new WeakMap<League, Tables>();

function tablesOf(league: League): Tables {
  let tables = stateTables.get(league);
  if (!tables) {
    tables = {
      teams: RecordTable.from(league.teams),
      matches: RecordTable.from(league.matches),
      results: RecordTable.from(league.results),
      stamps: StampTable.from(league.stamps),
    };
    stateTables.set(league, tables);
  }
  return tables;
}

const asTable = (records: RecordTable<Fields> | Readonly<Record<string, Fields>>) =>
  records instanceof RecordTable ? records : RecordTable.from(records);

/**
 * An own enumerable property built on first read: typed JSON (snapshots, the replica) and the views still find
 * each field as a plain record, in its place among the state's fields.
 */
function lazyField<T>(target: object, name: string, build: () => T): void {
  let value: T | undefined;
  let built = false;
  Object.defineProperty(target, name, {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!built) {
        value = build();
        built = true;
      }
      return value as T;
    },
  });
}

/** The state: field values with the stamp that wrote each, rejected actions, dismissed flags. Immutable. */
export class League {
  /** Records by id (kept in RecordTables; these plain records are built from them when read). */
  readonly teams!: Readonly<Record<string, Fields>>;
  readonly matches!: Readonly<Record<string, Fields>>;
  readonly results!: Readonly<Record<string, Fields>>;
  /** `${collection}/${id}/${field}` -> stamp of the write that set it (kept in a StampTable, likewise). */
  readonly stamps!: Readonly<Record<string, Stamp>>;
  /** Actions that could not be applied at all (unknown method, bad argument): kept, flagged. */
  readonly rejected: readonly Flag[];
  readonly dismissed: readonly string[];

  constructor(
    teams: RecordTable<Fields> | Readonly<Record<string, Fields>> = {},
    matches: RecordTable<Fields> | Readonly<Record<string, Fields>> = {},
    results: RecordTable<Fields> | Readonly<Record<string, Fields>> = {},
    stamps: StampTable | Readonly<Record<string, Stamp>> = StampTable.empty(),
    rejected: readonly Flag[] = [],
    dismissed: readonly string[] = [],
  ) {
    const tables: Tables = {
      teams: asTable(teams),
      matches: asTable(matches),
      results: asTable(results),
      stamps: stamps instanceof StampTable ? stamps : StampTable.from(stamps),
    };
    stateTables.set(this, tables);
    lazyField(this, 'teams', () => tables.teams.toRecord());
    lazyField(this, 'matches', () => tables.matches.toRecord());
    lazyField(this, 'results', () => tables.results.toRecord());
    lazyField(this, 'stamps', () => tables.stamps.toRecord());
    this.rejected = rejected;
    this.dismissed = dismissed;
  }

  static empty(): League {
    return new League();
  }

  /** Replays one action of an update: the method named by `type`, called with its one argument. */
  apply(type: string, data: unknown, stamp: Stamp, actionIndex = 0): League {
    const updateId = updateIdOf(stamp);
    if (!Object.hasOwn(Args, type)) return this.reject({ updateId, actionIndex, rule: 'unknown-method', reason: `no method ${type}` });
    const checked = Args[type as MethodName].safeParse(data);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return this.reject({ updateId, actionIndex, rule: 'invalid-argument', reason: `${type}: ${where}${issue?.message ?? 'invalid'}` });
    }
    switch (type as MethodName) {
      case 'addTeam':
      case 'renameTeam':
        return this.upsert('teams', data as Team, stamp);
      case 'scheduleMatch':
      case 'rescheduleMatch':
        return this.upsert('matches', data as Match, stamp);
      case 'recordResult':
        return this.upsert('results', data as Result, stamp);
      case 'dismissFlag': {
        const target = (data as FlagDismissal).updateId;
        return this.dismissed.includes(target) ? this : this.with({ dismissed: [...this.dismissed, target].sort() });
      }
    }
  }

  private upsert(collection: Collection, value: object, stamp: Stamp): League {
    const record = value as Record<string, unknown>;
    const id = record.id as string;
    const tables = tablesOf(this);
    const existing = tables[collection].get(id);
    // Kept as an instance of the argument's class (with its id), so snapshots carry "@type" and the id of each.
    const fields: Record<string, unknown> = Object.assign(Object.create(Object.getPrototypeOf(value)), existing ?? {}, { id });
    const stamps = tables.stamps;
    const written: Array<[string, Stamp]> = [];
    let changed = !existing;
    for (const [field, fieldValue] of Object.entries(record)) {
      if (field === 'id' || fieldValue === undefined) continue;
      const slot = `${collection}/${id}/${field}`;
      const previous = stamps.get(slot);
      if (previous !== undefined && previous >= stamp) continue;
      written.push([slot, stamp]);
      fields[field] = fieldValue;
      changed = true;
    }
    const created = `${collection}/${id}`;
    const createdStamp = stamps.get(created);
    if (createdStamp === undefined || stamp < createdStamp) {
      written.push([created, stamp]);
      changed = true;
    }
    if (!changed) return this;
    return this.with({ [collection]: tables[collection].set(id, Object.freeze(fields)), stamps: stamps.with(written) });
  }

  /** Keeps an action that could not be applied, flagged (never dropped). */
  reject(flag: Flag): League {
    if (this.rejected.some((f) => f.updateId === flag.updateId && f.actionIndex === flag.actionIndex)) return this;
    const rejected = [...this.rejected, flag].sort((a, b) =>
      a.updateId < b.updateId ? -1 : a.updateId > b.updateId ? 1 : a.actionIndex - b.actionIndex,
    );
    return this.with({ rejected });
  }

  private with(changes: Partial<Tables> & Partial<Pick<League, 'rejected' | 'dismissed'>>): League {
    const tables = tablesOf(this);
    return new League(
      changes.teams ?? tables.teams,
      changes.matches ?? tables.matches,
      changes.results ?? tables.results,
      changes.stamps ?? tables.stamps,
      changes.rejected ?? this.rejected,
      changes.dismissed ?? this.dismissed,
    );
  }

  // --- Views ---

  teamList(): Team[] {
    return Object.entries(this.teams)
      .map(([id, f]) => new Team(id, f.name as string | undefined))
      .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.id.localeCompare(b.id));
  }

  matchList(): Array<{ match: Match; result?: Result }> {
    return Object.entries(this.matches)
      .map(([id, f]) => {
        const match = new Match(id, f.homeTeamId as string, f.awayTeamId as string, f.date as Date, f.status as MatchStatus);
        const r = this.results[id];
        return r ? { match, result: new Result(id, r.homeGoals as number, r.awayGoals as number) } : { match };
      })
      .sort((a, b) => (a.match.date?.getTime() ?? 0) - (b.match.date?.getTime() ?? 0) || a.match.id.localeCompare(b.match.id));
  }

  /** Standings from every result of a match between two known teams that is not postponed. */
  standings(): Standing[] {
    const table = new Map<string, Standing>();
    for (const team of this.teamList()) {
      table.set(team.id, {
        teamId: team.id,
        name: team.name ?? team.id,
        played: 0,
        won: 0,
        drawn: 0,
        lost: 0,
        goalsFor: 0,
        goalsAgainst: 0,
        points: 0,
      });
    }
    for (const { match, result } of this.matchList()) {
      if (!result || match.status === MatchStatus.POSTPONED || match.homeTeamId === match.awayTeamId) continue;
      const home = table.get(match.homeTeamId ?? '');
      const away = table.get(match.awayTeamId ?? '');
      if (!home || !away) continue;
      tally(home, result.homeGoals, result.awayGoals);
      tally(away, result.awayGoals, result.homeGoals);
    }
    return [...table.values()].sort(
      (a, b) =>
        b.points - a.points ||
        b.goalsFor - b.goalsAgainst - (a.goalsFor - a.goalsAgainst) ||
        b.goalsFor - a.goalsFor ||
        a.name.localeCompare(b.name),
    );
  }

  /** Every update breaking a rule, derived from the whole state (so independent of arrival order), minus dismissed. */
  flags(): Flag[] {
    const flags: Flag[] = [...this.rejected];
    const stamps = tablesOf(this).stamps;
    const writer = (slot: string) => updateIdOf(stamps.get(slot) ?? '0-?');
    const byName = new Map<string, string[]>();
    for (const [id, f] of Object.entries(this.teams)) {
      const name = typeof f.name === 'string' ? f.name.trim().toLowerCase() : '';
      if (name) byName.set(name, [...(byName.get(name) ?? []), id]);
    }
    for (const [name, ids] of byName) {
      if (ids.length < 2) continue;
      const sorted = ids.map((id) => ({ id, stamp: stamps.get(`teams/${id}/name`) ?? '' })).sort((a, b) => (a.stamp < b.stamp ? -1 : 1));
      for (const later of sorted.slice(1)) {
        flags.push({
          updateId: updateIdOf(later.stamp),
          actionIndex: 0,
          rule: 'unique-team-name',
          reason: `team ${later.id} is named "${name}" like team ${sorted[0]?.id}`,
        });
      }
    }
    for (const [id, f] of Object.entries(this.matches)) {
      for (const side of ['homeTeamId', 'awayTeamId'] as const) {
        const teamId = f[side];
        if (typeof teamId === 'string' && !this.teams[teamId]) {
          flags.push({
            updateId: writer(`matches/${id}/${side}`),
            actionIndex: 0,
            rule: 'known-team',
            reason: `match ${id} refers to unknown team ${teamId}`,
          });
        }
      }
      if (f.homeTeamId !== undefined && f.homeTeamId === f.awayTeamId) {
        flags.push({
          updateId: writer(`matches/${id}/awayTeamId`),
          actionIndex: 0,
          rule: 'two-teams',
          reason: `match ${id} has ${String(f.homeTeamId)} play itself`,
        });
      }
    }
    for (const id of Object.keys(this.results)) {
      if (!this.matches[id])
        flags.push({
          updateId: writer(`results/${id}/homeGoals`),
          actionIndex: 0,
          rule: 'known-match',
          reason: `result for unknown match ${id}`,
        });
    }
    const seen = new Set<string>();
    return flags.filter((flag) => {
      const key = `${flag.updateId}/${flag.rule}/${flag.reason}`;
      if (this.dismissed.includes(flag.updateId) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
}

function tally(row: Standing, scored: number, conceded: number): void {
  row.played++;
  row.goalsFor += scored;
  row.goalsAgainst += conceded;
  if (scored > conceded) {
    row.won++;
    row.points += 3;
  } else if (scored === conceded) {
    row.drawn++;
    row.points += 1;
  } else {
    row.lost++;
  }
}

/** The classes and enums the league's typed JSON may name. */
export function leagueTypes(): TypeRegistry {
  return new TypeRegistry()
    .registerClass('League', League)
    .registerClass('Team', Team)
    .registerClass('Match', Match)
    .registerClass('Result', Result)
    .registerClass('FlagDismissal', FlagDismissal)
    .registerEnum('MatchStatus', { SCHEDULED: MatchStatus.SCHEDULED, POSTPONED: MatchStatus.POSTPONED, PLAYED: MatchStatus.PLAYED });
}

/** The league as the engine sees any app: an empty state, replay of one action, rejection, derived flags. */
export const leagueApp: AppModel<League> = {
  name: 'League',
  types: leagueTypes(),
  empty: () => League.empty(),
  apply: (state, type, data, stamp, actionIndex) => state.apply(type, data, stamp, actionIndex),
  reject: (state, flag) => state.reject(flag),
  flags: (state) => state.flags(),
  isState: (value): value is League => value instanceof League,
};
