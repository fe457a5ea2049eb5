/**
 * Faults in the engine (issue 11), temporal: a socket closed mid-frame and duplicated or reordered deliveries, with
 * real proxies on 127.0.0.1 between real Node clients and the real Worker in workerd (Miniflare; examples/faults).
 * Every scenario ends with every client's confirmed copy equal to what a fresh client fetches, and every change the
 * server acknowledged (a 2xx answer to a post or patchDiff the client received) in that value.
 *
 * Transport: one WebSocket, binary CBOR, requests up and answers plus subscription updates down. A client has at
 * most one change in flight per entity, so several are in flight only across entities: the reordered answers are
 * answers to changes of two different entities.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeWire } from '../../protocols/temporal/codec.ts';
import {
  cutInsideDataFrame,
  type FaultProxy,
  prng,
  seedFrom,
  startFaultProxy,
  startTcpProxy,
  type TcpProxy,
  type WsMessage,
} from '../faults/index.ts';
import { createNodeClient, type TemporalClient } from './client/node-client.ts';
import { tempDir, withServer } from './test-helpers.ts';

const SEED = seedFrom(11_004);
const data = tempDir();
let server: Awaited<ReturnType<typeof withServer>>;
/** Frames as workerd negotiates them (permessage-deflate): a torn frame can only be picked by position. */
let tcpDeflate: TcpProxy;
/** The deflate offer taken out of the upgrade, so a cut rule can decode which message it tears. */
let tcp: TcpProxy;
let proxy: FaultProxy;
const clients: TemporalClient[] = [];
/** Per entity id: the fields (name -> value) of every change the server acknowledged. */
const acknowledged = new Map<string, Array<Record<string, unknown>>>();
/** requestID -> the entity and the fields that change sets, for the acknowledgement check. */
const sent = new Map<string, { entity: string; fields: Record<string, unknown> }>();

beforeAll(async () => {
  server = await withServer(data.dir);
  tcpDeflate = await startTcpProxy({ upstreamPort: server.port });
  tcp = await startTcpProxy({ upstreamPort: server.port, plainWebSocketFrames: true });
  proxy = await startFaultProxy({ upstream: server.url });
});
afterEach(() => {
  tcp.disarm();
  tcpDeflate.disarm();
  proxy.ws.calm();
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await tcp?.close();
  await tcpDeflate?.close();
  await proxy?.close();
  await server?.close();
  data.remove();
});

const org = (id: string) => ({ id, type: 'org' });

/** The decoded message a WebSocket payload holds (CBOR), or undefined. */
function wire(payload: Buffer): { kind?: string; method?: string; status?: number; requestID?: string } | undefined {
  const decoded = decodeWire(new Uint8Array(payload));
  return decoded.ok && typeof decoded.value === 'object' && decoded.value !== null ? (decoded.value as never) : undefined;
}
const isKind = (kind: string, method?: string) => (payload: Buffer) => {
  const m = wire(payload);
  return m?.kind === kind && (method === undefined || m.method === method);
};
const message = (kind: string, method?: string) => (m: WsMessage) => isKind(kind, method)(m.data);

function open(name: string, url: string, personID = 'alice'): TemporalClient {
  const c = createNodeClient({
    serverURL: url,
    personID,
    name,
    reconnectDelayMs: 30,
    onFrame: (frame) => {
      if (frame.kind !== 'message' || !frame.b64) return;
      const m = wire(Buffer.from(frame.b64, 'base64'));
      if (m?.kind !== 'response' || !m.requestID || (m.status ?? 500) >= 300) return;
      const change = sent.get(m.requestID);
      if (change) acknowledged.set(change.entity, [...(acknowledged.get(change.entity) ?? []), change.fields]);
    },
  });
  clients.push(c);
  return c;
}

/** A change of `fields` on an entity, remembered by its requestID to check acknowledgements against. */
function change(c: TemporalClient, id: string, fields: Record<string, unknown>): void {
  const requestID = crypto.randomUUID();
  c.patch(org(id), fields, requestID);
  sent.set(requestID, { entity: id, fields });
}

/** What a fresh client fetches now. */
async function truth(id: string): Promise<Record<string, unknown> | undefined> {
  const probe = open(`probe-${clients.length}`, server.url, 'probe');
  await probe.connect();
  probe.subscribe(org(id));
  await probe.whenSynced();
  return probe.view(org(id)).confirmed?.value;
}

/** Every client synced and equal to the truth; every acknowledged change's fields in it (unless a later one overwrote them). */
async function converge(id: string, members: TemporalClient[]): Promise<Record<string, unknown>> {
  let value: Record<string, unknown> | undefined;
  for (let round = 0; round < 50; round++) {
    await Promise.all(members.map((m) => m.whenSynced(20_000)));
    value = await truth(id);
    if (members.every((m) => JSON.stringify(m.view(org(id)).confirmed?.value) === JSON.stringify(value))) break;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  for (const m of members) expect(m.view(org(id)).confirmed?.value, m.view(org(id)).ref.id).toEqual(value);
  for (const fields of acknowledged.get(id) ?? [])
    for (const [field, v] of Object.entries(fields)) if (field.startsWith('k')) expect(value?.[field], `acknowledged ${field}`).toEqual(v);
  return value ?? {};
}

async function created(c: TemporalClient, id: string, value: Record<string, unknown>): Promise<void> {
  await c.connect();
  c.create(org(id), value);
  await c.whenSynced();
}

describe('temporal: a socket closed mid-frame', () => {
  it('a subscription update torn inside its compressed frame: the subscriber reconnects and catches up', async () => {
    const alice = open('alice-1', server.url);
    const bob = open('bob-1', tcpDeflate.url, 'bob');
    await created(alice, 'torn-update', { name: 'Acme' });
    await bob.connect();
    bob.subscribe(org('torn-update'));
    await bob.whenSynced();
    // Bob only listens now: the next data frame to him is the update of Alice's change (compressed, so unread).
    const cut = tcpDeflate.cut('down', (chunk) => cutInsideDataFrame(chunk, 0.5, (_, head) => head.compressed));
    change(alice, 'torn-update', { k1: 'after the tear' });
    await cut;
    expect(await converge('torn-update', [alice, bob])).toEqual({ name: 'Acme', k1: 'after the tear' });
  });

  it('a patchDiff torn inside its (masked) frame: never applied, sent again on the new socket', async () => {
    const alice = open('alice-2', tcp.url);
    await created(alice, 'torn-request', { name: 'Acme' });
    const cut = tcp.cut('up', (chunk, info) =>
      info.index > 0 ? cutInsideDataFrame(chunk, 0.5, isKind('request', 'patchDiff')) : undefined,
    );
    change(alice, 'torn-request', { k1: 'sent twice' });
    await cut;
    expect(await converge('torn-request', [alice])).toEqual({ name: 'Acme', k1: 'sent twice' });
  });

  it("a patchDiff's answer torn inside its frame: applied but unacknowledged, the resend is reconciled", async () => {
    const alice = open('alice-3', tcp.url);
    const bob = open('bob-3', server.url, 'bob');
    await created(alice, 'torn-answer', { name: 'Acme' });
    bob.subscribe(org('torn-answer'));
    await bob.connect();
    await bob.whenSynced();
    const cut = tcp.cut('down', (chunk) => cutInsideDataFrame(chunk, 0.5, isKind('response', 'patchDiff')));
    change(alice, 'torn-answer', { k1: 'answer lost' });
    change(alice, 'torn-answer', { k2: 'queued behind it' });
    await cut;
    expect(await converge('torn-answer', [alice, bob])).toEqual({ name: 'Acme', k1: 'answer lost', k2: 'queued behind it' });
  });
});

describe('temporal: duplicated and reordered deliveries', () => {
  it('a patchDiff delivered twice: applied once, the second answer ignored', async () => {
    const alice = open('alice-4', proxy.url);
    await created(alice, 'dup-request', { name: 'Acme' });
    const dup = proxy.ws.duplicate('up', message('request', 'patchDiff'));
    change(alice, 'dup-request', { k1: 'once' });
    change(alice, 'dup-request', { k2: 'then this' });
    await dup;
    expect(await converge('dup-request', [alice])).toEqual({ name: 'Acme', k1: 'once', k2: 'then this' });
  });

  it('a post, an answer and an update delivered twice to the client', async () => {
    const dupPost = proxy.ws.duplicate('up', message('request', 'post'));
    const alice = open('alice-5', proxy.url);
    const bob = open('bob-5', proxy.url, 'bob');
    await created(alice, 'dup-down', { name: 'Acme' });
    await dupPost;
    bob.subscribe(org('dup-down'));
    await bob.connect();
    await bob.whenSynced();
    const dupAnswer = proxy.ws.duplicate('down', message('response', 'patchDiff'));
    const dupUpdate = proxy.ws.duplicate('down', message('update'));
    change(alice, 'dup-down', { k1: 'twice down' });
    await Promise.all([dupAnswer, dupUpdate]);
    expect(await converge('dup-down', [alice, bob])).toEqual({ name: 'Acme', k1: 'twice down' });
  });

  it('two subscription updates swapped: the subscriber re-fetches and ends current', async () => {
    const alice = open('alice-6', server.url);
    const bob = open('bob-6', proxy.url, 'bob');
    await created(alice, 'swap-updates', { name: 'Acme' });
    bob.subscribe(org('swap-updates'));
    await bob.connect();
    await bob.whenSynced();
    const swap = proxy.ws.swap('down', message('update'));
    change(alice, 'swap-updates', { k1: 'first' });
    change(alice, 'swap-updates', { k2: 'second' });
    const report = await swap;
    expect(report.overtakenBy && isKind('update')(report.overtakenBy.data)).toBe(true);
    expect(await converge('swap-updates', [alice, bob])).toEqual({ name: 'Acme', k1: 'first', k2: 'second' });
  });

  it('changes to two entities in flight: requests swapped on the way up and answers swapped on the way down', async () => {
    const alice = open('alice-7', proxy.url);
    await created(alice, 'swap-a', { name: 'A' });
    await created(alice, 'swap-b', { name: 'B' });
    const up = proxy.ws.swap('up', message('request', 'patchDiff'));
    change(alice, 'swap-a', { k1: 'a1' });
    change(alice, 'swap-b', { k1: 'b1' });
    expect((await up).overtakenBy).toBeDefined();
    await alice.whenSynced();
    const down = proxy.ws.swap('down', message('response', 'patchDiff'));
    change(alice, 'swap-a', { k2: 'a2' });
    change(alice, 'swap-b', { k2: 'b2' });
    expect((await down).overtakenBy).toBeDefined();
    expect(await converge('swap-a', [alice])).toEqual({ name: 'A', k1: 'a1', k2: 'a2' });
    expect(await converge('swap-b', [alice])).toEqual({ name: 'B', k1: 'b1', k2: 'b2' });
  });

  it(`seeded chaos in both directions (seed ${SEED}): duplicates and swaps while two people edit two entities`, async () => {
    const random = prng(SEED);
    const alice = open('alice-8', proxy.url);
    const bob = open('bob-8', proxy.url, 'bob');
    const ids = ['chaos-a', 'chaos-b'];
    for (const id of ids) await created(alice, id, { name: id });
    await bob.connect();
    for (const id of ids) bob.subscribe(org(id));
    await bob.whenSynced();
    proxy.ws.chaos({ prng: random, duplicate: 0.25, swap: 0.25 });
    const expected: Record<string, Record<string, unknown>> = { 'chaos-a': { name: 'chaos-a' }, 'chaos-b': { name: 'chaos-b' } };
    for (let i = 0; i < 20; i++) {
      const who = random.chance(0.5) ? alice : bob;
      const id = ids[random.int(0, 1)] as string;
      // Distinct fields per change: every change must land, whatever the order (conflicts are retried on the newest version).
      change(who, id, { [`k${i}`]: `${who === alice ? 'alice' : 'bob'} ${i}` });
      expected[id] = { ...expected[id], [`k${i}`]: `${who === alice ? 'alice' : 'bob'} ${i}` };
      if (random.chance(0.4)) await who.whenSynced();
    }
    const stats = { ...proxy.ws.stats };
    await Promise.all([alice.whenSynced(), bob.whenSynced()]);
    proxy.ws.calm();
    for (const id of ids) expect(await converge(id, [alice, bob])).toEqual(expected[id]);
    expect(stats.duplicated + stats.swapped).toBeGreaterThan(0);
  });

  it(`seeded chaos on every layer (seed ${SEED}): torn connections under doubled and swapped messages`, async () => {
    const random = prng(SEED + 1);
    // client -> TCP proxy (tears connections) -> fault proxy (WebSocket faults) -> Worker
    const chain = await startTcpProxy({ upstreamPort: proxy.port });
    try {
      const alice = open('alice-9', chain.url);
      const bob = open('bob-9', chain.url, 'bob');
      const ids = ['layers-a', 'layers-b'];
      for (const id of ids) await created(alice, id, { name: id });
      await bob.connect();
      for (const id of ids) bob.subscribe(org(id));
      await bob.whenSynced();
      chain.chaos({ prng: random, cut: 0.06 });
      proxy.ws.chaos({ prng: random, duplicate: 0.2, swap: 0.2 });
      const expected: Record<string, Record<string, unknown>> = { 'layers-a': { name: 'layers-a' }, 'layers-b': { name: 'layers-b' } };
      for (let i = 0; i < 20; i++) {
        const who = random.chance(0.5) ? alice : bob;
        const id = ids[random.int(0, 1)] as string;
        const value = `${who === alice ? 'alice' : 'bob'} ${i}`;
        change(who, id, { [`k${i}`]: value });
        expected[id] = { ...expected[id], [`k${i}`]: value };
        if (random.chance(0.3)) await new Promise((resolve) => setTimeout(resolve, random.int(5, 30)));
      }
      const faults = chain.cuts + proxy.ws.stats.duplicated + proxy.ws.stats.swapped;
      chain.disarm();
      proxy.ws.calm();
      for (const id of ids) expect(await converge(id, [alice, bob])).toEqual(expected[id]);
      expect(faults).toBeGreaterThan(0);
    } finally {
      await chain.close();
    }
  });
});
