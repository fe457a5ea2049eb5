/**
 * Faults in the engine (issue 11), seneschal: a socket closed mid-frame and duplicated or reordered deliveries, with
 * real proxies on 127.0.0.1 between real Node clients and the real server (examples/faults). Every scenario ends
 * with every client holding the same objects (the expected master copy), and every dispatch the server
 * acknowledged to a client (an `ack` without `rejected`, or an id in `rehydrateEnd.accepted`) in that state.
 *
 * Transport: HTTP for accounts (register, login, groups), then one WebSocket with JSON messages both ways. The
 * client makes its HTTP calls one at a time, so answers cannot come back in another order than their requests;
 * the nearest real fault there is a request the network delivers twice (login and groups replayed). The client
 * does not reconnect by itself: after a torn socket the test reconnects it, as the app's "online" handler does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  cutInsideDataFrame,
  cutInsideText,
  type FaultProxy,
  prng,
  seedFrom,
  startFaultProxy,
  startTcpProxy,
  type TcpProxy,
  waitUntil,
} from '../faults/index.ts';
import type { SeneschalClient } from './client/client.ts';
import { createNodeClient } from './client/node.ts';
import { at, converge, Harness, snapshot } from './test/harness.ts';

const SEED = seedFrom(11_002);

let h: Harness;
let tcp: TcpProxy | undefined;
let proxy: FaultProxy | undefined;
const clients: SeneschalClient[] = [];
/** Dispatch ids the server acknowledged, and the object each one wrote. */
let acknowledged = new Map<string, string>();
let written = new Map<string, string>();

afterEach(async () => {
  for (const client of clients.splice(0)) await client.disconnect().catch(() => undefined);
  await tcp?.close();
  await proxy?.close();
  await h.dispose();
  tcp = undefined;
  proxy = undefined;
  acknowledged = new Map();
  written = new Map();
});

async function setUp(): Promise<void> {
  h = new Harness();
  await h.start();
  tcp = await startTcpProxy({ upstreamPort: h.port });
  proxy = await startFaultProxy({ upstream: h.url });
  h.clock = at(700);
}

function recordAcks(text: string | undefined): void {
  if (!text) return;
  const message = JSON.parse(text) as { type: string; id?: string; rejected?: unknown; accepted?: string[] };
  if (message.type === 'ack' && message.id && !message.rejected) acknowledged.set(message.id, written.get(message.id) ?? '');
  if (message.type === 'rehydrateEnd') for (const id of message.accepted ?? []) acknowledged.set(id, written.get(id) ?? '');
}

function client(clientID: string, server: string): SeneschalClient {
  const c = createNodeClient({
    server,
    clientID,
    now: () => h.clock,
    onFrame: (frame) => {
      if (frame.dir === 'in' && frame.kind === 'message') recordAcks(frame.text);
    },
  });
  clients.push(c);
  return c;
}

/** Connects, and connects again after a connection a fault killed; bounded. */
async function online(c: SeneschalClient): Promise<void> {
  for (let attempt = 0; attempt < 20 && c.status !== 'live'; attempt++) {
    await c.connect().catch(() => new Promise((resolve) => setTimeout(resolve, 30)));
  }
  expect(c.status).toBe('live');
}

async function signedIn(clientID: string, server: string, register = false): Promise<SeneschalClient> {
  const c = client(clientID, server);
  if (register) await c.register('alice', 'alice-password');
  await c.login('alice', 'alice-password');
  await online(c);
  return c;
}

/** An upsert stamped at `hhmm`, its id remembered with its object. */
function upsert(c: SeneschalClient, hhmm: number, oid: string, props: Record<string, unknown>): void {
  h.clock = at(hhmm);
  c.dispatch('items/upsert', oid, props);
  const id = c.unsent().at(-1)?.id;
  if (id) written.set(id, oid);
}

/** Everyone converged on `expected`, and every acknowledged dispatch's object is in it. */
async function settle(members: SeneschalClient[], expected: Record<string, Record<string, unknown>>): Promise<void> {
  for (const c of members) await online(c);
  await converge(members, expected);
  for (const c of members) await waitUntil(`${c.clientID} to have nothing unsent`, () => c.unsent().length === 0);
  for (const [id, oid] of acknowledged) if (oid) expect(expected, `acknowledged ${id}`).toHaveProperty([oid]);
}

async function journalIds(): Promise<string[]> {
  const { token } = await client('reader', h.url).login('alice', 'alice-password');
  const entries = (await (await fetch(`${h.url}/seneschal/journal`, { headers: { authorization: `Bearer ${token}` } })).json()) as Array<{
    actionID: string;
  }>;
  return entries.map((e) => e.actionID);
}

const typed = (type: string) => (payload: Buffer) => payload.includes(`"type":"${type}"`);

describe('seneschal: a socket closed mid-frame', () => {
  it('a dispatch to a client torn inside its frame: still queued on the server, flushed on reconnect', async () => {
    await setUp();
    const phone = await signedIn('phone', tcp!.url, true);
    const tablet = await signedIn('tablet', h.url);
    const cut = tcp!.cut('down', (chunk) => cutInsideText(chunk, '"reason":"live"'));
    upsert(tablet, 710, 'milk', { name: 'milk' });
    await cut;
    await waitUntil('the phone to notice', () => phone.status === 'offline');
    await settle([phone, tablet], { milk: { name: 'milk' } });
  });

  it("a client's live dispatch torn inside its (masked) frame: kept unsent, sent again at rehydrate", async () => {
    await setUp();
    const phone = await signedIn('phone', tcp!.url, true);
    const cut = tcp!.cut('up', (chunk, info) => (info.index > 0 ? cutInsideDataFrame(chunk, 0.5, typed('dispatch')) : undefined));
    upsert(phone, 710, 'bread', { name: 'bread' });
    await cut;
    await waitUntil('the phone to notice', () => phone.status === 'offline');
    expect(phone.unsent()).toHaveLength(1);
    await settle([phone], { bread: { name: 'bread' } });
  });

  it('an ack torn inside its frame: stored but unacknowledged, the resend is recognised and applied once', async () => {
    await setUp();
    const phone = await signedIn('phone', tcp!.url, true);
    const cut = tcp!.cut('down', (chunk) => cutInsideText(chunk, '"type":"ack"'));
    upsert(phone, 710, 'eggs', { name: 'eggs', qty: '6' });
    await cut;
    await waitUntil('the phone to notice', () => phone.status === 'offline');
    await settle([phone], { eggs: { name: 'eggs', qty: '6' } });
    expect((await journalIds()).length).toBe(1);
  });

  it('a rehydrate torn inside its frame: nothing reconciled, the whole offline batch goes again', async () => {
    await setUp();
    const phone = await signedIn('phone', tcp!.url, true);
    const tablet = await signedIn('tablet', h.url);
    await phone.disconnect();
    for (let i = 0; i < 5; i++) upsert(phone, 720 + i, `item${i}`, { name: `item ${i}` });
    const cut = tcp!.cut('up', (chunk, info) => (info.index > 0 ? cutInsideDataFrame(chunk, 0.5, typed('rehydrate')) : undefined));
    await phone.connect().catch(() => undefined);
    await cut;
    const expected = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`item${i}`, { name: `item ${i}` }]));
    await settle([phone, tablet], expected);
  });

  it('a login answer torn mid-body: the client logs in again', async () => {
    await setUp();
    await client('setup', h.url).register('alice', 'alice-password');
    const phone = client('phone', tcp!.url);
    const cut = tcp!.cut('down', (chunk) => cutInsideText(chunk, '"token"'));
    await expect(phone.login('alice', 'alice-password')).rejects.toThrow();
    await cut;
    await phone.login('alice', 'alice-password');
    await online(phone);
    upsert(phone, 710, 'jam', { name: 'jam' });
    await settle([phone], { jam: { name: 'jam' } });
  });
});

describe('seneschal: duplicated and reordered deliveries', () => {
  it('a live dispatch delivered twice to the server: stored and applied once', async () => {
    await setUp();
    const phone = await signedIn('phone', proxy!.url, true);
    const tablet = await signedIn('tablet', h.url);
    const dup = proxy!.ws.duplicate('up', (m) => typed('dispatch')(m.data));
    upsert(phone, 710, 'tea', { name: 'tea' });
    await dup;
    await settle([phone, tablet], { tea: { name: 'tea' } });
    expect((await journalIds()).length).toBe(1);
  });

  it('a server dispatch, a welcome and a rehydrateBegin delivered twice to the client', async () => {
    await setUp();
    const dupWelcome = proxy!.ws.duplicate('down', (m) => typed('welcome')(m.data));
    const dupBegin = proxy!.ws.duplicate('down', (m) => typed('rehydrateBegin')(m.data));
    const phone = await signedIn('phone', proxy!.url, true);
    await Promise.all([dupWelcome, dupBegin]);
    const tablet = await signedIn('tablet', h.url);
    const dup = proxy!.ws.duplicate('down', (m) => typed('dispatch')(m.data));
    upsert(tablet, 710, 'rice', { name: 'rice' });
    upsert(tablet, 711, 'rice', { qty: '2' });
    await dup;
    await settle([phone, tablet], { rice: { name: 'rice', qty: '2' } });
  });

  it('a rehydrate delivered twice: the second finds everything reconciled', async () => {
    await setUp();
    const phone = await signedIn('phone', proxy!.url, true);
    await phone.disconnect();
    upsert(phone, 720, 'oats', { name: 'oats' });
    upsert(phone, 721, 'salt', { name: 'salt' });
    const dup = proxy!.ws.duplicate('up', (m) => typed('rehydrate')(m.data));
    await online(phone);
    await dup;
    await settle([phone], { oats: { name: 'oats' }, salt: { name: 'salt' } });
    expect((await journalIds()).length).toBe(2);
  });

  it("two of a client's dispatches to one property swapped: the later timestamp still wins", async () => {
    await setUp();
    const phone = await signedIn('phone', proxy!.url, true);
    const tablet = await signedIn('tablet', h.url);
    const swap = proxy!.ws.swap('up', (m) => typed('dispatch')(m.data) && m.data.includes('"qty":"1"'));
    upsert(phone, 710, 'soap', { qty: '1' });
    upsert(phone, 711, 'soap', { qty: '2' });
    expect((await swap).overtakenBy?.data.toString()).toContain('"qty":"2"');
    await settle([phone, tablet], { soap: { qty: '2' } });
  });

  it('two server dispatches to one property swapped on their way to a client: the later timestamp still wins', async () => {
    await setUp();
    const phone = await signedIn('phone', proxy!.url, true);
    const tablet = await signedIn('tablet', h.url);
    const swap = proxy!.ws.swap('down', (m) => typed('dispatch')(m.data) && m.data.includes('"qty":"1"'));
    upsert(tablet, 710, 'dip', { qty: '1' });
    upsert(tablet, 711, 'dip', { qty: '2' });
    expect((await swap).overtakenBy?.data.toString()).toContain('"qty":"2"');
    await settle([phone, tablet], { dip: { qty: '2' } });
  });

  it('rehydrateEnd overtaken by the queue flush that follows it: the connection still completes', async () => {
    await setUp();
    const phone = await signedIn('phone', proxy!.url, true);
    const tablet = await signedIn('tablet', h.url);
    await phone.disconnect();
    upsert(tablet, 710, 'chips', { name: 'chips' });
    await tablet.settled();
    const swap = proxy!.ws.swap('down', (m) => typed('rehydrateEnd')(m.data));
    await phone.connect();
    expect((await swap).overtakenBy?.data.toString()).toContain('"type":"dispatch"');
    await settle([phone, tablet], { chips: { name: 'chips' } });
  });

  it('login and groups requests delivered twice to the server (the nearest fault to reordered answers here)', async () => {
    await setUp();
    await client('setup', h.url).register('alice', 'alice-password');
    const replayLogin = proxy!.http.replay((e) => e.url === '/seneschal/login');
    const phone = client('phone', proxy!.url);
    await phone.login('alice', 'alice-password');
    expect((await replayLogin).statuses).toEqual([200, 200]);
    const bob = client('bob', h.url);
    const bobID = await bob.register('bob', 'bob-password');
    const replayGroups = proxy!.http.replay((e) => e.url === '/seneschal/groups');
    await phone.joinGroup('family', bobID);
    expect((await replayGroups).statuses?.[0]).toBeLessThan(300);
    await online(phone);
    upsert(phone, 710, 'cake', { name: 'cake' });
    await settle([phone], { cake: { name: 'cake' } });
  });

  it(`seeded chaos in both directions (seed ${SEED}): duplicates and swaps while three devices edit`, async () => {
    await setUp();
    const random = prng(SEED);
    const phone = await signedIn('phone', proxy!.url, true);
    const tablet = await signedIn('tablet', proxy!.url);
    const laptop = await signedIn('laptop', proxy!.url);
    const devices = [phone, tablet, laptop];
    proxy!.ws.chaos({ prng: random, duplicate: 0.25, swap: 0.25 });
    // The expected master copy: last writer (by timestamp) per property; timestamps strictly increase here.
    const expected: Record<string, Record<string, unknown>> = {};
    for (let i = 0; i < 30; i++) {
      // The laptop goes offline for a while: its edits then travel in a rehydrate, under the same chaos.
      if (i === 10) await laptop.disconnect();
      if (i === 20) await online(laptop);
      const who = devices[random.int(0, devices.length - 1)] as SeneschalClient;
      const oid = `ob${random.int(0, 5)}`;
      const prop = random.chance(0.5) ? 'name' : 'qty';
      const value = `${prop} ${i}`;
      upsert(who, 730 + i, oid, { [prop]: value });
      expected[oid] = { ...expected[oid], [prop]: value };
      if (random.chance(0.3)) await new Promise((resolve) => setTimeout(resolve, random.int(1, 15)));
    }
    const stats = { ...proxy!.ws.stats };
    await Promise.all(devices.map((d) => d.settled()));
    proxy!.ws.calm();
    await settle(devices, expected);
    expect(stats.duplicated + stats.swapped).toBeGreaterThan(0);
    expect(snapshot(phone)).toEqual(snapshot(laptop));
  });

  it(`seeded chaos on every layer (seed ${SEED}): torn connections under doubled and swapped messages`, async () => {
    await setUp();
    const random = prng(SEED + 1);
    // client -> TCP proxy (tears connections) -> fault proxy (WebSocket faults) -> server
    const chain = await startTcpProxy({ upstreamPort: proxy!.port });
    try {
      const devices = [await signedIn('phone', chain.url, true), await signedIn('tablet', chain.url), await signedIn('laptop', chain.url)];
      chain.chaos({ prng: random, cut: 0.05 });
      proxy!.ws.chaos({ prng: random, duplicate: 0.2, swap: 0.2 });
      const expected: Record<string, Record<string, unknown>> = {};
      for (let i = 0; i < 30; i++) {
        const who = devices[random.int(0, devices.length - 1)] as SeneschalClient;
        // The app reconnects a device whose socket died (the client leaves that to it).
        if (who.status === 'offline') await who.connect().catch(() => undefined);
        const oid = `ob${random.int(0, 5)}`;
        const prop = random.chance(0.5) ? 'name' : 'qty';
        upsert(who, 730 + i, oid, { [prop]: `${prop} ${i}` });
        expected[oid] = { ...expected[oid], [prop]: `${prop} ${i}` };
        if (random.chance(0.3)) await new Promise((resolve) => setTimeout(resolve, random.int(5, 30)));
      }
      const faults = chain.cuts + proxy!.ws.stats.duplicated + proxy!.ws.stats.swapped;
      chain.disarm();
      proxy!.ws.calm();
      await settle(devices, expected);
      expect(faults).toBeGreaterThan(0);
    } finally {
      await chain.close();
    }
  });
});
