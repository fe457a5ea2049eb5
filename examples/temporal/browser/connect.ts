/**
 * What a page uses: connects to the SharedWorker (one per browser profile), tells it the server and the person,
 * and hands out stores. `workerURL` is where the bundler serves shared-worker.ts.
 */
import { type EntityRef, type EntityValue, type PortMessage, Snapshot } from '../../../protocols/temporal/schemas.ts';

const keyOf = (entity: EntityRef): string => `${entity.type}/${entity.id}`;

import { type TemporalStore, temporalStore } from './store.ts';

export interface TemporalConnection {
  store(entity: EntityRef): TemporalStore;
  create(entity: EntityRef, value: EntityValue): void;
  onStatus(listener: (connected: boolean, pending: number) => void): void;
  /** Takes the SharedWorker's socket down or back up (for every tab of this browser profile). */
  setOnline(online: boolean): void;
}

export function connectTemporal(options: {
  serverURL: string;
  person: EntityRef;
  worker: SharedWorker;
  record?: boolean;
}): TemporalConnection {
  const port = options.worker.port;
  const listeners = new Set<(connected: boolean, pending: number) => void>();
  /** Per entity, the stores of this tab waiting for the worker's answer to their subscribe. */
  const deliveries = new Map<string, Set<(snapshot: Snapshot) => void>>();
  port.onmessage = (event: MessageEvent) => {
    const message = event.data as PortMessage | Snapshot;
    if (message?.kind === 'status') for (const listener of listeners) listener(message.connected, message.pending);
    if (message?.kind === 'snapshot') {
      const parsed = Snapshot.safeParse(message);
      if (!parsed.success) return;
      for (const deliver of deliveries.get(keyOf(parsed.data.entity)) ?? []) deliver(parsed.data);
    }
  };
  port.start();
  const post = (message: PortMessage) => port.postMessage(message);
  post({ kind: 'connect', serverURL: options.serverURL, person: options.person, ...(options.record ? { record: true } : {}) });
  const link = {
    subscribe: (entity: EntityRef, deliver: (snapshot: Snapshot) => void) => {
      const waiting = deliveries.get(keyOf(entity)) ?? new Set<(snapshot: Snapshot) => void>();
      deliveries.set(keyOf(entity), waiting.add(deliver));
      post({ kind: 'subscribe', entity });
    },
  };
  return {
    store: (entity) => temporalStore(entity, link),
    create: (entity, value) => post({ kind: 'post', entity, value }),
    onStatus: (listener) => listeners.add(listener),
    setOnline: (online) => post({ kind: 'online', online }),
  };
}
