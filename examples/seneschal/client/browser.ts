/**
 * The client in a browser: the page's WebSocket, IndexedDB for the local copy and unsent dispatches, and a CUID
 * kept in localStorage so the server sees the same device across reloads.
 */
import type { FrameInput } from '@syncscope/inspector/record';
import { SeneschalClient, type SocketLike } from './client.ts';
import { idbStorage } from './idb-storage.ts';

export interface BrowserClientOptions {
  server: string;
  /** Defaults to a CUID made once and kept in localStorage. */
  clientID?: string;
  onFrame?: (frame: FrameInput) => void;
}

export function deviceClientID(): string {
  const key = 'seneschal.clientID';
  const existing = localStorage.getItem(key);
  if (existing) return existing;
  const fresh = `web-${crypto.randomUUID()}`;
  localStorage.setItem(key, fresh);
  return fresh;
}

export async function createBrowserClient(options: BrowserClientOptions): Promise<SeneschalClient> {
  const clientID = options.clientID ?? deviceClientID();
  const client = new SeneschalClient({
    server: options.server,
    clientID,
    storage: idbStorage(`seneschal-${clientID}`, options.onFrame),
    openSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    ...(options.onFrame ? { onFrame: options.onFrame } : {}),
  });
  await client.restore();
  return client;
}
