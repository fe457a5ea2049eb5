/**
 * The sync client of design note 000, shared by the browser library and the Node client:
 * - startup: no local data -> full bootstrap written to the store; local data -> delta bootstrap from its sync id;
 * - a change is made in memory at once and written to the local transaction queue; offline it waits there;
 * - (re)connect in the note's order: start queueing socket events, drain the local queue, get the delta bootstrap,
 *   apply it, then apply the queued and live server changes (stale ones, at or below what the pool has, dropped);
 * - a transaction leaves the queue once the client has seen its sync id; a rejected one is rolled back to the
 *   server's copy.
 */
import {
  type BootstrapLine,
  ChangeResponse,
  decodeNdjsonBody,
  ErrorBody,
  type JsonModel,
  LoginResponse,
  ServerCommand,
  type SyncAction,
  type Transaction,
  type TransactionResult,
} from '@syncscope/protocols/linear';
import type { LocalStore, QueuedTransaction, StoredModel } from './local-store.ts';
import { ObjectPool, poolKey } from './object-pool.ts';
import { type FrameObserver, type SocketFactory, type SocketLike, Wire } from './wire.ts';

export type ClientStatus = 'idle' | 'bootstrap' | 'delta' | 'draining' | 'live' | 'offline';

export interface SyncClientOptions {
  /** The server's base URL, e.g. http://127.0.0.1:4101 */
  server: string;
  username: string;
  password: string;
  clientId: string;
  store: LocalStore;
  socketFactory: SocketFactory;
  onFrame?: FrameObserver;
  reconnectDelayMs?: number;
  now?: () => number;
}

/** Linear's batch bound, which the server enforces too. */
const BATCH = 40;
const HANDSHAKE_TIMEOUT_MS = 5_000;

export class ProtocolError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A bootstrap row without the engine's bookkeeping fields: the model as the app sees it. */
function modelOf(row: JsonModel): { model: JsonModel; syncId: number } {
  const { syncId, ...model } = row;
  return { model: model as JsonModel, syncId: typeof syncId === 'number' ? syncId : 0 };
}

type PoolCopy = { model: JsonModel; syncId: number };

function entityOf(tx: Transaction): string {
  return tx.type === 'create' ? poolKey(tx.modelType, tx.model.id) : poolKey(tx.modelClass, tx.modelId);
}

export class SyncClient {
  readonly pool = new ObjectPool();
  lastSyncId = 0;
  status: ClientStatus = 'idle';
  queue: QueuedTransaction[] = [];
  /** Rejections the server sent back, newest last: what the UI tells the user. */
  readonly rejections: Array<Extract<TransactionResult, { ok: false }>> = [];

  private readonly wire: Wire;
  private token: string | undefined;
  private socket: { socket: SocketLike; send(text: string): void } | undefined;
  private hasLocalData = false;
  private wantOnline = false;
  private stopped = false;
  private buffering = true;
  private buffered: SyncAction[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  /**
   * The server's own copy (null: not there) of every object a queued change is shown on top of. When a change
   * retires, its object is rebuilt from this copy plus the changes still pending: the pool alone cannot tell a
   * local value from the server's, and a change acknowledged after a newer server change to the same field was
   * seen must not stay on top of it.
   */
  private readonly serverCopies = new Map<string, PoolCopy | null>();
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: SyncClientOptions) {
    this.wire = new Wire(options.clientId, options.onFrame);
  }

  get clientId(): string {
    return this.options.clientId;
  }

  /** Loads local data (if any) into the pool, then connects. */
  async start(): Promise<void> {
    const local = await this.options.store.load();
    if (local) {
      this.hasLocalData = true;
      this.lastSyncId = local.lastSyncId;
      this.queue = [...local.queue].sort((a, b) => a.enqueuedAt - b.enqueuedAt);
      this.pool.hydrate(local.models.map((m) => ({ model: m.model, syncId: m.syncId })));
      for (const item of this.queue) this.rememberServerCopy(entityOf(item.tx));
      for (const item of this.queue) this.applyLocally(item.tx);
    }
    await this.goOnline();
  }

  /** Connects (or reconnects) and syncs; on failure the client stays offline and retries on its own. */
  goOnline(): Promise<void> {
    this.wantOnline = true;
    return this.serial(() => this.connect());
  }

  /** Drops the connection as a network loss would; changes made now wait in the queue. */
  goOffline(): void {
    this.wantOnline = false;
    clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.socket.close(1000, 'offline');
    this.setStatus('offline');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.goOffline();
    await this.chain.catch(() => undefined);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    const unsubscribe = this.pool.subscribe(listener);
    return () => {
      this.listeners.delete(listener);
      unsubscribe();
    };
  }

  // ---- local changes -------------------------------------------------------------------------------------------

  create(model: JsonModel): Promise<string> {
    return this.change({ id: crypto.randomUUID(), type: 'create', modelType: model.__class, model, baseSyncId: this.lastSyncId });
  }

  update(modelName: string, id: string, changes: Record<string, unknown>): Promise<string> {
    const current = this.pool.get(poolKey(modelName, id))?.model ?? {};
    const snapshot = Object.fromEntries(
      Object.entries(changes).map(([field, updated]) => [
        field,
        { original: (current as Record<string, unknown>)[field] ?? null, updated },
      ]),
    );
    return this.change({
      id: crypto.randomUUID(),
      type: 'update',
      modelClass: modelName,
      modelId: id,
      baseSyncId: this.lastSyncId,
      changeSnapshot: { changes: snapshot },
    });
  }

  remove(modelName: string, id: string): Promise<string> {
    return this.change({ id: crypto.randomUUID(), type: 'delete', modelClass: modelName, modelId: id, baseSyncId: this.lastSyncId });
  }

  archive(modelName: string, id: string, archived = true): Promise<string> {
    return this.change({
      id: crypto.randomUUID(),
      type: archived ? 'archive' : 'unarchive',
      modelClass: modelName,
      modelId: id,
      baseSyncId: this.lastSyncId,
    });
  }

  /** In memory at once, then into the persisted queue; sent now if live, else when the client reconnects. */
  private async change(tx: Transaction): Promise<string> {
    const item: QueuedTransaction = { tx, enqueuedAt: this.now() };
    this.rememberServerCopy(entityOf(tx));
    this.applyLocally(tx);
    this.queue.push(item);
    await this.options.store.putTransaction(item);
    this.emit();
    if (this.status === 'live') void this.serial(() => this.drain()).catch(() => this.lostConnection());
    return tx.id;
  }

  /** Sends whatever is queued now (tests and the demo's "sync now"). */
  flush(): Promise<void> {
    return this.serial(() => this.drain());
  }

  // ---- connecting ----------------------------------------------------------------------------------------------

  private async connect(): Promise<void> {
    if (!this.wantOnline || this.stopped) return;
    try {
      if (!this.token) await this.login();
      // 1. Start queueing socket events.
      this.buffering = true;
      this.buffered = [];
      await this.openSocket();
      // 2. Drain the local queue (a phase of its own only when there is something to send).
      if (this.queue.some((q) => q.syncId === undefined)) this.setStatus('draining');
      await this.drain();
      // 3 and 4. Get the (delta) bootstrap and apply it.
      await this.bootstrap();
      // 5. Apply the queued server changes, then live ones as they come.
      const queued = this.buffered;
      this.buffered = [];
      this.buffering = false;
      await this.applyActions(queued);
      this.setStatus('live');
      // Changes made while syncing.
      await this.drain();
    } catch (error) {
      if (error instanceof ProtocolError && error.status === 401) this.token = undefined;
      this.lostConnection();
    }
  }

  private lostConnection(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.socket.close(1000, 'resync');
    this.buffering = true;
    this.setStatus('offline');
    if (!this.wantOnline || this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.serial(() => this.connect()), this.options.reconnectDelayMs ?? 250);
  }

  private async login(): Promise<void> {
    const body = JSON.stringify({ username: this.options.username, password: this.options.password });
    const reply = await this.http('POST', '/login', body, false);
    const parsed = LoginResponse.safeParse(reply);
    if (!parsed.success) throw new ProtocolError(0, 'bad-reply', 'the login reply has no token');
    this.token = parsed.data.token;
  }

  private async http(method: string, path: string, body?: string, auth = true): Promise<unknown> {
    const headers: Record<string, string> = { 'x-client-id': this.options.clientId };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth && this.token) headers.authorization = `Bearer ${this.token}`;
    const { status, text } = await this.wire.request(this.options.server + path, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    if (status >= 400) {
      const error = (() => {
        try {
          return ErrorBody.safeParse(JSON.parse(text));
        } catch {
          return undefined;
        }
      })();
      throw new ProtocolError(
        status,
        error?.success ? error.data.error.code : 'http',
        error?.success ? error.data.error.message : `HTTP ${status}`,
      );
    }
    if (path.startsWith('/bootstrap')) return text;
    return JSON.parse(text) as unknown;
  }

  private openSocket(): Promise<void> {
    const url = `${this.options.server.replace(/^http/, 'ws')}/sync?clientId=${encodeURIComponent(this.options.clientId)}`;
    const connection = this.wire.socket(this.options.socketFactory, url);
    this.socket = connection;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => finish(new Error('no handshake from the server')), HANDSHAKE_TIMEOUT_MS);
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      connection.socket.addEventListener('open', () => {
        connection.send(JSON.stringify({ cmd: 'hshk', token: this.token, clientId: this.options.clientId, lastSyncId: this.lastSyncId }));
      });
      connection.socket.addEventListener('message', (event: { data: unknown }) => {
        const command = this.parseCommand(event.data);
        if (!command) return;
        if (command.cmd === 'hshk') finish();
        else if (command.cmd === 'noauth') {
          this.token = undefined;
          finish(new ProtocolError(401, 'noauth', 'the server refused the socket handshake'));
        } else if (command.cmd === 'sync') this.onSync(command.sync);
      });
      connection.socket.addEventListener('close', () => {
        finish(new Error('the socket closed before the handshake'));
        if (this.socket === connection) this.lostConnection();
      });
      connection.socket.addEventListener('error', () => finish(new Error('socket error')));
    });
  }

  private parseCommand(data: unknown): ServerCommand | undefined {
    try {
      const parsed = ServerCommand.safeParse(JSON.parse(typeof data === 'string' ? data : String(data)));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  private onSync(actions: SyncAction[]): void {
    if (this.buffering) this.buffered.push(...actions);
    else void this.serial(() => this.applyActions(actions));
  }

  // ---- the queue -----------------------------------------------------------------------------------------------

  /** Sends every queued transaction not yet accepted, in batches, and takes each answer. */
  private async drain(): Promise<void> {
    for (let round = 0; round < 1_000; round++) {
      const unsent = this.queue.filter((q) => q.syncId === undefined).slice(0, BATCH);
      if (unsent.length === 0 || !this.token) return;
      const body = JSON.stringify({ clientId: this.options.clientId, transactions: unsent.map((q) => q.tx) });
      const reply = ChangeResponse.safeParse(await this.http('POST', '/change', body));
      if (!reply.success) throw new ProtocolError(0, 'bad-reply', 'the change reply does not match the schema');
      await this.takeResults(reply.data.results);
    }
  }

  private async takeResults(results: readonly TransactionResult[]): Promise<void> {
    const touched = new Set<string>();
    for (const result of results) {
      const item = this.queue.find((q) => q.tx.id === result.id);
      if (!item) continue;
      if (result.ok) {
        item.syncId = result.syncId;
        await this.options.store.putTransaction(item);
        continue;
      }
      this.rejections.push(result);
      this.queue = this.queue.filter((q) => q !== item);
      await this.options.store.removeTransactions([item.tx.id]);
      // Roll back to the server's copy (none: the object is not there for us).
      const key = entityOf(item.tx);
      touched.add(key);
      if (result.current) {
        const syncId = result.syncId ?? this.pool.get(key)?.syncId ?? 0;
        this.pool.put(modelOf(result.current).model, syncId);
        this.serverSent(key, { model: modelOf(result.current).model, syncId });
      } else if (result.current === null || item.tx.type === 'create') {
        this.pool.remove(key);
        this.serverSent(key, null);
      }
    }
    for (const key of touched) this.reapplyPending(key);
    await this.retireSeen();
    this.emit();
  }

  /** Transactions whose sync id the client has now seen are done; their objects are rebuilt without them. */
  private async retireSeen(): Promise<void> {
    const done = this.queue.filter((q) => q.syncId !== undefined && q.syncId <= this.lastSyncId);
    if (done.length) {
      this.queue = this.queue.filter((q) => !done.includes(q));
      for (const key of new Set(done.map((q) => entityOf(q.tx)))) this.rebuild(key);
      await this.options.store.removeTransactions(done.map((q) => q.tx.id));
    }
    for (const key of this.serverCopies.keys()) if (!this.queue.some((q) => entityOf(q.tx) === key)) this.serverCopies.delete(key);
  }

  private rememberServerCopy(key: string): void {
    if (this.serverCopies.has(key)) return;
    const held = this.pool.get(key);
    this.serverCopies.set(key, held ? { model: held.model, syncId: held.syncId } : null);
  }

  /** The server's copy of an object changed (a sync action, a bootstrap row, a rollback). */
  private serverSent(key: string, copy: PoolCopy | null): void {
    if (this.serverCopies.has(key)) this.serverCopies.set(key, copy);
  }

  /** The server's copy of an object with the changes not in it yet on top. */
  private rebuild(key: string): void {
    if (!this.serverCopies.has(key)) return;
    const copy = this.serverCopies.get(key);
    if (copy) this.pool.put(copy.model, copy.syncId);
    else this.pool.remove(key);
    this.reapplyPending(key);
  }

  // ---- server changes ------------------------------------------------------------------------------------------

  private async bootstrap(): Promise<void> {
    const full = !this.hasLocalData;
    this.setStatus(full ? 'bootstrap' : 'delta');
    const text = (await this.http('GET', full ? '/bootstrap' : `/bootstrap?sinceSyncId=${this.lastSyncId}`)) as string;
    const decoded = decodeNdjsonBody(text, false);
    if (!decoded.ok || decoded.message.kind !== 'bootstrap')
      throw new ProtocolError(0, 'bad-bootstrap', decoded.ok ? 'unexpected body' : decoded.error.reason);
    const lines: BootstrapLine[] = decoded.message.message.lines;
    const metadata = lines.find((l) => l.kind === 'metadata');
    if (metadata?.kind !== 'metadata') throw new ProtocolError(0, 'bad-bootstrap', 'the bootstrap has no _metadata_ line');
    const rows = lines.flatMap((l) => (l.kind === 'model' ? [modelOf(l.model)] : []));
    if (full) {
      this.pool.hydrate(rows);
      for (const key of this.serverCopies.keys()) {
        const held = this.pool.get(key);
        this.serverCopies.set(key, held ? { model: held.model, syncId: held.syncId } : null);
      }
      await this.options.store.replaceModels(
        rows.map((r) => this.stored(r.model, r.syncId)),
        metadata.metadata.lastSyncId,
      );
      this.hasLocalData = true;
    } else {
      const fresh = rows.filter((r) => (this.pool.get(poolKey(r.model.__class, r.model.id))?.syncId ?? -1) < r.syncId);
      this.pool.merge(fresh);
      for (const r of fresh) this.serverSent(poolKey(r.model.__class, r.model.id), { model: r.model, syncId: r.syncId });
      const removed = lines.flatMap((l) => (l.kind === 'tombstone' ? [poolKey(l.tombstone.modelName, l.tombstone.modelId)] : []));
      for (const key of removed) {
        this.pool.remove(key);
        this.serverSent(key, null);
      }
      await this.options.store.applyModels(
        fresh.map((r) => this.stored(r.model, r.syncId)),
        removed,
        metadata.metadata.lastSyncId,
      );
    }
    this.lastSyncId = Math.max(this.lastSyncId, metadata.metadata.lastSyncId);
    for (const item of this.queue) if (this.unseen(item)) this.applyLocally(item.tx);
    await this.retireSeen();
    this.emit();
  }

  /** Server changes onto the pool and the store. One at or below the sync id the pool has for its object is stale. */
  private async applyActions(actions: readonly SyncAction[]): Promise<void> {
    const put = new Map<string, StoredModel>();
    const removed: string[] = [];
    const touched = new Set<string>();
    for (const action of actions) {
      const key = poolKey(action.modelName, action.modelId);
      const had = this.pool.get(key);
      this.lastSyncId = Math.max(this.lastSyncId, action.id);
      if (had && action.id <= had.syncId) continue;
      touched.add(key);
      if (action.action === 'D' || action.action === 'V') {
        this.pool.remove(key);
        this.serverSent(key, null);
        put.delete(key);
        removed.push(key);
        continue;
      }
      if (action.action === 'G') continue;
      const data = (typeof action.data === 'object' && action.data !== null ? action.data : {}) as Record<string, unknown>;
      const base = action.action === 'U' || action.action === 'A' || action.action === 'S' ? (had?.model ?? {}) : {};
      const model = { ...base, ...data, __class: action.modelName, id: action.modelId } as JsonModel;
      if (action.action === 'A') model.archived = true;
      if (action.action === 'S') delete model.archived;
      this.pool.put(model, action.id);
      this.serverSent(key, { model, syncId: action.id });
      put.set(key, this.stored(model, action.id));
    }
    for (const key of touched) this.reapplyPending(key);
    await this.options.store.applyModels([...put.values()], removed, this.lastSyncId);
    await this.retireSeen();
    this.emit();
  }

  /** Local changes the server has not confirmed yet stay visible on top of the server's copy. */
  private reapplyPending(key: string): void {
    for (const item of this.queue) if (entityOf(item.tx) === key && this.unseen(item)) this.applyLocally(item.tx);
  }

  /**
   * Not yet in the server's copy the client holds: unanswered, or accepted with a sync id beyond the last one
   * seen. One at or below it is already in that copy, under any later change of the same field: applying it
   * again (before it is retired) would put the older value back over the newer one.
   */
  private unseen(item: QueuedTransaction): boolean {
    return item.syncId === undefined || item.syncId > this.lastSyncId;
  }

  private applyLocally(tx: Transaction): void {
    const key = entityOf(tx);
    const had = this.pool.get(key);
    if (tx.type === 'create') {
      if (!had) this.pool.put(tx.model, 0);
      return;
    }
    if (!had) return;
    if (tx.type === 'update') {
      const updated = Object.fromEntries(Object.entries(tx.changeSnapshot.changes).map(([field, c]) => [field, c.updated]));
      this.pool.put({ ...had.model, ...updated }, had.syncId);
    } else if (tx.type === 'delete') this.pool.remove(key);
    else if (tx.type === 'archive') this.pool.put({ ...had.model, archived: true }, had.syncId);
    else {
      const { archived: _archived, ...rest } = had.model;
      this.pool.put(rest as JsonModel, had.syncId);
    }
  }

  private stored(model: JsonModel, syncId: number): StoredModel {
    return { key: poolKey(model.__class, model.id), model, syncId };
  }

  // ---- plumbing ------------------------------------------------------------------------------------------------

  /** Runs tasks one after another, so that draining, bootstraps and server changes never interleave. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private setStatus(status: ClientStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
