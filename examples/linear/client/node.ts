/** The Node client for tests and recording: the shared SyncClient over the `ws` package, with a memory store. */
import { WebSocket } from 'ws';
import { type LocalStore, MemoryStore } from './local-store.ts';
import { SyncClient, type SyncClientOptions } from './sync-client.ts';
import type { SocketLike } from './wire.ts';

export type NodeClientOptions = Omit<SyncClientOptions, 'socketFactory' | 'store'> & { store?: LocalStore };

export function createNodeClient(options: NodeClientOptions): SyncClient {
  return new SyncClient({
    ...options,
    store: options.store ?? new MemoryStore(),
    socketFactory: (url) => new WebSocket(url) as unknown as SocketLike,
  });
}

export { MemoryStore } from './local-store.ts';
export { ObjectPool, poolKey, topologicalOrder } from './object-pool.ts';
export { SyncClient } from './sync-client.ts';
export type { FrameInput, FrameObserver } from './wire.ts';
