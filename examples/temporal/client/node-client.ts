/** The temporal client for Node (tests, scripts, fixture recording): the shared client over the `ws` package. */
import WebSocket from 'ws';
import { type ClientOptions, type SocketLike, TemporalClient } from './sync-client.ts';

export type { ClientOptions, EntityView } from './sync-client.ts';
export { TemporalClient } from './sync-client.ts';

export function nodeSocket(url: string): SocketLike {
  return new WebSocket(url) as unknown as SocketLike;
}

export function createNodeClient(options: Omit<ClientOptions, 'openSocket'>): TemporalClient {
  return new TemporalClient({ ...options, openSocket: nodeSocket });
}
