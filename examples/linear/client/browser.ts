/** The browser client library: the shared SyncClient over the page's WebSocket, persisted in IndexedDB. */
import { databaseName, IdbStore } from './idb-store.ts';
import { SyncClient, type SyncClientOptions } from './sync-client.ts';

export type BrowserClientOptions = Omit<SyncClientOptions, 'socketFactory' | 'store'> & { store?: IdbStore };

export function createBrowserClient(options: BrowserClientOptions): SyncClient {
  return new SyncClient({
    ...options,
    store: options.store ?? new IdbStore(databaseName(options.server, options.username)),
    socketFactory: (url) => new WebSocket(url),
  });
}

export { databaseName, IdbStore } from './idb-store.ts';
export { ObjectPool, poolKey } from './object-pool.ts';
export { type ClientStatus, SyncClient } from './sync-client.ts';
