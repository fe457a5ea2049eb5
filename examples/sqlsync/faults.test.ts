/**
 * Faults in the engine (issue 11), sqlsync: a socket closed mid-frame and duplicated or reordered deliveries, with
 * real proxies on 127.0.0.1 between real Node clients and the real server (examples/faults). Every scenario ends
 * with every client's todos equal to the server's, all of each client's timeline applied into storage, and every
 * mutation the server acknowledged (its timeline-range covered the mutation's LSN) in the final state.
 *
 * Transport: one WebSocket, JSON text, both directions carry several kinds of message (open, timeline-sync,
 * storage-range up; timeline-range, storage-sync down), so every fault applies in both directions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mutation } from '@syncscope/protocols/sqlsync';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cutInsideDataFrame,
  cutInsideText,
  type FaultProxy,
  type Prng,
  prng,
  seedFrom,
  startFaultProxy,
  startTcpProxy,
  type TcpProxy,
  waitUntil,
} from '../faults/index.ts';
import { NodeSqlsyncClient } from './client/node-client.ts';
import { type RunningServer, startServer } from './server/index.ts';
import type { Todo } from './shared/mutations.ts';

const SEED = seedFrom(11_001);
const dataDir = mkdtempSync(join(tmpdir(), 'sqlsync-faults-'));
let server: RunningServer;
let tcp: TcpProxy;
let proxy: FaultProxy;
let clients: NodeSqlsyncClient[] = [];
/** Per document: the todo ids whose AddTodo the server acknowledged to its client (timeline-range covered it). */
const acknowledged = new Map<string, Set<string>>();

beforeAll(async () => {
  server = await startServer({ port: 0, host: '127.0.0.1', dataDir });
  tcp = await startTcpProxy({ upstreamPort: Number(new URL(server.url).port) });
  proxy = await startFaultProxy({ upstream: server.url });
});
afterEach(async () => {
  tcp.disarm();
  proxy.ws.calm();
  for (const client of clients) await client.close();
  clients = [];
});
afterAll(async () => {
  await tcp?.close();
  await proxy?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A connected client; its AddTodo mutations are remembered with their LSNs to tell which the server acknowledged. */
async function open(name: string, url: string, doc: string): Promise<NodeSqlsyncClient & { add(id: string, text: string): void }> {
  const adds = new Map<number, string>();
  const acks = acknowledged.get(doc) ?? new Set<string>();
  acknowledged.set(doc, acks);
  const client = new NodeSqlsyncClient({
    url,
    doc,
    timeline: `tl-${name}`,
    name,
    onFrame: (frame) => {
      if (frame.dir !== 'in' || !frame.text?.includes('"timeline-range"')) return;
      const range = (JSON.parse(frame.text) as { range: { last: number } | null }).range;
      if (range) for (const [lsn, id] of adds) if (lsn <= range.last) acks.add(id);
    },
  });
  clients.push(client);
  await client.connect();
  return Object.assign(client, {
    add(id: string, text: string) {
      const lsn = client.timeline.next;
      const outcome = client.mutate({ tag: 'AddTodo', id, text });
      if (!outcome.ok) throw new Error(`${name}: local AddTodo ${id} refused: ${outcome.reason}`);
      adds.set(lsn, id);
    },
  });
}

function serverTodos(doc: string): Todo[] {
  return server.coordinator
    .query(doc, 'SELECT id, text, done FROM todos ORDER BY id')
    .map((row) => ({ id: String(row.id), text: String(row.text), done: Number(row.done) === 1 }));
}

function serverStorageLast(doc: string): number {
  return Number(server.coordinator.query(doc, 'SELECT COALESCE(MAX(lsn), -1) AS last FROM sqlsync_storage')[0]?.last ?? -1);
}

/** Every client connected, settled, holding all of storage, with the server's todos; acknowledged adds all there. */
async function converge(doc: string, members: readonly NodeSqlsyncClient[]): Promise<Todo[]> {
  await waitUntil(`the clients of ${doc} to converge`, () => {
    const last = serverStorageLast(doc);
    const truth = JSON.stringify(serverTodos(doc));
    return members.every(
      (c) => c.status === 'connected' && c.settled && (c.storage.range?.last ?? -1) === last && JSON.stringify(c.todos()) === truth,
    );
  });
  const todos = serverTodos(doc);
  const ids = new Set(todos.map((t) => t.id));
  for (const id of acknowledged.get(doc) ?? []) expect(ids, `acknowledged ${id}`).toContain(id);
  for (const c of members) expect(c.errors.filter((e) => e.code !== 'lsn-gap')).toEqual([]);
  return todos;
}

/**
 * 30 seeded steps by random members: add a todo, or edit one the member sees (`edit`), sometimes pausing a few ms.
 * Returns the ids added, which must all survive.
 */
async function randomEdits(
  random: Prng,
  members: ReadonlyArray<Awaited<ReturnType<typeof open>>>,
  options: { prefix: string; text: (step: number) => string; edit: (pick: Todo) => Mutation; pause: [number, number] },
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const who = members[random.int(0, members.length - 1)] as (typeof members)[number];
    const known = who.todos();
    const pick = known[random.int(0, Math.max(0, known.length - 1))];
    if (!pick || random.chance(0.5)) {
      const id = `${options.prefix}${String(i).padStart(2, '0')}`;
      who.add(id, options.text(i));
      ids.push(id);
    } else who.mutate(options.edit(pick));
    if (random.chance(0.3)) await new Promise((resolve) => setTimeout(resolve, random.int(...options.pause)));
  }
  return ids;
}

const isMessage = (type: string) => (payload: Buffer) => payload.includes(`"type":"${type}"`);

describe('sqlsync: a socket closed mid-frame', () => {
  it('a storage-sync torn inside its frame: the client reconnects and takes storage from where it is', async () => {
    const alice = await open('alice', tcp.url, 'torn-storage');
    const bob = await open('bob', server.url, 'torn-storage');
    const cut = tcp.cut('down', (chunk) => cutInsideText(chunk, '"storage-sync"'));
    bob.add('milk', 'buy milk');
    await cut;
    const todos = await converge('torn-storage', [alice, bob]);
    expect(todos.map((t) => t.id)).toEqual(['milk']);
  });

  it('a timeline-sync torn inside its (masked) frame: nothing received, the client sends its timeline again', async () => {
    const alice = await open('alice', tcp.url, 'torn-timeline');
    const cut = tcp.cut('up', (chunk, info) => (info.index > 0 ? cutInsideDataFrame(chunk, 0.5, isMessage('timeline-sync')) : undefined));
    alice.add('bread', 'buy bread');
    alice.add('eggs', 'buy eggs');
    await cut;
    const todos = await converge('torn-timeline', [alice]);
    expect(todos.map((t) => t.id)).toEqual(['bread', 'eggs']);
  });

  it('a timeline-range torn inside its frame: received but unacknowledged, the resend is recognised', async () => {
    const alice = await open('alice', tcp.url, 'torn-range');
    const bob = await open('bob', server.url, 'torn-range');
    const cut = tcp.cut('down', (chunk) => cutInsideText(chunk, '"timeline-range"'));
    alice.add('jam', 'buy jam');
    await cut;
    const todos = await converge('torn-range', [alice, bob]);
    expect(todos.map((t) => t.id)).toEqual(['jam']);
  });
});

describe('sqlsync: duplicated and reordered deliveries', () => {
  it('a timeline-sync delivered twice: its entries are stored once', async () => {
    const alice = await open('alice', proxy.url, 'dup-timeline');
    const dup = proxy.ws.duplicate('up', (m) => isMessage('timeline-sync')(m.data));
    alice.add('tea', 'buy tea');
    await dup;
    const todos = await converge('dup-timeline', [alice]);
    expect(todos).toEqual([{ id: 'tea', text: 'buy tea', done: false }]);
  });

  it('a storage-sync and an open delivered twice: applied once', async () => {
    const dupOpen = proxy.ws.duplicate('up', (m) => isMessage('open')(m.data));
    const alice = await open('alice', proxy.url, 'dup-storage');
    await dupOpen;
    const bob = await open('bob', server.url, 'dup-storage');
    const dup = proxy.ws.duplicate('down', (m) => isMessage('storage-sync')(m.data));
    bob.add('rice', 'buy rice');
    bob.mutate({ tag: 'ToggleDone', id: 'rice', done: true });
    await dup;
    const todos = await converge('dup-storage', [alice, bob]);
    expect(todos).toEqual([{ id: 'rice', text: 'buy rice', done: true }]);
  });

  it('a timeline-range overtaken by the storage-sync that follows it', async () => {
    const alice = await open('alice', proxy.url, 'swap-down');
    const swap = proxy.ws.swap('down', (m) => isMessage('timeline-range')(m.data));
    alice.add('oats', 'buy oats');
    expect((await swap).overtakenBy?.data.toString()).toContain('"storage-sync"');
    const todos = await converge('swap-down', [alice]);
    expect(todos.map((t) => t.id)).toEqual(['oats']);
  });

  it("a storage-range overtaken by the client's next timeline-sync", async () => {
    const alice = await open('alice', proxy.url, 'swap-up');
    const bob = await open('bob', server.url, 'swap-up');
    const swap = proxy.ws.swap('up', (m) => isMessage('storage-range')(m.data));
    // Alice edits the moment Bob's change reaches her: her storage-range and her timeline-sync leave together.
    let reacted = false;
    const stop = alice.subscribe(() => {
      if (reacted || !alice.todos().some((t) => t.id === 'salt')) return;
      reacted = true;
      alice.add('pepper', 'buy pepper');
    });
    bob.add('salt', 'buy salt');
    expect((await swap).overtakenBy?.data.toString()).toContain('"timeline-sync"');
    stop();
    const todos = await converge('swap-up', [alice, bob]);
    expect(todos.map((t) => t.id)).toEqual(['pepper', 'salt']);
  });

  it(`seeded chaos in both directions (seed ${SEED}): duplicates and swaps while three clients edit`, async () => {
    const random = prng(SEED);
    proxy.ws.chaos({ prng: random, duplicate: 0.25, swap: 0.25 });
    const doc = 'chaos';
    const members = [await open('alice', proxy.url, doc), await open('bob', proxy.url, doc), await open('carol', proxy.url, doc)];
    const ids = await randomEdits(random, members, {
      prefix: 't',
      text: (i) => `todo ${i}`,
      edit: (pick) =>
        random.chance(0.5) ? { tag: 'ToggleDone', id: pick.id, done: !pick.done } : { tag: 'SetText', id: pick.id, text: `${pick.text}!` },
      pause: [1, 15],
    });
    const stats = { ...proxy.ws.stats };
    proxy.ws.calm();
    const todos = await converge(doc, members);
    expect(todos.map((t) => t.id)).toEqual(ids.sort());
    expect(stats.duplicated + stats.swapped).toBeGreaterThan(0);
  });

  it(`seeded chaos on every layer (seed ${SEED}): torn connections, doubled and swapped messages, three clients`, async () => {
    const random = prng(SEED + 1);
    // client -> TCP proxy (tears connections) -> fault proxy (WebSocket faults) -> server
    const chain = await startTcpProxy({ upstreamPort: proxy.port });
    try {
      const doc = 'layers';
      const members = [await open('alice', chain.url, doc), await open('bob', chain.url, doc), await open('carol', chain.url, doc)];
      chain.chaos({ prng: random, cut: 0.06 });
      proxy.ws.chaos({ prng: random, duplicate: 0.2, swap: 0.2 });
      const ids = await randomEdits(random, members, {
        prefix: 'l',
        text: (i) => `layered ${i}`,
        edit: (pick) => ({ tag: 'SetText', id: pick.id, text: `${pick.text}+` }),
        pause: [5, 30],
      });
      const faults = chain.cuts + proxy.ws.stats.duplicated + proxy.ws.stats.swapped;
      chain.disarm();
      proxy.ws.calm();
      const todos = await converge(doc, members);
      expect(todos.map((t) => t.id)).toEqual(ids.sort());
      expect(faults).toBeGreaterThan(0);
    } finally {
      await chain.close();
    }
  });
});
