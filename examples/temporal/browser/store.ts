/**
 * The custom store of design note 004: the latest value and meta of one entity (no old snapshots), implementing the
 * Svelte store contract (subscribe / set / update). A user's change becomes a diff posted on the `upstream`
 * BroadcastChannel, where the SharedWorker (which sends it as patchDiff) and the other tabs' stores hear it.
 * Changes from upstream arrive on the entity's own channel as `{diff, meta}` (or a whole snapshot); each is acked on
 * the `ack` channel so the worker knows a store still wants the entity.
 */
import { diff as deepDiff } from 'deep-object-diff';
import { applyDiff, plainDiff } from '../../../protocols/temporal/diff.ts';
import {
  ACK_CHANNEL,
  type Ack,
  BroadcastMessage,
  type EntityRef,
  type EntityValue,
  entityChannel,
  type Meta,
  type Snapshot,
  UPSTREAM_CHANNEL,
  type Upstream,
} from '../../../protocols/temporal/schemas.ts';

export interface StoreState {
  value: EntityValue | undefined;
  meta: Meta | undefined;
}

/**
 * What the store needs from the worker connection: ask for the entity (and for a fresh snapshot when stale). The
 * worker answers on the tab's own port through `deliver`: a snapshot broadcast on the entity's channel can miss a
 * channel the page has only just created (Chromium registers a new BroadcastChannel asynchronously, so a message the
 * worker broadcasts right after the page's subscribe may reach the browser before the registration does).
 */
export interface WorkerLink {
  subscribe(entity: EntityRef, deliver: (snapshot: Snapshot) => void): void;
}

type Run = (state: StoreState) => void;

export interface TemporalStore {
  subscribe(run: Run): () => void;
  set(value: EntityValue): void;
  update(fn: (value: EntityValue) => EntityValue): void;
  /** Closes the store's channels; its subscribers get nothing more. */
  close(): void;
  readonly storeID: string;
}

export function temporalStore(entity: EntityRef, link: WorkerLink, storeID: string = crypto.randomUUID()): TemporalStore {
  let state: StoreState = { value: undefined, meta: undefined };
  const runs = new Set<Run>();
  const own = new BroadcastChannel(entityChannel(entity.id));
  const upstream = new BroadcastChannel(UPSTREAM_CHANNEL);
  const ack = new BroadcastChannel(ACK_CHANNEL);
  const publish = (next: StoreState) => {
    state = next;
    for (const run of runs) run(state);
  };

  const receive = (data: unknown) => {
    const parsed = BroadcastMessage.safeParse(data);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.kind !== 'downstream' && message.kind !== 'snapshot') return;
    if (message.entity.type !== entity.type || message.entity.id !== entity.id) return;
    ack.postMessage({ kind: 'ack', updateID: message.updateID, storeID, entity } satisfies Ack);
    if (message.kind === 'snapshot') {
      // The same snapshot may come twice (channel and port), and the port's copy after a newer downstream.
      if (state.meta && state.meta.validFrom > message.meta.validFrom) return;
      return publish({ value: message.value, meta: message.meta });
    }
    if (state.meta && state.meta.validFrom >= message.meta.validFrom) return;
    if (!state.meta || state.value === undefined || state.meta.validFrom !== message.baseValidFrom) {
      // Our latest is not the diff's base: ask the worker for the whole value.
      link.subscribe(entity, receive);
      return;
    }
    publish({ value: applyDiff(state.value, message.diff), meta: message.meta });
  };
  own.onmessage = (event: MessageEvent) => receive(event.data);

  upstream.onmessage = (event: MessageEvent) => {
    const parsed = BroadcastMessage.safeParse(event.data);
    if (!parsed.success || parsed.data.kind !== 'upstream') return;
    const change = parsed.data;
    if (change.storeID === storeID || change.entity.id !== entity.id || change.entity.type !== entity.type) return;
    // Another tab's edit: show it at once; the worker's confirmation follows on our own channel.
    publish({ ...state, value: applyDiff(state.value ?? {}, change.diff) });
  };

  link.subscribe(entity, receive);

  const set = (value: EntityValue) => {
    const diff = plainDiff(deepDiff(state.value ?? {}, value));
    if (Object.keys(diff).length === 0) return;
    publish({ ...state, value });
    if (!state.meta) return; // Nothing to diff against on the server yet; the first snapshot will replace it.
    upstream.postMessage({
      kind: 'upstream',
      changeID: crypto.randomUUID(),
      storeID,
      entity,
      diff,
      baseValidFrom: state.meta.validFrom,
    } satisfies Upstream);
  };

  return {
    storeID,
    subscribe(run) {
      runs.add(run);
      run(state);
      return () => runs.delete(run);
    },
    set,
    update: (fn) => set(fn(state.value ?? {})),
    close() {
      runs.clear();
      own.close();
      upstream.close();
      ack.close();
    },
  };
}
