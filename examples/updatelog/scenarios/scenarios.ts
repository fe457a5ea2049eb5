/**
 * The engine's scenarios, run over real sockets on 127.0.0.1: each returns what its test checks, and takes an
 * optional frame observer so scripts/record-fixtures.ts can record its traffic.
 */
import { parseUpdateKey, promotedMetaFromHeaders, SHARED_AREA } from '@syncscope/protocols/updatelog';
import { FlagDismissal, Match, MatchStatus, Result, Team } from '../model/league.ts';
import { Bench, canonicalState, type ScenarioOptions, settle } from './harness.ts';

const KICKOFF = new Date('2024-05-04T15:00:00.000Z');

/** Offline edits are saved locally, survive a reload, and reach everyone after reconnecting. */
export async function offlineReconnect(options: ScenarioOptions = {}) {
  const bench = await Bench.create();
  try {
    const server = await bench.start();
    const alice = await bench.client('alice', options);
    const bob = await bench.client('bob', options);
    await alice.call('addTeam', new Team('t1', 'Rovers'));
    await alice.call('addTeam', new Team('t2', 'City'));
    await settle(server, [alice, bob]);
    alice.setOnline(false);
    await alice.call('renameTeam', new Team('t1', 'Rovers FC'));
    await alice.call('scheduleMatch', new Match('m1', 't1', 't2', KICKOFF, MatchStatus.SCHEDULED));
    const offlineView = alice
      .state()
      .teamList()
      .map((t) => t.name);
    await bob.call('addTeam', new Team('t3', 'United'));
    // A reload: the old instance is gone, a new one opens the same local store.
    bench.forget(alice);
    const reloaded = await bench.client('alice', options);
    const unsavedAfterReload = reloaded.status().unsaved;
    const reloadedView = reloaded
      .state()
      .teamList()
      .map((t) => t.name);
    const rounds = await settle(server, [reloaded, bob]);
    return {
      offlineView,
      unsavedAfterReload,
      reloadedView,
      rounds,
      states: [canonicalState(reloaded), canonicalState(bob)],
      teams: bob
        .state()
        .teamList()
        .map((t) => t.name),
      matches: bob.state().matchList().length,
    };
  } finally {
    await bench.close();
  }
}

/** Two clients rename one team in the same millisecond: the promoter bumps one, both converge on the later. */
export async function concurrentEdits(options: ScenarioOptions = {}) {
  const bench = await Bench.create();
  try {
    const server = await bench.start();
    let clock = 1_800_000_000_000;
    const alice = await bench.client('alice', { ...options, now: () => clock });
    const bob = await bench.client('bob', { ...options, now: () => clock });
    await alice.call('addTeam', new Team('t1', 'Rovers'));
    await settle(server, [alice, bob]);
    clock += 1000;
    alice.setOnline(false);
    bob.setOnline(false);
    await alice.call('renameTeam', new Team('t1', 'Rovers A'));
    await bob.call('renameTeam', new Team('t1', 'Rovers B'));
    alice.setOnline(true);
    bob.setOnline(true);
    await settle(server, [alice, bob]);
    const keys = await alice.s3.listAll(`league/main/${SHARED_AREA}/`);
    const restamps: string[] = [];
    for (const key of keys) {
      const object = await alice.s3.getObject(key);
      const meta = promotedMetaFromHeaders(object?.headers);
      if (meta.restamped) restamps.push(meta.restamped);
    }
    return {
      names: [alice, bob].map((c) => c.state().teamList()[0]?.name),
      timestamps: keys.map((key) => parseUpdateKey(key)?.timestamp),
      restamps,
      states: [canonicalState(alice), canonicalState(bob)],
    };
  } finally {
    await bench.close();
  }
}

/** The server goes down in the middle of a sync (stored updates not yet promoted); a restart loses nothing. */
export async function serverRestart(options: ScenarioOptions = {}) {
  const bench = await Bench.create();
  try {
    const first = await bench.start({ autoPromote: false });
    const port = first.port;
    const alice = await bench.client('alice', options);
    await alice.call('addTeam', new Team('t1', 'Rovers'));
    await alice.call('addTeam', new Team('t2', 'City'));
    const acknowledged = await alice.flush();
    await first.close();
    await alice.call('addTeam', new Team('t3', 'United'));
    await alice.call('scheduleMatch', new Match('m1', 't1', 't3', KICKOFF, MatchStatus.SCHEDULED));
    await alice.call('recordResult', new Result('m1', 1, 1));
    const storedWhileDown = await alice.flush();
    const errorWhileDown = alice.status().lastError;
    const second = await bench.start({ port });
    const bob = await bench.client('bob', options);
    const rounds = await settle(second, [alice, bob]);
    return {
      acknowledged,
      storedWhileDown,
      errorWhileDown,
      rounds,
      teams: bob
        .state()
        .teamList()
        .map((t) => t.name),
      standings: bob
        .state()
        .standings()
        .map((s) => [s.name, s.points]),
      states: [canonicalState(alice), canonicalState(bob)],
    };
  } finally {
    await bench.close();
  }
}

/** An update made offline earlier than one already shared arrives later: restamped, applied, same result everywhere. */
export async function outOfOrder(options: ScenarioOptions = {}) {
  const bench = await Bench.create();
  try {
    const server = await bench.start();
    let clock = 1_800_000_000_000;
    const alice = await bench.client('alice', { ...options, now: () => clock });
    const bob = await bench.client('bob', { ...options, now: () => clock });
    await alice.call('addTeam', new Team('t1', 'Rovers'));
    await alice.call('addTeam', new Team('t2', 'City'));
    await alice.call('scheduleMatch', new Match('m1', 't1', 't2', KICKOFF, MatchStatus.SCHEDULED));
    await settle(server, [alice, bob]);
    alice.setOnline(false);
    clock += 1000;
    await alice.call('recordResult', new Result('m1', 2, 0));
    clock += 1000;
    await bob.call('rescheduleMatch', new Match('m1', undefined, undefined, new Date('2024-05-05T15:00:00.000Z')));
    await settle(server, [bob]);
    alice.setOnline(true);
    const rounds = await settle(server, [alice, bob]);
    const keys = await bob.s3.listAll(`league/main/${SHARED_AREA}/`);
    const last = await bob.s3.getObject(keys.at(-1) as string);
    return {
      rounds,
      lastMeta: promotedMetaFromHeaders(last?.headers),
      match: bob.state().matchList()[0],
      states: [canonicalState(alice), canonicalState(bob)],
    };
  } finally {
    await bench.close();
  }
}

/** Updates breaking a rule are kept and flagged for a person, on every client, and can be dismissed. */
export async function validationFlags(options: ScenarioOptions = {}) {
  const bench = await Bench.create();
  try {
    const server = await bench.start();
    const alice = await bench.client('alice', options);
    const bob = await bench.client('bob', options);
    await alice.call('addTeam', new Team('t1', 'Rovers'));
    await settle(server, [alice, bob]);
    const clash = await bob.call('addTeam', new Team('t2', 'rovers'));
    const orphan = await alice.call('scheduleMatch', new Match('m1', 't1', 't9', KICKOFF, MatchStatus.SCHEDULED));
    await settle(server, [alice, bob]);
    const flagged = bob
      .state()
      .flags()
      .map((f) => ({ updateId: f.updateId, rule: f.rule }));
    const validationHeaders: string[] = [];
    for (const key of await alice.s3.listAll(`league/main/${SHARED_AREA}/`)) {
      const meta = promotedMetaFromHeaders((await alice.s3.getObject(key))?.headers);
      if (meta.validation) validationHeaders.push(meta.validation);
    }
    await bob.call('dismissFlag', new FlagDismissal(clash.id));
    await settle(server, [alice, bob]);
    return {
      clash: clash.id,
      orphan: orphan.id,
      flagged,
      validationHeaders,
      afterDismiss: alice
        .state()
        .flags()
        .map((f) => f.updateId),
      teams: alice.state().teamList().length,
      states: [canonicalState(alice), canonicalState(bob)],
    };
  } finally {
    await bench.close();
  }
}

/** Roll-ups write immutable snapshots; a new client starts from the latest and reads only the updates after it. */
export async function snapshots(options: ScenarioOptions = {}) {
  const bench = await Bench.create();
  try {
    const server = await bench.start();
    const alice = await bench.client('alice', { ...options, pageSize: 2 });
    for (const [id, name] of [
      ['t1', 'Rovers'],
      ['t2', 'City'],
      ['t3', 'United'],
    ]) {
      await alice.call('addTeam', new Team(id as string, name));
    }
    await alice.call('scheduleMatch', new Match('m1', 't1', 't2', KICKOFF, MatchStatus.SCHEDULED));
    await alice.call('recordResult', new Result('m1', 4, 2));
    await settle(server, [alice]);
    const snapshotKey = await server.rollup();
    const again = await server.rollup();
    const response = await fetch(`${server.url}/${server.bucket}/${snapshotKey}`);
    const cacheControl = response.headers.get('cache-control');
    await response.arrayBuffer();
    await alice.call('renameTeam', new Team('t2', 'City FC'));
    await settle(server, [alice]);
    const carol = await bench.client('carol', { ...options, pageSize: 2 });
    await carol.sync();
    return {
      snapshotKey,
      again,
      cacheControl,
      carolSnapshot: carol.status().snapshotTimestamp,
      carolStandings: carol
        .state()
        .standings()
        .map((s) => [s.name, s.points]),
      states: [canonicalState(alice), canonicalState(carol)],
    };
  } finally {
    await bench.close();
  }
}

export const SCENARIOS = { offlineReconnect, concurrentEdits, serverRestart, outOfOrder, validationFlags, snapshots } as const;
