/** The custom store against the browser's own BroadcastChannel, with the test playing the SharedWorker's side. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACK_CHANNEL,
  BroadcastMessage,
  END_OF_TIME,
  type EntityRef,
  entityChannel,
  UPSTREAM_CHANNEL,
} from '../../../protocols/temporal/schemas.ts';
import { type StoreState, type TemporalStore, temporalStore } from './store.ts';

const V1 = '2025-05-01T08:00:00.000Z';
const V2 = '2025-05-01T08:00:01.000Z';
const meta = (validFrom: string) => ({ userID: 'alice', validFrom, validTo: END_OF_TIME });

/** Collects what is posted on a channel, as the SharedWorker would hear it. */
function listen(name: string) {
  const channel = new BroadcastChannel(name);
  const heard: BroadcastMessage[] = [];
  channel.onmessage = (event) => {
    const parsed = BroadcastMessage.safeParse(event.data);
    if (parsed.success) heard.push(parsed.data);
  };
  return { heard, close: () => channel.close() };
}

describe('temporalStore over real BroadcastChannels', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0)) fn();
  });

  function setup(entity: EntityRef) {
    const subscribeCalls: EntityRef[] = [];
    const store = temporalStore(entity, { subscribe: (e) => subscribeCalls.push(e) });
    const states: StoreState[] = [];
    cleanup.push(store.subscribe((s) => states.push(s)));
    const worker = new BroadcastChannel(entityChannel(entity.id));
    const ack = listen(ACK_CHANNEL);
    const upstream = listen(UPSTREAM_CHANNEL);
    cleanup.push(
      () => store.close(),
      () => worker.close(),
      ack.close,
      upstream.close,
    );
    return { store, states, worker, ack, upstream, subscribeCalls };
  }

  it('takes a snapshot and diffs from the worker, acking each', async () => {
    const entity = { id: 'org-s1', type: 'org' };
    const { store, worker, ack, subscribeCalls } = setup(entity);
    expect(subscribeCalls).toEqual([entity]);
    worker.postMessage({ kind: 'snapshot', updateID: 'u1', entity, value: { name: 'Acme', city: 'Oslo' }, meta: meta(V1) });
    await expect.poll(() => current(store).value).toEqual({ name: 'Acme', city: 'Oslo' });
    worker.postMessage({ kind: 'downstream', updateID: 'u2', entity, diff: { city: 'Bergen' }, meta: meta(V2), baseValidFrom: V1 });
    await expect.poll(() => current(store).value).toEqual({ name: 'Acme', city: 'Bergen' });
    expect(current(store).meta?.validFrom).toBe(V2);
    await expect.poll(() => ack.heard.map((m) => m.kind === 'ack' && m.updateID)).toEqual(['u1', 'u2']);
  });

  it('asks the worker again when a diff does not start from its version', async () => {
    const entity = { id: 'org-s2', type: 'org' };
    const { store, worker, subscribeCalls } = setup(entity);
    worker.postMessage({ kind: 'snapshot', updateID: 'u1', entity, value: { name: 'A' }, meta: meta(V1) });
    await expect.poll(() => current(store).meta?.validFrom).toBe(V1);
    worker.postMessage({
      kind: 'downstream',
      updateID: 'u3',
      entity,
      diff: { name: 'C' },
      meta: meta('2025-05-01T08:00:09.000Z'),
      baseValidFrom: V2,
    });
    await expect.poll(() => subscribeCalls.length).toBe(2);
    expect(current(store).value).toEqual({ name: 'A' });
  });

  it('posts a user edit upstream as a diff on its version, and other stores show it at once', async () => {
    const entity = { id: 'org-s3', type: 'org' };
    const { store, worker, upstream } = setup(entity);
    const otherTab = temporalStore(entity, { subscribe: () => undefined });
    cleanup.push(() => otherTab.close());
    worker.postMessage({ kind: 'snapshot', updateID: 'u1', entity, value: { name: 'A', city: 'Oslo' }, meta: meta(V1) });
    await expect.poll(() => current(otherTab).meta?.validFrom).toBe(V1);
    await expect.poll(() => current(store).meta?.validFrom).toBe(V1);
    store.update((v) => ({ ...v, city: 'Tromsø' }));
    expect(current(store).value).toEqual({ name: 'A', city: 'Tromsø' });
    await expect.poll(() => upstream.heard.length).toBe(1);
    expect(upstream.heard[0]).toMatchObject({
      kind: 'upstream',
      storeID: store.storeID,
      entity,
      diff: { city: 'Tromsø' },
      baseValidFrom: V1,
    });
    await expect.poll(() => current(otherTab).value).toEqual({ name: 'A', city: 'Tromsø' });
  });
});

function current(store: TemporalStore): StoreState {
  let state: StoreState = { value: undefined, meta: undefined };
  store.subscribe((s) => {
    state = s;
  })();
  return state;
}
