/**
 * The slice of the Workers runtime API these Durable Objects use, typed here because @cloudflare/workers-types is
 * not a dependency of the workspace (and its globals would clash with the DOM lib the rest of the repo uses).
 */

export interface DurableObjectStorage {
  get<T = unknown>(key: string): Promise<T | undefined>;
  get<T = unknown>(keys: string[]): Promise<Map<string, T>>;
  put(key: string, value: unknown): Promise<void>;
  put(entries: Record<string, unknown>): Promise<void>;
  delete(key: string | string[]): Promise<boolean | number>;
}

export interface HibernatableWebSocket {
  send(data: ArrayBuffer | ArrayBufferView | string): void;
  close(code?: number, reason?: string): void;
  serializeAttachment(value: unknown): void;
  deserializeAttachment(): unknown;
  readonly readyState: number;
}

export interface DurableObjectId {
  toString(): string;
  readonly name?: string;
}

export interface DurableObjectState {
  readonly id: DurableObjectId;
  readonly storage: DurableObjectStorage;
  acceptWebSocket(socket: HibernatableWebSocket, tags?: string[]): void;
  getWebSockets(tag?: string): HibernatableWebSocket[];
  waitUntil(promise: Promise<unknown>): void;
  blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T>;
}

export interface DurableObjectStub {
  fetch(input: string | Request, init?: RequestInit): Promise<Response>;
}

export interface DurableObjectNamespace {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): DurableObjectStub;
}

export interface Env {
  TEMPORALIZABLE: DurableObjectNamespace;
  PERSON: DurableObjectNamespace;
}

/** `new WebSocketPair()` of the Workers runtime: two connected sockets, the first returned to the client. */
export function newWebSocketPair(): [WebSocket, HibernatableWebSocket] {
  const Pair = (globalThis as unknown as { WebSocketPair: new () => Record<0 | 1, unknown> }).WebSocketPair;
  const pair = new Pair();
  return [pair[0] as WebSocket, pair[1] as HibernatableWebSocket];
}
