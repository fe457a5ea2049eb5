/**
 * What a page uses: connects to the SharedWorker (one per browser profile), tells it the server and the person,
 * and hands out stores. `workerURL` is where the bundler serves shared-worker.ts.
 */
import type { EntityRef, EntityValue, PortMessage } from '../../../protocols/temporal/schemas.ts';
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
  port.onmessage = (event: MessageEvent) => {
    const message = event.data as PortMessage;
    if (message?.kind === 'status') for (const listener of listeners) listener(message.connected, message.pending);
  };
  port.start();
  const post = (message: PortMessage) => port.postMessage(message);
  post({ kind: 'connect', serverURL: options.serverURL, person: options.person, ...(options.record ? { record: true } : {}) });
  const link = { subscribe: (entity: EntityRef) => post({ kind: 'subscribe', entity }) };
  return {
    store: (entity) => temporalStore(entity, link),
    create: (entity, value) => post({ kind: 'post', entity, value }),
    onStatus: (listener) => listeners.add(listener),
    setOnline: (online) => post({ kind: 'online', online }),
  };
}
