/** The client for Node (tests, fixture recording): the `ws` package for the socket, memory for storage. */
// ws's addEventListener types its events more narrowly than the browser's; the calls made here are the same.
import WebSocket from 'ws';
import { type ClientOptions, memoryStorage, SeneschalClient, type SocketLike } from './client.ts';

export type NodeClientOptions = Omit<ClientOptions, 'openSocket'>;

export function createNodeClient(options: NodeClientOptions): SeneschalClient {
  return new SeneschalClient({ storage: memoryStorage(), ...options, openSocket: (url) => new WebSocket(url) as unknown as SocketLike });
}
