/**
 * Faults in the engine (issue 11), updatelog: a connection closed mid-body and duplicated or reordered deliveries,
 * with real proxies on 127.0.0.1 between real clients and the real object store (examples/faults). Every scenario
 * ends with every client in the same state with nothing pending, and every update the store acknowledged to a
 * client (a PUT answered 200) promoted to the shared log and visible on every client.
 *
 * Transport: HTTP only (S3 PUT, GET, ListObjectsV2); no WebSocket, so the faults are on exchanges. A client
 * flushes its updates one PUT at a time and reads one request at a time, but a flush and a sync run side by side,
 * so two requests can be in flight and their answers can come back in either order (tested below). A PUT's answer
 * has no body (200 and an ETag): "torn mid-body" becomes torn mid-headers there.
 */
import { parseUpdateKey, SHARED_AREA, Update } from '@syncscope/protocols/updatelog';
import { afterEach, describe, expect, it } from 'vitest';
import { cutInsideText, type FaultProxy, prng, seedFrom, startFaultProxy, startTcpProxy, type TcpProxy } from '../faults/index.ts';
import type { FrameInput } from './client/frames.ts';
import { Team } from './model/league.ts';
import { Bench, canonicalState, type LeagueClient, settle } from './scenarios/harness.ts';
import type { RunningServer } from './server/index.ts';

const SEED = seedFrom(11_003);

let bench: Bench;
let server: RunningServer;
let tcp: TcpProxy | undefined;
let proxy: FaultProxy | undefined;
let acknowledged = new Set<string>();

afterEach(async () => {
  await tcp?.close();
  await proxy?.close();
  await bench.close();
  tcp = undefined;
  proxy = undefined;
  acknowledged = new Set();
});

async function setUp(): Promise<void> {
  bench = await Bench.create();
  server = await bench.start();
  tcp = await startTcpProxy({ upstreamPort: Number(new URL(server.url).port) });
  proxy = await startFaultProxy({ upstream: server.url });
}

/** A PUT the store answered 200: that update is acknowledged. */
function recordAcks(frame: FrameInput): void {
  if (frame.kind !== 'response' || frame.meta?.method !== 'PUT' || frame.meta.status !== 200) return;
  const parts = parseUpdateKey(decodeURIComponent(new URL(String(frame.meta.url)).pathname.split('/').slice(2).join('/')));
  if (parts) acknowledged.add(parts.id);
}

function client(userId: string, endpoint: string): Promise<LeagueClient> {
  return bench.client(userId, { endpoint, onFrame: recordAcks });
}

async function sharedIds(): Promise<string[]> {
  const probe = await client('probe', server.url);
  const keys = await probe.s3.listAll(`league/main/${SHARED_AREA}/`);
  bench.forget(probe);
  return keys.map((key) => parseUpdateKey(key)?.id ?? key);
}

/** Converged with nothing pending; every acknowledged update is in the shared log, once; no partial object stored. */
async function converge(clients: LeagueClient[]): Promise<string[]> {
  await settle(server, clients, 15);
  expect(new Set(clients.map(canonicalState)).size).toBe(1);
  const shared = await sharedIds();
  expect(new Set(shared).size).toBe(shared.length);
  for (const id of acknowledged) expect(shared, `acknowledged update ${id}`).toContain(id);
  // What the store holds in user areas is whole updates only: a torn upload never became an object.
  const probe = await client('probe-2', server.url);
  for (const key of await probe.s3.listAll('league/main/user-')) {
    const object = await probe.s3.getObject(key);
    expect(Update.safeParse(JSON.parse(object?.body ?? 'null')).success, key).toBe(true);
  }
  bench.forget(probe);
  return (clients[0] as LeagueClient)
    .state()
    .teamList()
    .map((t) => t.name ?? '');
}

describe('updatelog: a connection closed mid-body', () => {
  it('a PUT torn mid-body: nothing stored, the update stays local and goes again', async () => {
    await setUp();
    const alice = await client('alice', tcp!.url);
    const bob = await client('bob', server.url);
    const cut = tcp!.cut('up', (chunk) => cutInsideText(chunk, '"actions"'));
    await alice.call('addTeam', new Team('t1', 'Rovers'));
    await cut;
    expect(await converge([alice, bob])).toEqual(['Rovers']);
  });

  it("a PUT's answer torn mid-headers: stored but unacknowledged, the same PUT again is accepted", async () => {
    await setUp();
    const alice = await client('alice', tcp!.url);
    const bob = await client('bob', server.url);
    const cut = tcp!.cut('down', (chunk) => cutInsideText(chunk, 'ETag'));
    await alice.call('addTeam', new Team('t1', 'City'));
    await cut;
    expect(await converge([alice, bob])).toEqual(['City']);
  });

  it('a ListObjectsV2 answer torn mid-body: the poll fails and the next one reads from the same key', async () => {
    await setUp();
    const alice = await client('alice', server.url);
    const bob = await client('bob', tcp!.url);
    await alice.call('addTeam', new Team('t1', 'United'));
    await settle(server, [alice, bob]);
    await alice.call('addTeam', new Team('t2', 'Albion'));
    await alice.flush();
    await server.idle();
    const cut = tcp!.cut('down', (chunk) => cutInsideText(chunk, '<Key>'));
    await bob.sync();
    await cut;
    expect(await converge([alice, bob])).toEqual(['Albion', 'United']);
  });

  it("a shared update's GET torn mid-body: the poll stops before it and reads it next time", async () => {
    await setUp();
    const alice = await client('alice', server.url);
    const bob = await client('bob', tcp!.url);
    await alice.call('addTeam', new Team('t1', 'Wanderers'));
    await alice.flush();
    await server.idle();
    const cut = tcp!.cut('down', (chunk) => cutInsideText(chunk, '"actions"'));
    await bob.sync();
    await cut;
    expect(await converge([alice, bob])).toEqual(['Wanderers']);
  });
});

describe('updatelog: duplicated and reordered deliveries', () => {
  it('a PUT delivered twice to the store: both accepted, the update promoted once', async () => {
    await setUp();
    const alice = await client('alice', proxy!.url);
    const bob = await client('bob', server.url);
    const replay = proxy!.http.replay((e) => e.method === 'PUT');
    await alice.call('addTeam', new Team('t1', 'Rangers'));
    expect((await replay).statuses).toEqual([200, 200]);
    expect(await converge([alice, bob])).toEqual(['Rangers']);
  });

  it('a listing and an object read delivered twice: read once', async () => {
    await setUp();
    const alice = await client('alice', server.url);
    const bob = await client('bob', proxy!.url);
    await alice.call('addTeam', new Team('t1', 'Athletic'));
    await alice.flush();
    await server.idle();
    const list = proxy!.http.replay((e) => e.url.includes('list-type=2') && e.url.includes('shared'));
    const read = proxy!.http.replay((e) => e.method === 'GET' && e.url.includes('/shared/'));
    await bob.sync();
    await Promise.all([list, read]);
    expect(await converge([alice, bob])).toEqual(['Athletic']);
  });

  it("a PUT's answer overtaken by the answers of a sync that started after it", async () => {
    await setUp();
    const order: string[] = [];
    const alice = await bench.client('alice', {
      endpoint: proxy!.url,
      onFrame: (frame) => {
        recordAcks(frame);
        if (frame.kind === 'response') order.push(String(frame.meta?.method));
      },
    });
    const bob = await client('bob', server.url);
    await alice.call('addTeam', new Team('t1', 'Town'));
    await settle(server, [alice, bob]);
    // The PUT's answer is held until a sync that starts after the PUT has had all its answers.
    let syncDone!: () => void;
    const synced = new Promise<void>((resolve) => {
      syncDone = resolve;
    });
    const held = proxy!.http.hold((e) => e.method === 'PUT', synced);
    order.length = 0;
    await alice.call('renameTeam', new Team('t1', 'Town FC'));
    await alice.sync();
    syncDone();
    await held;
    await alice.flush();
    expect(order.at(-1)).toBe('PUT');
    expect(order.filter((m) => m === 'GET').length).toBeGreaterThan(0);
    expect(await converge([alice, bob])).toEqual(['Town FC']);
  });

  it(`seeded chaos on every exchange (seed ${SEED}): replays, torn requests and answers, held answers`, async () => {
    await setUp();
    const random = prng(SEED);
    const alice = await client('alice', proxy!.url);
    const bob = await client('bob', proxy!.url);
    proxy!.http.chaos({ prng: random, replay: 0.15, tearResponse: 0.1, tearRequest: 0.1, hold: 0.15 });
    const names: string[] = [];
    for (let i = 0; i < 16; i++) {
      const who = random.chance(0.5) ? alice : bob;
      const name = `Team ${String(i).padStart(2, '0')}`;
      await who.call('addTeam', new Team(`t${i}`, name));
      names.push(name);
      if (random.chance(0.4)) await (random.chance(0.5) ? alice : bob).sync();
    }
    const stats = { ...proxy!.http.stats };
    expect(await converge([alice, bob])).toEqual(names);
    proxy!.http.calm();
    expect(Object.values(stats).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it(`seeded chaos on every layer (seed ${SEED}): torn connections under replayed, torn and held exchanges`, async () => {
    await setUp();
    const random = prng(SEED + 1);
    // client -> TCP proxy (tears connections) -> fault proxy (HTTP faults) -> object store
    const chain = await startTcpProxy({ upstreamPort: proxy!.port });
    try {
      const alice = await client('alice', chain.url);
      const bob = await client('bob', chain.url);
      chain.chaos({ prng: random, cut: 0.05 });
      proxy!.http.chaos({ prng: random, replay: 0.1, tearResponse: 0.05, tearRequest: 0.05, hold: 0.1 });
      const names: string[] = [];
      for (let i = 0; i < 16; i++) {
        const who = random.chance(0.5) ? alice : bob;
        const name = `Layer ${String(i).padStart(2, '0')}`;
        await who.call('addTeam', new Team(`t${i}`, name));
        names.push(name);
        if (random.chance(0.4)) await (random.chance(0.5) ? alice : bob).sync();
      }
      const faults = chain.cuts + Object.values(proxy!.http.stats).reduce((a, b) => a + b, 0);
      chain.disarm();
      proxy!.http.calm();
      expect(await converge([alice, bob])).toEqual(names);
      expect(faults).toBeGreaterThan(0);
    } finally {
      await chain.close();
    }
  });
});
