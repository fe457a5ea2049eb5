/**
 * Scenario tests over real sockets on 127.0.0.1: several clients, offline edits, reconnects, concurrent edits,
 * access lists, idle client expiry and a server restart in the middle of a sync. Clients stamp dispatches with a
 * shared settable clock so the note's times (0700, 0720, ...) are the timestamps on the wire.
 */
import { JournalEntry } from '@syncscope/protocols/seneschal';
import { afterEach, describe, expect, it } from 'vitest';
import { at, converge, Harness, snapshot } from './test/harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

async function started(options?: ConstructorParameters<typeof Harness>[1]): Promise<Harness> {
  harness = new Harness(undefined, options);
  await harness.start();
  return harness;
}

describe('seneschal scenarios', () => {
  it("the note's worked example: every client ends with {name: 'test', qty: '2', location: 'food court'}", async () => {
    const h = await started();
    const phone = await h.connected('phone', 'alice', true);
    const tablet = await h.connected('tablet', 'alice');
    const laptop = await h.connected('laptop', 'alice');
    h.clock = at(600);
    phone.dispatch('items/upsert', 'ob1', { name: 'tset', qty: '1', location: 'store' });
    await converge([phone, tablet, laptop], { ob1: { name: 'tset', qty: '1', location: 'store' } });

    await tablet.disconnect();
    h.clock = at(700);
    phone.dispatch('items/upsert', 'ob1', { name: 'test' });
    h.clock = at(720);
    tablet.dispatch('items/upsert', 'ob1', { qty: '2', location: 'aisle' }); // offline: kept locally
    h.clock = at(730);
    phone.dispatch('items/upsert', 'ob1', { location: 'food court' });
    await phone.settled();
    expect(snapshot(tablet).ob1).toEqual({ name: 'tset', qty: '2', location: 'aisle' });

    h.clock = at(740);
    await tablet.connect();
    await converge([phone, tablet, laptop], { ob1: { name: 'test', qty: '2', location: 'food court' } });
    expect(tablet.unsent()).toEqual([]);

    // The stored journal, in the public shape, as JSON and as NDJSON: all four dispatches, in arrival order.
    const { token } = await h.client('reader').login('alice', 'alice-password');
    const headers = { authorization: `Bearer ${token}` };
    const json = (await (await fetch(`${h.url}/seneschal/journal`, { headers })).json()) as unknown[];
    const entries = json.map((e) => JournalEntry.parse(e));
    expect(entries.map((e) => [e.client, e.slice, e.action, e.timestamp, e.payload[1]])).toEqual([
      ['phone', 'items', 'upsert', at(600), { name: 'tset', qty: '1', location: 'store' }],
      ['phone', 'items', 'upsert', at(700), { name: 'test' }],
      ['phone', 'items', 'upsert', at(730), { location: 'food court' }],
      ['tablet', 'items', 'upsert', at(720), { qty: '2', location: 'aisle' }],
    ]);
    expect(new Set(entries.map((e) => e.user))).toEqual(new Set([phone.userID]));
    const ndjson = await (await fetch(`${h.url}/seneschal/journal?stream=1`, { headers })).text();
    expect(
      ndjson
        .trim()
        .split('\n')
        .map((line) => JournalEntry.parse(JSON.parse(line))),
    ).toEqual(entries);
    expect((await fetch(`${h.url}/seneschal/journal`)).status).toBe(401);
  });

  it('offline edits by several clients reconcile property by property on reconnect', async () => {
    const h = await started();
    const a = await h.connected('a', 'alice', true);
    const b = await h.connected('b', 'alice');
    a.dispatch('items/upsert', 'milk', { name: 'milk', qty: '1' });
    a.dispatch('items/upsert', 'eggs', { name: 'eggs', qty: '6' });
    await converge([a, b], { milk: { name: 'milk', qty: '1' }, eggs: { name: 'eggs', qty: '6' } });
    await a.disconnect();
    await b.disconnect();
    h.clock = at(800);
    a.dispatch('items/upsert', 'milk', { qty: '2' });
    a.dispatch('items/upsert', 'bread', { name: 'bread' });
    h.clock = at(805);
    b.dispatch('items/upsert', 'milk', { qty: '3', location: 'dairy' });
    b.dispatch('items/delete', 'eggs');
    h.clock = at(810);
    a.dispatch('items/upsert', 'milk', { location: 'fridge' });
    await b.connect();
    await a.connect();
    await converge([a, b], {
      milk: { name: 'milk', qty: '3', location: 'fridge' },
      bread: { name: 'bread' },
    });
  });

  it('concurrent edits to one object: the later timestamp wins everywhere, the loser is corrected', async () => {
    const h = await started();
    const a = await h.connected('a', 'alice', true);
    const b = await h.connected('b', 'alice');
    a.dispatch('items/upsert', 'ob1', { name: 'soap', qty: '1' });
    await converge([a, b], { ob1: { name: 'soap', qty: '1' } });
    // Both edit before either hears of the other; b's edit is the later one but may arrive first.
    h.clock = at(900);
    const aTime = h.clock;
    h.clock = at(901);
    b.dispatch('items/upsert', 'ob1', { qty: '5', location: 'bath' });
    h.clock = aTime;
    a.dispatch('items/upsert', 'ob1', { qty: '4', name: 'hand soap' });
    await Promise.all([a.settled(), b.settled()]);
    await converge([a, b], { ob1: { name: 'hand soap', qty: '5', location: 'bath' } });
  });

  it('access lists: a group member receives the list and its items first; others never see it; revoking deletes it', async () => {
    const h = await started();
    const alice = await h.connected('alice-phone', 'alice', true);
    const bob = await h.connected('bob-phone', 'bob', true);
    const carol = await h.connected('carol-phone', 'carol', true);
    alice.dispatch('lists/upsert', 'list1', { name: 'Party' });
    alice.dispatch('items/upsert', 'chips', { name: 'chips', listID: 'list1' });
    await alice.settled();
    expect(snapshot(bob)).toEqual({});

    await alice.joinGroup('family', bob.userID ?? '');
    alice.share('list1', { kind: 'group', id: 'family' });
    const party = { list1: { name: 'Party' }, chips: { name: 'chips', listID: 'list1' } };
    await converge([alice, bob], party);

    // Live edits now reach bob, never carol.
    bob.dispatch('items/upsert', 'dip', { name: 'dip', listID: 'list1' });
    await converge([alice, bob], { ...party, dip: { name: 'dip', listID: 'list1' } });
    carol.dispatch('items/upsert', 'chips', { name: 'stolen' });
    await carol.settled();
    expect(carol.lastError).toContain('rejected');
    expect(snapshot(carol)).toEqual({});
    // Offline, carol also tries to pull the item into a list of her own: rejected at rehydrate, and reverted.
    await carol.disconnect();
    carol.dispatch('lists/upsert', 'mine', { name: 'Mine' });
    carol.dispatch('items/upsert', 'chips', { listID: 'mine' });
    await carol.connect();
    await converge([carol], { mine: { name: 'Mine' } });
    expect(carol.unsent()).toEqual([]);

    alice.share('list1', { kind: 'group', id: 'family' }, false);
    await converge([bob], {});
    await converge([alice], { ...party, dip: { name: 'dip', listID: 'list1' } });
  });

  it('a CUID idle past the timeout loses its association and queue, and starts over from the full copy', async () => {
    const day = 24 * 3600 * 1000;
    const h = await started({ idleClientMs: 30 * day });
    const a = await h.connected('a', 'alice', true);
    const b = await h.connected('b', 'alice');
    a.dispatch('items/upsert', 'ob1', { name: 'rice' });
    await converge([a, b], { ob1: { name: 'rice' } });
    await b.disconnect();
    a.dispatch('items/upsert', 'ob1', { qty: '2' });
    await a.settled();
    h.clock += 31 * day;
    // Any association (here a fresh login) sweeps idle clients.
    await h.client('c').login('alice', 'alice-password');
    const frames: string[] = [];
    const reasons = () => frames.filter((t) => t.includes('"type":"dispatch"')).map((t) => JSON.parse(t).reason as string);
    // Same CUID, new session: its old queue is gone, so what it gets is the full copy ("grant"), not the queued edit.
    const fresh = h.client('b', (f) => {
      if (f.dir === 'in' && f.text) frames.push(f.text);
    });
    await fresh.login('alice', 'alice-password');
    await fresh.connect();
    await converge([fresh, a], { ob1: { name: 'rice', qty: '2' } });
    expect(reasons()).toEqual(['grant']);
  });

  it('server restart in the middle of a sync: nothing acknowledged is lost, all converge', async () => {
    const h = await started();
    const a = await h.connected('a', 'alice', true);
    const b = await h.connected('b', 'alice');
    a.dispatch('items/upsert', 'ob1', { name: 'tea' });
    await a.settled();
    await converge([a, b], { ob1: { name: 'tea' } });
    await b.disconnect();
    for (let i = 0; i < 20; i++) b.dispatch('items/upsert', `item${i}`, { name: `item ${i}` });
    b.dispatch('items/upsert', 'ob1', { qty: '3' });

    // Kill the server the moment b's stored dispatches are on the wire.
    let killed: Promise<void> | undefined;
    const b2 = h.client('b', (frame) => {
      if (!killed && frame.dir === 'out' && frame.text?.includes('"type":"rehydrate"')) killed = h.stop();
    });
    b2.store.dispatch({ type: 'loaded', state: b.store.getState() });
    await b2.login('alice', 'alice-password');
    await b2.connect().catch(() => undefined);
    await killed;
    expect(h.server).toBeUndefined();

    await h.start();
    // Whatever the server had committed before dying, b2 still holds every unacknowledged dispatch and resends it.
    await b2.connect();
    await a.connect().catch(() => undefined);
    if (a.status !== 'live') await a.connect();
    const expected: Record<string, Record<string, unknown>> = { ob1: { name: 'tea', qty: '3' } };
    for (let i = 0; i < 20; i++) expected[`item${i}`] = { name: `item ${i}` };
    await converge([a, b2], expected);
    expect(b2.unsent()).toEqual([]);

    // A new device after another restart gets everything that was acknowledged.
    await h.stop();
    await h.start();
    const c = await h.connected('c', 'alice');
    await converge([c], expected);
  });
});
