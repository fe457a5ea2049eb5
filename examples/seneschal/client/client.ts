/**
 * The seneschal client, for Node and the browser alike: login over HTTP, then a socket that runs the note's flow
 * (hello -> rehydrateBegin -> our stored dispatches -> rehydrateEnd -> the queue flush -> live dispatches).
 * Transport and storage are injected; every frame sent or received can be reported as a syncscope FrameInput,
 * with passwords and tokens replaced by "[redacted]".
 */
import type { FrameInput } from '@syncscope/inspector/record';
import {
  type ClientMessage,
  type LoginResponse,
  type Principal,
  type ServerDispatch,
  ServerMessage,
  type StoredDispatch,
} from '@syncscope/protocols/seneschal';
import { rehydrateMessages } from './batches.ts';
import { type LocalObject, type LocalState, view } from './state.ts';
import { createStore, type Store, seneschalMiddleware } from './store.ts';

/** The part of the WebSocket API used here (the browser's, and the `ws` package's). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: 'open' | 'close' | 'error' | 'message',
    listener: (event: { data?: unknown; code?: number; reason?: string }) => void,
  ): void;
}

export interface ClientStorage {
  load(): Promise<LocalState | undefined>;
  save(state: LocalState): Promise<void>;
}

export const memoryStorage = (): ClientStorage => {
  let saved: LocalState | undefined;
  return {
    load: async () => saved && structuredClone(saved),
    save: async (state) => {
      saved = structuredClone(state);
    },
  };
};

export interface ClientOptions {
  /** The server's HTTP base URL, e.g. http://127.0.0.1:4101 */
  server: string;
  clientID: string;
  openSocket: (url: string) => SocketLike;
  storage?: ClientStorage;
  now?: () => number;
  onFrame?: (frame: FrameInput) => void;
  fetch?: typeof fetch;
}

export type ConnectionStatus = 'offline' | 'connecting' | 'rehydrating' | 'live';

const REDACTED = '[redacted]';
const OPEN = 1;

export class SeneschalClient {
  readonly store: Store;
  status: ConnectionStatus = 'offline';
  userID: string | undefined;
  lastError: string | undefined;
  private token: string | undefined;
  private socket: SocketLike | undefined;
  /** The frame conn id of the current socket (HTTP exchanges get their own). */
  private socketConn = '';
  private connSeq = 0;
  private saving = Promise.resolve();
  /** The newest state not yet handed to storage, while a save for it is queued. */
  private unsavedState: LocalState | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly listeners = new Set<() => void>();
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.fetchImpl = options.fetch ?? fetch.bind(globalThis);
    this.store = createStore([
      seneschalMiddleware({
        clientID: options.clientID,
        ...(options.now ? { now: options.now } : {}),
        onDispatch: (dispatch) => this.afterSave(() => this.sendLive(dispatch)),
      }),
    ]);
    this.store.subscribe((state) => {
      const storage = this.options.storage;
      if (storage) {
        // A save that has not started yet takes the later states too (they are immutable and newer), so a burst of
        // changes (10,000 offline dispatches) is a few saves, not one save of an ever longer queue per change.
        // Work chained after a change (afterSave) still runs after a save that holds that change.
        const queued = this.unsavedState !== undefined;
        this.unsavedState = state;
        if (!queued)
          this.saving = this.saving
            .then(() => {
              const latest = this.unsavedState;
              this.unsavedState = undefined;
              return latest && storage.save(latest);
            })
            .catch((error) => this.fail(`could not save: ${String(error)}`));
      }
      this.notify();
    });
  }

  get clientID(): string {
    return this.options.clientID;
  }

  /** Loads the local copy and unsent dispatches kept from an earlier run. */
  async restore(): Promise<void> {
    const saved = await this.options.storage?.load();
    if (saved) this.store.dispatch({ type: 'loaded', state: saved });
  }

  objects(): Record<string, LocalObject> {
    return view(this.store.getState());
  }

  unsent(): readonly StoredDispatch[] {
    return this.store.getState().unsent;
  }

  /** An app action: applied locally at once, kept until the server acknowledges it. */
  dispatch(action: string, oid: string, data: Record<string, unknown> = {}): void {
    this.store.dispatch({ action, payload: [oid, data] });
  }

  async register(username: string, password: string): Promise<string> {
    const body = await this.post('/seneschal/register', { username, password }, ['password']);
    return (body as { userID: string }).userID;
  }

  async login(username: string, password: string): Promise<LoginResponse> {
    const body = (await this.post(
      '/seneschal/login',
      { username, password, clientID: this.clientID },
      ['password'],
      ['token'],
    )) as LoginResponse;
    this.token = body.token;
    this.userID = body.userID;
    return body;
  }

  async joinGroup(gid: string, userID: string): Promise<void> {
    await this.post('/seneschal/groups', { gid, userID }, []);
  }

  share(oid: string, principal: Principal, allow = true): void {
    this.send({ type: 'share', oid, principal, allow });
  }

  /** Opens the socket and resolves once rehydration is over and the server's queue for us has arrived. */
  connect(): Promise<void> {
    if (!this.token) return Promise.reject(new Error('log in before connecting'));
    if (this.socket) return this.until(() => this.status === 'live');
    const conn = `${this.clientID}:ws${++this.connSeq}`;
    this.socketConn = conn;
    const url = `${this.options.server.replace(/^http/, 'ws')}/seneschal`;
    const socket = this.options.openSocket(url);
    this.socket = socket;
    this.status = 'connecting';
    this.notify();
    let expected = 0;
    let flushed = 0;
    let settled = false;
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      };
      socket.addEventListener('open', () => {
        this.frame({ transport: 'websocket', conn, dir: 'out', kind: 'open', meta: { url } });
        this.send({ type: 'hello', token: this.token ?? '', clientID: this.clientID }, socket, conn);
      });
      socket.addEventListener('message', (event) => {
        const text = typeof event.data === 'string' ? event.data : String(event.data);
        this.frame({ transport: 'websocket', conn, dir: 'in', kind: 'message', text });
        const parsed = ServerMessage.safeParse(JSON.parse(text));
        if (!parsed.success) return this.fail(`server sent an invalid message: ${parsed.error.issues[0]?.message}`);
        const message = parsed.data;
        switch (message.type) {
          case 'welcome':
            this.userID = message.userID;
            this.notify();
            return;
          case 'rehydrateBegin':
            this.status = 'rehydrating';
            this.notify();
            // Wait for pending saves so that what we send is what survives a reload.
            return void this.afterSave(() => {
              for (const message of rehydrateMessages(this.unsent())) this.send(message, socket, conn);
            });
          case 'rehydrateEnd': {
            if (message.rejected?.length) {
              this.lastError = `${message.rejected.length} stored dispatch(es) rejected: no access`;
              this.store.dispatch({ type: 'rejected', ids: message.rejected });
            }
            this.store.dispatch({ type: 'acknowledged', ids: message.accepted });
            this.status = 'live';
            expected = message.queued;
            // Dispatches made while we were rehydrating go out live now.
            for (const dispatch of this.unsent()) this.sendLive(dispatch);
            if (flushed >= expected) finish();
            this.notify();
            return;
          }
          case 'dispatch':
            this.receive(message, socket, conn);
            // Counted before rehydrateEnd too: a queued dispatch that overtakes it (reordered delivery) still
            // belongs to the flush, or connect() would wait for one dispatch too many and never resolve.
            flushed++;
            if (this.status === 'live' && flushed >= expected) finish();
            return;
          case 'ack':
            if (message.rejected) {
              this.lastError = `dispatch ${message.id} rejected: ${message.rejected}`;
              this.store.dispatch({ type: 'rejected', ids: [message.id] });
            } else this.store.dispatch({ type: 'acknowledged', ids: [message.id] });
            return;
          case 'error':
            this.fail(`${message.code}: ${message.message}`);
            this.notify();
            if (message.code === 'unauthorized') finish(new Error(message.message));
            return;
        }
      });
      socket.addEventListener('error', () => {
        this.frame({ transport: 'websocket', conn, dir: 'in', kind: 'error', meta: { error: 'socket error' } });
      });
      socket.addEventListener('close', (event) => {
        this.frame({
          transport: 'websocket',
          conn,
          dir: 'in',
          kind: 'close',
          meta: { code: event.code ?? 1006, reason: event.reason ?? '' },
        });
        if (this.socket === socket) this.socket = undefined;
        this.status = 'offline';
        finish(new Error(`connection closed (${event.code ?? 1006})`));
        this.notify();
      });
    });
  }

  /** Closes the socket (going offline); unsent dispatches stay and are sent on the next connect. */
  async disconnect(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    // Let confirmations (`received`) queued behind local saves go out first, or the server keeps them queued.
    await this.saving;
    const closed = this.until(() => this.socket !== socket);
    socket.close(1000, 'bye');
    await closed;
  }

  /** Resolves when the predicate holds, re-checked on every state change. */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!predicate()) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  /** Resolves once every state change so far is in storage. */
  async saved(): Promise<void> {
    await this.saving;
  }

  /** Resolves once every dispatch of ours is acknowledged and saved. */
  async settled(): Promise<void> {
    await this.until(() => this.unsent().length === 0);
    await this.saving;
  }

  private receive(message: ServerDispatch, socket: SocketLike, conn: string): void {
    this.store.dispatch({ type: 'server', message });
    // Confirm only after the local copy is saved: otherwise a crash now would lose it on both sides.
    this.afterSave(() => this.send({ type: 'received', ids: [message.id] }, socket, conn));
  }

  private sendLive(dispatch: StoredDispatch): void {
    if (this.status !== 'live') return; // offline or rehydrating: it goes with the next rehydrate
    this.send({ type: 'dispatch', id: dispatch.id, envelope: dispatch.envelope });
  }

  private send(message: ClientMessage, socket = this.socket, conn = this.socketConn): void {
    if (!socket || socket.readyState !== OPEN) return;
    const text = JSON.stringify(message);
    const shown = message.type === 'hello' ? JSON.stringify({ ...message, token: REDACTED }) : text;
    this.frame({
      transport: 'websocket',
      conn,
      dir: 'out',
      kind: 'message',
      text: shown,
      ...(message.type === 'hello' ? { meta: { redacted: ['token'] } } : {}),
    });
    socket.send(text);
  }

  private afterSave(work: () => void): void {
    this.saving = this.saving.then(work, work);
  }

  private async post(path: string, body: Record<string, unknown>, secretsOut: string[], secretsIn: string[] = []): Promise<unknown> {
    const url = `${this.options.server}${path}`;
    const conn = `${this.clientID}:http${++this.connSeq}`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.token && path === '/seneschal/groups') headers.authorization = `Bearer ${this.token}`;
    const redact = (value: Record<string, unknown>, keys: string[]) =>
      JSON.stringify(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, keys.includes(k) ? REDACTED : v])));
    const shownHeaders = headers.authorization ? { ...headers, authorization: REDACTED } : headers;
    this.frame({
      transport: 'http',
      conn,
      dir: 'out',
      kind: 'request',
      text: redact(body, secretsOut),
      meta: { url, method: 'POST', headers: shownHeaders, ...(secretsOut.length ? { redacted: secretsOut } : {}) },
    });
    const response = await this.fetchImpl(url, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { error: { code: 'bad-response', message: text } };
    }
    const shown = response.ok && typeof parsed === 'object' && parsed ? redact(parsed as Record<string, unknown>, secretsIn) : text;
    this.frame({
      transport: 'http',
      conn,
      dir: 'in',
      kind: 'response',
      text: shown,
      meta: {
        url,
        method: 'POST',
        status: response.status,
        headers: { 'content-type': response.headers.get('content-type') ?? '' },
        ...(secretsIn.length && response.ok ? { redacted: secretsIn } : {}),
      },
    });
    if (!response.ok) {
      const message = (parsed as { error?: { message?: string } }).error?.message ?? text;
      throw new Error(`${path}: ${response.status} ${message}`);
    }
    return parsed;
  }

  private frame(frame: FrameInput): void {
    this.options.onFrame?.(frame);
  }

  private fail(message: string): void {
    this.lastError = message;
  }

  /** Called after every change of the local copy or of the connection status (what a UI redraws on). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
    for (const listener of [...this.listeners]) listener();
  }
}
