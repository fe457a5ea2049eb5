/**
 * The scenarios whose real traffic becomes the recorded fixtures (protocols/seneschal/fixtures/*.syncscope.jsonl).
 * Each runs against a real server on 127.0.0.1 and reports every client frame to one Recorder.
 */
import { type FrameInput, Recorder } from '@syncscope/inspector/record';
import { at, converge, Harness } from './harness.ts';

export interface Recorded {
  name: string;
  session: string;
}

/** Extra observers of the recorded frames, for scenarios that act on what they see (a kill mid-sync). */
type Taps = Array<(frame: FrameInput) => void>;

async function record(name: string, origin: string, run: (h: Harness, taps: Taps) => Promise<void>): Promise<Recorded> {
  const recorder = new Recorder();
  const taps: Taps = [];
  const harness = new Harness((frame) => {
    recorder.add(frame);
    for (const tap of taps) tap(frame);
  });
  try {
    await harness.start();
    await run(harness, taps);
  } finally {
    await harness.dispose();
  }
  return { name, session: recorder.toSessionFile({ origin, protocols: ['seneschal'], redactions: ['password', 'token'] }) };
}

/** The note's worked example with three devices of one user. */
export const workedExample = () =>
  record(
    'worked-example.syncscope.jsonl',
    "examples/seneschal: the note's worked example (0700 name, 0720 offline qty+location, 0730 location, 0740 reconnect)",
    async (h) => {
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
      tablet.dispatch('items/upsert', 'ob1', { qty: '2', location: 'aisle' });
      h.clock = at(730);
      phone.dispatch('items/upsert', 'ob1', { location: 'food court' });
      await phone.settled();
      await converge([laptop], { ob1: { name: 'test', qty: '1', location: 'food court' } });
      h.clock = at(740);
      await tablet.connect();
      await converge([phone, tablet, laptop], { ob1: { name: 'test', qty: '2', location: 'food court' } });
    },
  );

/** A shared shopping list: group access, a grant that delivers the list and its items, live edits, a revocation. */
export const sharedList = () =>
  record('shared-list.syncscope.jsonl', 'examples/seneschal: access lists by group, grant, live edits, revoke', async (h) => {
    const alice = await h.connected('alice-phone', 'alice', true);
    const bob = await h.connected('bob-phone', 'bob', true);
    h.clock = at(800);
    alice.dispatch('lists/upsert', 'list1', { name: 'Party' });
    alice.dispatch('items/upsert', 'chips', { name: 'chips', qty: '2', listID: 'list1' });
    await alice.settled();
    await alice.joinGroup('family', bob.userID ?? '');
    alice.share('list1', { kind: 'group', id: 'family' });
    const party = { list1: { name: 'Party' }, chips: { name: 'chips', qty: '2', listID: 'list1' } };
    await converge([alice, bob], party);
    h.clock = at(810);
    bob.dispatch('items/upsert', 'chips', { qty: '3' });
    await converge([alice, bob], { ...party, chips: { ...party.chips, qty: '3' } });
    alice.share('list1', { kind: 'group', id: 'family' }, false);
    await converge([bob], {});
  });

/** Concurrent edits of one object by two live clients, the later timestamp sent first. */
export const concurrentEdits = () =>
  record(
    'concurrent-edits.syncscope.jsonl',
    'examples/seneschal: concurrent edits to one object; the older edit loses and is corrected',
    async (h) => {
      const a = await h.connected('a', 'alice', true);
      const b = await h.connected('b', 'alice');
      h.clock = at(900);
      a.dispatch('items/upsert', 'soap', { name: 'soap', qty: '1' });
      await converge([a, b], { soap: { name: 'soap', qty: '1' } });
      h.clock = at(902);
      b.dispatch('items/upsert', 'soap', { qty: '5' });
      await b.settled();
      h.clock = at(901); // a's clock is behind: its edit is older than b's, though it arrives later
      a.dispatch('items/upsert', 'soap', { qty: '4', location: 'bath' });
      await a.settled();
      await converge([a, b], { soap: { name: 'soap', qty: '5', location: 'bath' } });
    },
  );

/** The server dies the moment a reconnecting client's stored dispatches are on the wire, and comes back. */
export const restartMidSync = () =>
  record(
    'restart-mid-sync.syncscope.jsonl',
    'examples/seneschal: server killed during rehydrate and restarted; the client resends',
    async (h, taps) => {
      const a = await h.connected('a', 'alice', true);
      const b = await h.connected('b', 'alice');
      h.clock = at(1000);
      a.dispatch('items/upsert', 'tea', { name: 'tea' });
      await converge([a, b], { tea: { name: 'tea' } });
      await b.disconnect();
      h.clock = at(1010);
      b.dispatch('items/upsert', 'tea', { qty: '3' });
      b.dispatch('items/upsert', 'milk', { name: 'milk' });
      let killed: Promise<void> | undefined;
      taps.push((frame) => {
        if (!killed && frame.dir === 'out' && frame.text?.includes('"type":"rehydrate"')) killed = h.stop();
      });
      await b.connect().catch(() => undefined);
      await killed;
      await h.start();
      await b.connect();
      if (a.status !== 'live') await a.connect().catch(() => a.connect());
      await converge([a, b], { tea: { name: 'tea', qty: '3' }, milk: { name: 'milk' } });
    },
  );

export const RECORDED_SCENARIOS = [workedExample, sharedList, concurrentEdits, restartMidSync] as const;
