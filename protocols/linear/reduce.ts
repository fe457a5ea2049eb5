/**
 * The dissector's state and its pure reducer. It follows each client through the note's life cycle (full or delta
 * bootstrap, offline queueing, reconnect: drain then delta, then live), keeps the object pool as the traffic shows
 * it, the queue of transactions each client has sent that have not yet come back as sync actions, the client's last
 * sync id against the server's, and every change that lost: a stale rejection (someone else changed that field
 * since the client last synced), or a server update dropped because the client already had a newer version.
 * Nothing here mutates: each step returns new objects.
 */
import { Map as ImmutableMap, Set as ImmutableSet, List, OrderedMap } from 'immutable';
import { AppendLog, type Conflict, type DissectorEvent, insertSorted, type Phase, type PhaseName, type RawFrame } from '../core/index.ts';
import type {
  BootstrapLine,
  ChangeRequest,
  ChangeResponse,
  LinearMessage,
  LocalWrite,
  PbBootstrap,
  PbChange,
  PbSocketEvent,
  ServerCommand,
  SyncAction,
  Transaction,
} from './schemas.ts';

export interface PoolEntry {
  modelName: string;
  value: Readonly<Record<string, unknown>>;
  /** Sync id (engine, Linear) or integer version (pbardea) of the last change applied. */
  version?: number;
  deleted?: boolean;
  archived?: boolean;
  lastFrame: number;
}

export interface PendingTransaction {
  id: string;
  label: string;
  entity: string;
  /** The fields it changes and their new values, for the conflict if it is rejected. */
  changes: Readonly<Record<string, unknown>>;
  enqueuedAt: number;
  frame: number;
  attempts: number;
  /** The sync id the server gave it; it stays queued until the client has seen that sync id. */
  syncId?: number;
}

export interface Cursor {
  cursor: number | string;
  lastFrame: number;
}

export interface ConnState {
  client?: string;
  mode?: 'full' | 'delta' | 'partial' | 'batch';
  /** Transactions a /change request on this connection carried, to pair with its response. */
  transactions?: readonly string[];
  socket?: boolean;
}

/**
 * A queue of transactions by id, in the order they were first sent: a persistent ordered map, because an offline
 * client sends thousands of transactions and an array copied and searched per frame folded them quadratically
 * (10,000 offline transactions, their replies and sync actions took 7.6 s).
 */
export type TransactionQueue = OrderedMap<string, PendingTransaction>;
export const EMPTY_QUEUE: TransactionQueue = OrderedMap();

/** A transaction the server accepted, waiting for the client to see its sync id; kept sorted by sync id. */
export interface Awaiting {
  syncId: number;
  id: string;
}

/** What the browser client has written to one IndexedDB database: its persisted queue and last sync id. */
export interface PersistedDb {
  queue: TransactionQueue;
  lastSyncId?: Cursor;
  /** The model rows the database holds, as far as the recorded writes show (one write per row: a persistent set). */
  models: ImmutableSet<string>;
}

export interface LinearState {
  /**
   * The object pool, a persistent map: a bootstrap puts every object of the workspace and later frames one at a
   * time, and copying a plain record per put made a 16,000-object bootstrap take 52 s to fold (quadratic).
   */
  pool: ImmutableMap<string, PoolEntry>;
  /** Per connection, and every change request is one: a persistent map, so a long session does not copy them all per change. */
  conns: ImmutableMap<string, ConnState>;
  queues: Readonly<Record<string, TransactionQueue>>;
  /**
   * Per client: its queued transactions that have a sync id, ordered by it, so a cursor that moves retires them from
   * the front instead of scanning the whole queue on every sync action. An entry whose transaction has left the
   * queue (rejected, or re-sent and given another sync id) is skipped when it comes up.
   */
  awaiting: Readonly<Record<string, List<Awaiting>>>;
  clients: Readonly<Record<string, Cursor>>;
  server?: Cursor;
  /** Per client: the phase it is in now (the last entry of `phases` for it). */
  current: Readonly<Record<string, PhaseName>>;
  /** Per client: how many of its sockets are open. */
  sockets: Readonly<Record<string, number>>;
  conflicts: AppendLog<Conflict>;
  phases: AppendLog<Phase>;
  /** Per IndexedDB database of a browser client: what it persisted (its view of its own queue and cursor). */
  persisted: Readonly<Record<string, PersistedDb>>;
}

export const init = (): LinearState => ({
  pool: ImmutableMap(),
  conns: ImmutableMap(),
  queues: {},
  awaiting: {},
  clients: {},
  current: {},
  sockets: {},
  conflicts: AppendLog.empty(),
  phases: AppendLog.empty(),
  persisted: {},
});

/** The client a frame belongs to when nothing names it: one per session, as single-client recordings are. */
export const DEFAULT_CLIENT = 'client';

export const entityKey = (modelName: string, id: string): string => `${modelName}/${id}`;

function clientIdFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url, 'http://relative.invalid').searchParams.get('clientId') ?? undefined;
  } catch {
    return undefined;
  }
}

function clientOf(state: LinearState, frame: RawFrame, named?: string): string {
  return (
    named ??
    state.conns.get(frame.conn)?.client ??
    frame.meta?.headers?.['x-client-id'] ??
    clientIdFromUrl(frame.meta?.url) ??
    DEFAULT_CLIENT
  );
}

function withConn(state: LinearState, conn: string, patch: ConnState): LinearState {
  return { ...state, conns: state.conns.set(conn, { ...state.conns.get(conn), ...patch }) };
}

function enterPhase(state: LinearState, client: string, phase: PhaseName, frame: RawFrame): LinearState {
  if (state.current[client] === phase) return state;
  return {
    ...state,
    current: { ...state.current, [client]: phase },
    phases: state.phases.append({ phase, conn: client, frame: frame.seq, t: frame.t }),
  };
}

const newer = (a: number | string | undefined, b: number | string): boolean =>
  a === undefined || (typeof a === 'number' && typeof b === 'number' ? b > a : String(b) > String(a));

function advanceServer(state: LinearState, syncId: number | string, frame: RawFrame): LinearState {
  if (!newer(state.server?.cursor, syncId)) return state;
  return { ...state, server: { cursor: syncId, lastFrame: frame.seq } };
}

/** The client has now seen everything up to `syncId`: its cursor moves, and its transactions up to there are done. */
function advanceClient(state: LinearState, client: string, syncId: number | string, frame: RawFrame): LinearState {
  let next = advanceServer(state, syncId, frame);
  if (newer(next.clients[client]?.cursor, syncId)) {
    next = { ...next, clients: { ...next.clients, [client]: { cursor: syncId, lastFrame: frame.seq } } };
  }
  return typeof syncId === 'number' ? retireUpTo(next, client, syncId) : next;
}

/** Every queued transaction whose sync id is at or below `syncId` is done: they come off the front of `awaiting`. */
function retireUpTo(state: LinearState, client: string, syncId: number): LinearState {
  const awaiting = state.awaiting[client];
  if (!awaiting || awaiting.size === 0 || (awaiting.first() as Awaiting).syncId > syncId) return state;
  let done = 0;
  const queue = (state.queues[client] ?? EMPTY_QUEUE).withMutations((q) => {
    for (const entry of awaiting) {
      if (entry.syncId > syncId) break;
      done++;
      if (q.get(entry.id)?.syncId === entry.syncId) q.delete(entry.id);
    }
  });
  return {
    ...state,
    queues: { ...state.queues, [client]: queue },
    awaiting: { ...state.awaiting, [client]: awaiting.skip(done).toList() },
  };
}

const bySyncId = (entry: Awaiting): number => entry.syncId;

function retire(state: LinearState, client: string, ids: ReadonlySet<string>): LinearState {
  const queue = state.queues[client];
  if (!queue || ![...ids].some((id) => queue.has(id))) return state;
  return { ...state, queues: { ...state.queues, [client]: queue.deleteAll(ids) } };
}

function putEntity(state: LinearState, key: string, entry: PoolEntry): LinearState {
  return { ...state, pool: state.pool.set(key, entry) };
}

/** A model row from a bootstrap: replaces what the pool had, unless the pool already holds a newer version. */
function applyModel(
  state: LinearState,
  model: Record<string, unknown> & { __class: string; id: string },
  version: number | undefined,
  frame: RawFrame,
): LinearState {
  const key = entityKey(model.__class, model.id);
  const had = state.pool.get(key);
  if (had?.version !== undefined && version !== undefined && version < had.version) return state;
  return putEntity(state, key, {
    modelName: model.__class,
    value: model,
    ...(version !== undefined ? { version } : {}),
    lastFrame: frame.seq,
  });
}

function markDeleted(state: LinearState, modelName: string, id: string, version: number | undefined, frame: RawFrame): LinearState {
  const key = entityKey(modelName, id);
  const had = state.pool.get(key);
  return putEntity(state, key, {
    modelName,
    value: had?.value ?? { __class: modelName, id },
    ...(version !== undefined ? { version } : {}),
    deleted: true,
    lastFrame: frame.seq,
  });
}

/** One sync action onto the pool. An action at or below the version the pool holds is stale and dropped. */
function applyAction(state: LinearState, action: SyncAction, frame: RawFrame): LinearState {
  const key = entityKey(action.modelName, action.modelId);
  const had = state.pool.get(key);
  if (had?.version !== undefined && action.id <= had.version) return state;
  const data =
    typeof action.data === 'object' && action.data !== null && !Array.isArray(action.data) ? (action.data as Record<string, unknown>) : {};
  const base = had?.value ?? { __class: action.modelName, id: action.modelId };
  const entry = (patch: Partial<PoolEntry>): PoolEntry => ({
    modelName: action.modelName,
    value: base,
    version: action.id,
    lastFrame: frame.seq,
    ...(had?.archived ? { archived: true } : {}),
    ...patch,
  });
  switch (action.action) {
    case 'I':
    case 'C':
      return putEntity(state, key, entry({ value: { ...data, __class: action.modelName, id: action.modelId } }));
    case 'U':
      return putEntity(state, key, entry({ value: { ...base, ...data } }));
    case 'A':
      return putEntity(state, key, entry({ value: { ...base, ...data }, archived: true }));
    case 'S': {
      const { archived: _dropped, ...rest } = entry({ value: { ...base, ...data } });
      return putEntity(state, key, rest);
    }
    case 'D':
    case 'V':
      return putEntity(state, key, entry({ deleted: true }));
    case 'G':
      return state;
  }
}

function onBootstrapLines(state: LinearState, lines: readonly BootstrapLine[], chunk: boolean, frame: RawFrame): LinearState {
  const client = clientOf(state, frame);
  let next = state;
  let done = false;
  for (const line of lines) {
    if (line.kind === 'model') {
      const version = typeof line.model.syncId === 'number' ? line.model.syncId : undefined;
      next = applyModel(next, line.model, version, frame);
    } else if (line.kind === 'tombstone') {
      next = markDeleted(next, line.tombstone.modelName, line.tombstone.modelId, line.tombstone.syncId, frame);
    } else if (line.kind === 'action') {
      next = applyAction(next, line.action, frame);
      if (line.action.transactionId) next = retire(next, client, new Set([line.action.transactionId]));
    } else {
      next = advanceClient(next, client, line.metadata.lastSyncId, frame);
      done = true;
    }
  }
  // A finished bootstrap with a socket open means the client now applies live changes (the note's last step).
  if ((done || !chunk) && (next.sockets[client] ?? 0) > 0) next = enterPhase(next, client, 'live', frame);
  return next;
}

function txEntity(tx: Transaction): string {
  return tx.type === 'create' ? entityKey(tx.modelType, tx.model.id) : entityKey(tx.modelClass, tx.modelId);
}

function txChanges(tx: Transaction): Record<string, unknown> {
  if (tx.type === 'create') return { ...tx.model };
  if (tx.type === 'update')
    return Object.fromEntries(Object.entries(tx.changeSnapshot.changes).map(([field, change]) => [field, change.updated]));
  return {};
}

function txLabel(tx: Transaction): string {
  const fields = tx.type === 'update' ? ` {${Object.keys(tx.changeSnapshot.changes).join(', ')}}` : '';
  return `${tx.type} ${txEntity(tx)}${fields}`;
}

function enqueue(state: LinearState, client: string, items: readonly Omit<PendingTransaction, 'attempts'>[]): LinearState {
  const queue = (state.queues[client] ?? EMPTY_QUEUE).withMutations((q) => {
    for (const item of items) {
      const existing = q.get(item.id);
      q.set(item.id, existing ? { ...existing, attempts: existing.attempts + 1, frame: item.frame } : { ...item, attempts: 1 });
    }
  });
  return { ...state, queues: { ...state.queues, [client]: queue } };
}

function onChangeRequest(state: LinearState, request: ChangeRequest, frame: RawFrame): LinearState {
  const client = request.clientId;
  let next = withConn(state, frame.conn, { client, transactions: request.transactions.map((tx) => tx.id) });
  const phase = next.current[client];
  if (phase === 'offline' || phase === 'connecting') next = enterPhase(next, client, 'draining', frame);
  return enqueue(
    next,
    client,
    request.transactions.map((tx) => ({
      id: tx.id,
      label: txLabel(tx),
      entity: txEntity(tx),
      changes: txChanges(tx),
      enqueuedAt: frame.t,
      frame: frame.seq,
    })),
  );
}

function onChangeResponse(state: LinearState, response: ChangeResponse, frame: RawFrame): LinearState {
  const client = clientOf(state, frame);
  let next = advanceServer(state, response.lastSyncId, frame);
  let queue = next.queues[client] ?? EMPTY_QUEUE;
  let awaiting = next.awaiting[client] ?? List<Awaiting>();
  const conflicts: Conflict[] = [];
  for (const result of response.results) {
    const tx = queue.get(result.id);
    if (!tx) continue;
    if (result.ok) {
      queue = queue.set(tx.id, { ...tx, syncId: result.syncId });
      awaiting = insertSorted(awaiting, { syncId: result.syncId, id: tx.id }, bySyncId);
      continue;
    }
    queue = queue.delete(tx.id);
    const field = result.field;
    const remote = field && result.current ? result.current[field] : (result.current ?? undefined);
    conflicts.push({
      entity: tx.entity,
      ...(field ? { field } : {}),
      local: field ? tx.changes[field] : tx.changes,
      remote,
      winner: result.code === 'stale' ? 'remote' : 'none',
      rule: result.code === 'stale' ? 'stale' : 'validation',
      detail: `${client}: ${tx.label} rejected (${result.code}): ${result.message}`,
      frames: [tx.frame, frame.seq],
    });
    // The client rolls its copy back to the server's.
    if (result.current) next = applyModel(next, result.current, result.syncId, frame);
  }
  next = {
    ...next,
    queues: { ...next.queues, [client]: queue },
    awaiting: { ...next.awaiting, [client]: awaiting },
    conflicts: next.conflicts.append(...conflicts),
  };
  // Transactions whose sync id the client has already seen (over the socket, before this reply) are done.
  const cursor = next.clients[client]?.cursor;
  return cursor === undefined ? next : advanceClient(next, client, cursor, frame);
}

function onServerCommand(state: LinearState, command: ServerCommand, frame: RawFrame): LinearState {
  const client = clientOf(state, frame);
  switch (command.cmd) {
    case 'hshk':
      return advanceServer(state, command.sync.lastSyncId, frame);
    case 'sync': {
      let next = state;
      const done = new Set<string>();
      let highest: number | undefined = command.lastSyncId;
      for (const action of command.sync) {
        next = applyAction(next, action, frame);
        if (action.transactionId && action.clientId === client) done.add(action.transactionId);
        highest = Math.max(highest ?? 0, action.id);
      }
      next = retire(next, client, done);
      if (highest !== undefined) next = advanceClient(next, client, highest, frame);
      // Linear traffic with no bootstrap in sight: the first sync frame shows the client live.
      const phase = next.current[client];
      if (phase === undefined || phase === 'connecting') next = enterPhase(next, client, 'live', frame);
      return next;
    }
    case 'cacheSyncId':
      return advanceClient(state, client, command.syncId, frame);
    case 'noauth':
      return enterPhase(state, client, 'offline', frame);
    default:
      return state;
  }
}

function onPbBootstrap(state: LinearState, bootstrap: PbBootstrap, frame: RawFrame): LinearState {
  const client = clientOf(state, frame);
  let next = state;
  for (const model of bootstrap.Objects) next = applyModel(next, model, model.version, frame);
  for (const tomb of bootstrap.Tombstones ?? []) next = markDeleted(next, tomb.ModelName, tomb.Id, undefined, frame);
  next = advanceClient(next, client, bootstrap.LatestTS, frame);
  return (next.sockets[client] ?? 0) > 0 ? enterPhase(next, client, 'live', frame) : next;
}

function onPbChange(state: LinearState, change: PbChange, frame: RawFrame): LinearState {
  const client = clientOf(state, frame);
  const changes =
    change.changeType === 'update' && change.changeSnapshot
      ? Object.fromEntries(Object.entries(change.changeSnapshot.changes).map(([field, c]) => [field, c.updated]))
      : { ...(change.model ?? {}) };
  const fields = change.changeSnapshot ? ` {${Object.keys(change.changeSnapshot.changes).join(', ')}}` : '';
  const entity = entityKey(change.modelType, change.modelId);
  const next = withConn(state, frame.conn, { client, transactions: [change.id] });
  return enqueue(next, client, [
    {
      id: change.id,
      label: `${change.changeType} ${entity}${fields} (#${change.oid})`,
      entity,
      changes,
      enqueuedAt: frame.t,
      frame: frame.seq,
    },
  ]);
}

/** pbardea's client keeps the higher integer version: an incoming update at or below its own is dropped. */
function onPbSocketEvent(state: LinearState, event: PbSocketEvent, frame: RawFrame): LinearState {
  const model = event.jsonObject;
  const key = entityKey(model.__class, model.id);
  const had = state.pool.get(key);
  const client = clientOf(state, frame);
  let next = enterPhase(state, client, 'live', frame);
  if (event.type !== 'create' && had?.version !== undefined && model.version <= had.version) {
    return {
      ...next,
      conflicts: next.conflicts.append({
        entity: key,
        local: model,
        remote: had.value,
        winner: 'remote',
        rule: 'version',
        detail: `incoming ${event.type} at version ${model.version} dropped: the client holds version ${had.version}`,
        frames: [had.lastFrame, frame.seq],
      }),
    };
  }
  next =
    event.type === 'delete'
      ? markDeleted(next, model.__class, model.id, model.version, frame)
      : applyModel(next, model, model.version, frame);
  return next;
}

/** Whether an IndexedDB key (or key range, as the tap records it) covers `id`. */
function keyCovers(key: Extract<LocalWrite, { op: 'delete' }>['key'], id: string): boolean {
  if (typeof key === 'string' || typeof key === 'number') return String(key) === id;
  const { lower, upper, lowerOpen, upperOpen } = key as { lower?: unknown; upper?: unknown; lowerOpen?: unknown; upperOpen?: unknown };
  if (typeof lower === 'string' && (lowerOpen ? id <= lower : id < lower)) return false;
  if (typeof upper === 'string' && (upperOpen ? id >= upper : id > upper)) return false;
  return typeof lower === 'string' || typeof upper === 'string';
}

/**
 * A write to the client's database. The `transactions` store is the client's own record of its offline queue and
 * `meta` its last sync id: folded as a persisted queue and a client journal, next to what the traffic shows.
 */
function onLocalWrite(state: LinearState, db: string, write: LocalWrite, frame: RawFrame): LinearState {
  const had: PersistedDb = state.persisted[db] ?? { queue: EMPTY_QUEUE, models: ImmutableSet() };
  let next: PersistedDb = had;
  switch (write.store) {
    case 'models':
      if (write.op === 'clear') next = { ...had, models: ImmutableSet() };
      else if (write.op === 'delete') next = { ...had, models: had.models.filter((key) => !keyCovers(write.key, key)) };
      else next = { ...had, models: had.models.add(write.key) };
      break;
    case 'transactions':
      if (write.op === 'clear') next = { ...had, queue: EMPTY_QUEUE };
      else if (write.op === 'delete')
        next = {
          ...had,
          // A key deletes one row; only a key range needs the scan.
          queue:
            typeof write.key === 'string' || typeof write.key === 'number'
              ? had.queue.delete(String(write.key))
              : had.queue.filter((tx) => !keyCovers(write.key, tx.id)),
        };
      else {
        const { tx, syncId } = write.record;
        const existing = had.queue.get(tx.id);
        const item: PendingTransaction = {
          id: tx.id,
          label: txLabel(tx),
          entity: txEntity(tx),
          changes: txChanges(tx),
          enqueuedAt: existing?.enqueuedAt ?? frame.t,
          frame: frame.seq,
          attempts: 0,
          ...(syncId !== undefined ? { syncId } : {}),
        };
        next = { ...had, queue: had.queue.set(tx.id, item) };
      }
      break;
    case 'meta':
      if (write.op === 'put' || write.op === 'add') next = { ...had, lastSyncId: { cursor: write.lastSyncId, lastFrame: frame.seq } };
      else if (write.op === 'clear' || keyCovers(write.key, 'lastSyncId')) {
        const { lastSyncId: _dropped, ...rest } = had;
        next = rest;
      }
      break;
  }
  return { ...state, persisted: { ...state.persisted, [db]: next } };
}

function onLifecycle(state: LinearState, event: Extract<DissectorEvent<LinearMessage>, { lifecycle: true }>, frame: RawFrame): LinearState {
  if (frame.transport !== 'websocket') return state;
  const client = clientOf(state, frame);
  if (event.type === 'open') {
    const next = withConn(state, frame.conn, { client, socket: true });
    return enterPhase({ ...next, sockets: { ...next.sockets, [client]: (next.sockets[client] ?? 0) + 1 } }, client, 'connecting', frame);
  }
  if (!state.conns.get(frame.conn)?.socket) return state;
  // A close and then an error (or the reverse) on one socket count once.
  const next = withConn(state, frame.conn, { socket: false });
  const open = Math.max(0, (next.sockets[client] ?? 0) - 1);
  const closed = { ...next, sockets: { ...next.sockets, [client]: open } };
  return open === 0 ? enterPhase(closed, client, 'offline', frame) : closed;
}

export function reduce(state: LinearState, event: DissectorEvent<LinearMessage>, frame: RawFrame): LinearState {
  if (event.lifecycle) return onLifecycle(state, event, frame);
  const decoded = event.message;
  switch (decoded.kind) {
    case 'bootstrap-request': {
      const client = clientOf(state, frame, decoded.message.clientId);
      const next = withConn(state, frame.conn, { client, mode: decoded.message.mode });
      return enterPhase(next, client, decoded.message.mode === 'delta' ? 'delta' : 'bootstrap', frame);
    }
    case 'bootstrap':
      return onBootstrapLines(state, decoded.message.lines, decoded.message.chunk, frame);
    case 'change-request':
      return onChangeRequest(state, decoded.message, frame);
    case 'change-response':
      return onChangeResponse(state, decoded.message, frame);
    case 'client-cmd': {
      const command = decoded.message;
      if (command.cmd !== 'hshk') return state;
      const client = clientOf(state, frame, command.clientId);
      return withConn(state, frame.conn, { client });
    }
    case 'server-cmd':
      return onServerCommand(state, decoded.message, frame);
    case 'pb-bootstrap':
      return onPbBootstrap(state, decoded.message, frame);
    case 'pb-change':
      return onPbChange(state, decoded.message, frame);
    case 'pb-socket-event':
      return onPbSocketEvent(state, decoded.message, frame);
    case 'local-write':
      return onLocalWrite(state, decoded.db, decoded.message, frame);
    case 'http-ack': {
      // pbardea answers a change with a bare 200: the change is in.
      const ids = state.conns.get(frame.conn)?.transactions;
      return ids ? retire(state, clientOf(state, frame), new Set(ids)) : state;
    }
    case 'preflight':
    case 'login-request':
    case 'login-response':
    case 'http-error':
    case 'pb-socket-auth':
    case 'batch-request':
      return state;
  }
}
