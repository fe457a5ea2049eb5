/**
 * A long offline queue rehydrates: the client sends its stored dispatches in several messages (`more: true` on all
 * but the last), each under the server's 1 MiB message limit, and the server reconciles the whole set once, at the
 * last message, as the note's single reduction per object. An unfinished rehydrate is not applied.
 */
import type { Envelope, StoredDispatch } from '@syncscope/protocols/seneschal';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from './server/http.ts';
import { at, converge, Harness } from './test/harness.ts';
import { rawSocket } from './test/raw-socket.ts';

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

const stored = (id: string, timestamp: number, oid: string, props: Record<string, unknown>): StoredDispatch => {
  const envelope: Envelope = { timestamp, clientID: 'raw', dispatch: { action: 'items/upsert', payload: [oid, props] } };
  return { id, envelope };
};

describe('seneschal rehydrate of a long offline queue', () => {
  it('10,000 offline dispatches go in several messages under the limit, are reduced once per object, and converge', async () => {
    const h = await started();
    const received: string[] = [];
    const other = h.client('other', (frame) => {
      if (frame.dir === 'in' && frame.text?.includes('"reason":"reduced"')) received.push(frame.text);
    });
    await other.register('alice', 'alice-password');
    await other.login('alice', 'alice-password');
    await other.connect();

    const rehydrates: string[] = [];
    // The default storage (a structured clone of the state per save): saves of a burst of changes coalesce.
    const device = h.client('device', (frame) => {
      if (frame.dir === 'out' && frame.text?.startsWith('{"type":"rehydrate"')) rehydrates.push(frame.text);
    });
    await device.login('alice', 'alice-password');
    await device.connect();
    await device.disconnect();
    rehydrates.length = 0;

    const total = 10_000;
    const objects = 100;
    for (let i = 0; i < total; i++) device.dispatch('items/upsert', `item-${i % objects}`, { qty: i, note: `edit ${i}` });
    await device.saved();
    expect(device.unsent()).toHaveLength(total);

    await device.connect();
    await device.settled();
    expect(device.lastError).toBeUndefined();
    expect(rehydrates.length).toBeGreaterThan(1);
    for (const [i, text] of rehydrates.entries()) {
      expect(Buffer.byteLength(text)).toBeLessThan(MAX_BODY_BYTES);
      expect(JSON.parse(text).more).toBe(i < rehydrates.length - 1 ? true : undefined);
    }
    expect(rehydrates.reduce((n, text) => n + JSON.parse(text).dispatches.length, 0)).toBe(total);

    const expected: Record<string, Record<string, unknown>> = {};
    for (let k = 0; k < objects; k++) expected[`item-${k}`] = { qty: total - objects + k, note: `edit ${total - objects + k}` };
    await converge([device, other], expected);
    // One reduced dispatch per object reached the other device: the whole queue was reconciled at once.
    expect(received).toHaveLength(objects);
  });

  it('applies a rehydrate in parts once, at its last part; a part left unfinished by a closed socket is dropped', async () => {
    const h = await started();
    const alice = await h.connected('a', 'alice', true);
    const { token } = await h.client('raw').login('alice', 'alice-password');
    const hello = JSON.stringify({ type: 'hello', token, clientID: 'raw' });

    const first = await rawSocket(h.url);
    first.send(hello);
    expect(await first.next()).toMatchObject({ type: 'welcome' });
    expect(await first.next()).toMatchObject({ type: 'rehydrateBegin' });
    first.send(JSON.stringify({ type: 'rehydrate', dispatches: [stored('d1', at(650), 'ob1', { name: 'lost' })], more: true }));
    await new Promise((resolve) => {
      first.ws.once('close', resolve);
      first.ws.close();
    });

    const second = await rawSocket(h.url);
    second.send(hello);
    expect(await second.next()).toMatchObject({ type: 'welcome' });
    expect(await second.next()).toMatchObject({ type: 'rehydrateBegin' });
    second.send(JSON.stringify({ type: 'rehydrate', dispatches: [stored('d2', at(700), 'ob1', { qty: '1' })], more: true }));
    second.send(JSON.stringify({ type: 'rehydrate', dispatches: [stored('d3', at(701), 'ob1', { qty: '2', name: 'tea' })] }));
    expect(await second.next()).toEqual({ type: 'rehydrateEnd', accepted: ['d2', 'd3'], queued: 1 });
    expect(await second.next()).toMatchObject({
      type: 'dispatch',
      reason: 'reduced',
      envelope: { dispatch: { payload: ['ob1', { qty: '2', name: 'tea' }] } },
    });
    second.ws.close();

    await converge([alice], { ob1: { qty: '2', name: 'tea' } });
    const journal = (await (await fetch(`${h.url}/seneschal/journal`, { headers: { authorization: `Bearer ${token}` } })).json()) as Array<{
      actionID: string;
    }>;
    expect(journal.map((e) => e.actionID)).toEqual(['d2', 'd3']);
  });

  it('refuses a rehydrate that grows past the server limit, and still takes one within it', async () => {
    const h = await started({ maxRehydrateDispatches: 3 });
    await h.connected('a', 'alice', true);
    const { token } = await h.client('raw').login('alice', 'alice-password');
    const raw = await rawSocket(h.url);
    raw.send(JSON.stringify({ type: 'hello', token, clientID: 'raw' }));
    expect(await raw.next()).toMatchObject({ type: 'welcome' });
    expect(await raw.next()).toMatchObject({ type: 'rehydrateBegin' });
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => stored(`e${from + i}`, at(800) + from + i, 'ob2', { qty: from + i }));
    raw.send(JSON.stringify({ type: 'rehydrate', dispatches: batch(0, 2), more: true }));
    raw.send(JSON.stringify({ type: 'rehydrate', dispatches: batch(2, 2), more: true }));
    expect(await raw.next()).toMatchObject({ type: 'error', code: 'bad-message', path: 'dispatches' });
    raw.send(JSON.stringify({ type: 'rehydrate', dispatches: batch(4, 3) }));
    expect(await raw.next()).toMatchObject({ type: 'rehydrateEnd', accepted: ['e4', 'e5', 'e6'], queued: 1 });
    raw.ws.close();
  });
});
