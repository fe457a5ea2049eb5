/**
 * Faults in the engine (issue 11), linear: a socket closed mid-frame and duplicated or reordered deliveries, with
 * real proxies on 127.0.0.1 between a real client and the real server (examples/faults). Every scenario ends with
 * every client equal to what a fresh client bootstraps from the server, and every transaction the server
 * acknowledged (an ok result in a /change answer the client received) in that state.
 *
 * Transport: HTTP (login, bootstrap, change) plus a WebSocket the server pushes sync actions on. The client sends
 * exactly one WebSocket message per connection (the handshake) and runs its HTTP exchanges one at a time, so
 * "two client messages swapped" and "answers in another order than several requests in flight" cannot happen
 * here. The nearest real faults are injected instead: the handshake delivered twice, and an answer overtaken by
 * the WebSocket push of the same change (the client sees its change's sync id before its acknowledgement).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cutInsideDataFrame,
  cutInsideText,
  type FaultProxy,
  prng,
  seedFrom,
  startFaultProxy,
  startTcpProxy,
  type TcpProxy,
} from '../faults/index.ts';
import { createNodeClient, MemoryStore, type SyncClient } from './client/node.ts';
import type { FrameInput } from './client/wire.ts';
import { Harness, issue, newIssue, waitFor } from './scenarios/scenarios.ts';

const SEED = seedFrom(11_000);

let h: Harness;
let tcp: TcpProxy;
let proxy: FaultProxy;
const started: SyncClient[] = [];
/** Transaction ids the server acknowledged to a client, and the issue each one created. */
const acknowledged = new Map<string, string>();
const created = new Map<string, string>();

beforeAll(async () => {
  h = new Harness();
  await h.start();
  const port = Number(new URL(h.server.url).port);
  tcp = await startTcpProxy({ upstreamPort: port });
  proxy = await startFaultProxy({ upstream: h.server.url });
});
afterEach(async () => {
  tcp.disarm();
  proxy.ws.calm();
  for (const client of started.splice(0)) await client.stop();
});
afterAll(async () => {
  await tcp?.close();
  await proxy?.close();
  await h?.close();
});

/** Records every ok result of a /change answer the client got: what the server acknowledged. */
function recordAcks(frame: FrameInput): void {
  if (frame.kind !== 'response' || !frame.meta?.url?.endsWith('/change') || !frame.text) return;
  try {
    const body = JSON.parse(frame.text) as { results?: Array<{ id: string; ok: boolean }> };
    for (const result of body.results ?? []) if (result.ok) acknowledged.set(result.id, created.get(result.id) ?? '');
  } catch {
    // A torn answer never reaches the observer as a response; anything else unparsable acknowledges nothing.
  }
}

async function client(name: string, server: string, watch?: (frame: FrameInput) => void): Promise<SyncClient> {
  const c = createNodeClient({
    server,
    username: name.startsWith('bob') ? 'bob' : 'alice',
    password: name.startsWith('bob') ? 'bob-pw' : 'alice-pw',
    clientId: name,
    store: new MemoryStore(),
    reconnectDelayMs: 30,
    onFrame: (frame) => {
      recordAcks(frame);
      watch?.(frame);
    },
  });
  started.push(c);
  await c.start();
  return c;
}

async function createIssue(c: SyncClient, id: string, title: string): Promise<void> {
  const tx = await c.create(newIssue(id, title));
  created.set(tx, id);
}

/** Converged, and every acknowledged creation is in the server's truth. */
async function convergeKeepingAcks(clients: SyncClient[]): Promise<Record<string, unknown>> {
  const truth = await h.converge(clients);
  for (const [tx, id] of acknowledged) if (id) expect(truth, `acknowledged ${tx} (${id})`).toHaveProperty([issue(id)]);
  return truth;
}

describe('linear: a socket closed mid-frame', () => {
  it('a sync push torn inside its WebSocket frame: the client reconnects and takes the delta', async () => {
    const alice = await client('alice-torn-push', tcp.url);
    const bob = await client('bob-torn-push', h.server.url);
    const cut = tcp.cut('down', (chunk) => cutInsideText(chunk, '"cmd":"sync"'));
    await bob.update('Issue', 'issue-1', { title: 'pushed while the frame tore' });
    const report = await cut;
    expect(report.delivered).toBeLessThan(report.length);
    const truth = await convergeKeepingAcks([alice, bob]);
    expect(truth[issue('issue-1')]).toMatchObject({ title: 'pushed while the frame tore' });
  });

  it('the handshake torn inside its (masked) client frame: the client retries on a new socket', async () => {
    const cut = tcp.cut('up', (chunk, info) => (info.index > 0 ? cutInsideDataFrame(chunk, 0.5, (p) => p.includes('"hshk"')) : undefined));
    const startedAlice = client('alice-torn-hshk', tcp.url);
    await cut;
    const alice = await startedAlice;
    await createIssue(alice, 'issue-torn-hshk', 'made after a torn handshake');
    await convergeKeepingAcks([alice]);
  });

  it('a /change request torn mid-body: nothing applied, the client resends, the change lands once', async () => {
    const alice = await client('alice-torn-req', tcp.url);
    const cut = tcp.cut('up', (chunk) => cutInsideText(chunk, '"transactions"'));
    await createIssue(alice, 'issue-torn-request', 'sent again after a torn upload');
    await cut;
    const truth = await convergeKeepingAcks([alice]);
    expect(truth[issue('issue-torn-request')]).toMatchObject({ title: 'sent again after a torn upload' });
  });

  it('a /change answer torn mid-body: applied but unacknowledged, the resend gets the same answer', async () => {
    const alice = await client('alice-torn-answer', tcp.url);
    const bob = await client('bob-torn-answer', h.server.url);
    const cut = tcp.cut('down', (chunk) => cutInsideText(chunk, '"results"'));
    await createIssue(alice, 'issue-torn-answer', 'acknowledged on the second try');
    await cut;
    const truth = await convergeKeepingAcks([alice, bob]);
    expect(Object.keys(truth).filter((k) => k === issue('issue-torn-answer'))).toHaveLength(1);
    expect(alice.rejections).toEqual([]);
  });

  it('a streamed bootstrap torn mid-body: the client bootstraps again', async () => {
    const cut = tcp.cut('down', (chunk) => cutInsideText(chunk, '"__class":"Issue"'));
    const alice = await client('alice-torn-bootstrap', tcp.url);
    await cut;
    await convergeKeepingAcks([alice]);
  });
});

describe('linear: duplicated and reordered deliveries', () => {
  it('a sync push delivered twice is applied once', async () => {
    const alice = await client('alice-dup-push', proxy.url);
    const bob = await client('bob-dup-push', h.server.url);
    const dup = proxy.ws.duplicate('down', (m) => m.data.includes('"cmd":"sync"'));
    await bob.update('Issue', 'issue-2', { title: 'pushed twice' });
    await dup;
    const truth = await convergeKeepingAcks([alice, bob]);
    expect(truth[issue('issue-2')]).toMatchObject({ title: 'pushed twice' });
  });

  it('two sync pushes swapped: the older one is stale and dropped, the newer one stands', async () => {
    const alice = await client('alice-swap-push', proxy.url);
    const bob = await client('bob-swap-push', h.server.url);
    const swap = proxy.ws.swap('down', (m) => m.data.includes('first of two'));
    await bob.update('Issue', 'issue-2', { description: 'first of two' });
    await bob.update('Issue', 'issue-2', { description: 'second of two' });
    expect((await swap).overtakenBy?.data.toString()).toContain('second of two');
    const truth = await convergeKeepingAcks([alice, bob]);
    expect(truth[issue('issue-2')]).toMatchObject({ description: 'second of two' });
  });

  it('the handshake delivered twice (the only client message on the socket): one session, no harm', async () => {
    const dup = proxy.ws.duplicate('up', (m) => m.data.includes('"hshk"'));
    const alice = await client('alice-dup-hshk', proxy.url);
    await dup;
    await createIssue(alice, 'issue-dup-hshk', 'after a doubled handshake');
    await convergeKeepingAcks([alice]);
  });

  it('a /change request delivered twice to the server: applied once, both answers the same', async () => {
    const alice = await client('alice-replay', proxy.url);
    const bob = await client('bob-replay', h.server.url);
    const replay = proxy.http.replay((e) => e.url === '/change');
    await createIssue(alice, 'issue-replayed', 'replayed by the network');
    expect((await replay).statuses).toEqual([200, 200]);
    const truth = await convergeKeepingAcks([alice, bob]);
    expect(truth[issue('issue-replayed')]).toMatchObject({ title: 'replayed by the network' });
    expect(alice.rejections).toEqual([]);
  });

  it('the /change answer overtaken by the push of the same change: the sync id is seen before the acknowledgement', async () => {
    let pushSeen!: () => void;
    const seen = new Promise<void>((resolve) => {
      pushSeen = resolve;
    });
    const alice = await client('alice-overtaken', proxy.url, (frame) => {
      if (frame.kind === 'message' && frame.dir === 'in' && frame.text?.includes('overtaken answer')) pushSeen();
    });
    const held = proxy.http.hold((e) => e.url === '/change', seen);
    await createIssue(alice, 'issue-overtaken', 'overtaken answer');
    await held;
    await convergeKeepingAcks([alice]);
    expect(alice.queue).toEqual([]);
  });

  it("the /change answer overtaken by the push of someone else's later change to the same field: the later value stands", async () => {
    let laterSeen!: () => void;
    const seen = new Promise<void>((resolve) => {
      laterSeen = resolve;
    });
    const alice = await client('alice-late-ack', proxy.url, (frame) => {
      if (frame.kind === 'message' && frame.dir === 'in' && frame.text?.includes('later, by bob')) laterSeen();
    });
    const bob = await client('bob-late-ack', h.server.url);
    const held = proxy.http.hold((e) => e.url === '/change', seen);
    await alice.update('Issue', 'issue-1', { description: 'earlier, by alice' });
    await waitFor(
      "bob to see alice's change",
      () => (bob.pool.get(issue('issue-1'))?.model as { description?: string } | undefined)?.description === 'earlier, by alice',
    );
    await bob.update('Issue', 'issue-1', { description: 'later, by bob' });
    await held;
    const truth = await convergeKeepingAcks([alice, bob]);
    expect(truth[issue('issue-1')]).toMatchObject({ description: 'later, by bob' });
  });

  it(`seeded chaos on the pushes (seed ${SEED}): duplicates and swaps while two clients edit`, async () => {
    const random = prng(SEED);
    proxy.ws.chaos({ prng: random, duplicate: 0.3, swap: 0.3, dirs: ['down'] });
    const alice = await client('alice-chaos', proxy.url);
    const bob = await client('bob-chaos', proxy.url);
    const before = { ...proxy.ws.stats };
    for (let i = 0; i < 24; i++) {
      const who = random.chance(0.5) ? alice : bob;
      const target = random.chance(0.5) ? 'issue-1' : 'issue-2';
      if (random.chance(0.25)) await createIssue(who, `issue-chaos-${SEED}-${i}`, `chaos ${i}`);
      else await who.update('Issue', target, { description: `chaos ${i} by ${who.clientId}` });
      if (random.chance(0.3)) await waitFor('a flush', () => who.queue.every((q) => q.syncId !== undefined));
    }
    proxy.ws.calm();
    await convergeKeepingAcks([alice, bob]);
    expect(proxy.ws.stats.duplicated - before.duplicated + proxy.ws.stats.swapped - before.swapped).toBeGreaterThan(0);
  });

  it(`seeded chaos on every layer (seed ${SEED}): torn connections, replayed, torn and held exchanges, doubled pushes`, async () => {
    const random = prng(SEED + 1);
    // client -> TCP proxy (tears connections) -> fault proxy (HTTP and WebSocket faults) -> server
    const chain = await startTcpProxy({ upstreamPort: proxy.port });
    try {
      const alice = await client('alice-layers', chain.url);
      const bob = await client('bob-layers', chain.url);
      chain.chaos({ prng: random, cut: 0.06 });
      // No swaps in this layer: a held push lost with its torn connection while the push after it got through is
      // something TCP can never do (a later byte delivered, an earlier one not), and linear cannot recover from it
      // by design: a reconnect asks for the delta after the highest sync id seen, and sync ids are global across
      // teams, so the client cannot see the hole. Swaps alone are covered above; they converge.
      proxy.ws.chaos({ prng: random, duplicate: 0.2, dirs: ['down'] });
      proxy.http.chaos({ prng: random, replay: 0.15, tearResponse: 0.1, tearRequest: 0.1, hold: 0.1 });
      for (let i = 0; i < 20; i++) {
        const who = random.chance(0.5) ? alice : bob;
        if (random.chance(0.4)) await createIssue(who, `issue-layers-${SEED}-${i}`, `layers ${i}`);
        else await who.update('Issue', random.chance(0.5) ? 'issue-1' : 'issue-2', { description: `layers ${i} by ${who.clientId}` });
        if (random.chance(0.3)) await new Promise((resolve) => setTimeout(resolve, random.int(5, 40)));
      }
      const faults =
        chain.cuts + proxy.ws.stats.duplicated + proxy.ws.stats.swapped + Object.values(proxy.http.stats).reduce((a, b) => a + b, 0);
      chain.disarm();
      proxy.ws.calm();
      proxy.http.calm();
      try {
        await convergeKeepingAcks([alice, bob]);
      } catch (e) {
        const truth = await h.truth();
        for (const c of [alice, bob]) {
          const snap = c.pool.snapshot();
          const keys = new Set([...Object.keys(truth), ...Object.keys(snap)]);
          const diff = [...keys].filter((k) => JSON.stringify(truth[k]) !== JSON.stringify(snap[k]));
          console.log(
            c.clientId,
            c.status,
            c.lastSyncId,
            JSON.stringify(c.queue),
            diff.map((k) => [k, truth[k], snap[k]]),
          );
        }
        throw e;
      }
      expect(faults).toBeGreaterThan(0);
    } finally {
      await chain.close();
    }
  });
});
