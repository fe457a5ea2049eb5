/**
 * Every message of the `linear` protocol family (design note 000), as zod schemas; types are `z.infer` of these.
 *
 * Three dialects share one dissector:
 * - the reference engine in examples/linear (login, NDJSON bootstrap and delta bootstrap, POST /change with a batch
 *   of transactions, the /sync socket of `cmd` frames). Where the note left a choice it follows Linear's production
 *   shapes below, so most of its messages are those shapes plus a few engine fields (token, clientId, baseSyncId);
 * - pbardea/sync, the clone the note comes from (`{Objects, Tombstones, LatestTS}`, `{type, jsonObject}` frames);
 * - Linear's production sync protocol as publicly reverse engineered (NDJSON with `_metadata_=`, SyncAction
 *   I/U/A/D/C/G/S/V, socket `cmd` frames in JSON or MessagePack, transactions with `changeSnapshot`).
 */
import { z } from 'zod';

const Id = z.string().min(1);
/** A sync id: the server's position in its sync log, a non-negative integer that only grows. */
export const SyncId = z.number().int().nonnegative();

// ---------------------------------------------------------------------------------------------------------------
// Models: the objects of the pool. `__class` names the model; fields ending in `Id` / `Ids` reference other objects.

export const ModelName = z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'a model name is PascalCase, e.g. Issue');

/** A model row as the engine and Linear stream it: its class, its id, and its properties. */
export const JsonModel = z.looseObject({ __class: ModelName, id: Id });
export type JsonModel = z.infer<typeof JsonModel>;

/** The demo tracker's models, as the engine validates creates and updates against them. */
export const Team = z.object({ __class: z.literal('Team'), id: Id, name: z.string().min(1).max(200), key: z.string().min(1).max(10) });
export const User = z.object({ __class: z.literal('User'), id: Id, name: z.string().min(1).max(200), teamId: Id });
export const Project = z.object({ __class: z.literal('Project'), id: Id, name: z.string().min(1).max(200), teamId: Id });
export const IssueStatus = z.enum(['backlog', 'todo', 'in-progress', 'done', 'canceled']);
export const Issue = z.object({
  __class: z.literal('Issue'),
  id: Id,
  title: z.string().min(1).max(500),
  description: z.string().max(20_000).default(''),
  status: IssueStatus,
  teamId: Id,
  projectId: Id.nullable(),
  assigneeId: Id.nullable(),
  labelIds: z.array(Id).max(50).default([]),
});
export const Label = z.object({ __class: z.literal('Label'), id: Id, name: z.string().min(1).max(100), teamId: Id });
export const TrackerModel = z.discriminatedUnion('__class', [Team, User, Project, Issue, Label]);
export type TrackerModel = z.infer<typeof TrackerModel>;
export const TRACKER_CLASSES = ['Team', 'User', 'Project', 'Issue', 'Label'] as const;
export const TrackerClass = z.enum(TRACKER_CLASSES);
export type TrackerClass = z.infer<typeof TrackerClass>;

// ---------------------------------------------------------------------------------------------------------------
// Sync actions: one entry of the sync log. Linear's letters: Insert, Update, Archive, Delete, Covering (a model
// became visible), Group change (sync groups changed), unarchive (S), V (a model became un-visible / removed from groups).

export const SyncActionLetter = z.enum(['I', 'U', 'A', 'D', 'C', 'G', 'S', 'V']);
export type SyncActionLetter = z.infer<typeof SyncActionLetter>;

export const SyncAction = z.looseObject({
  __class: z.literal('SyncAction').optional(),
  id: SyncId,
  modelName: z.string().min(1),
  modelId: Id,
  action: SyncActionLetter,
  data: z.unknown().optional(),
  /** Engine extension: the transaction that caused it, so a client can retire its queued transaction. */
  transactionId: z.string().optional(),
  clientId: z.string().optional(),
});
export type SyncAction = z.infer<typeof SyncAction>;

/** The last line of an NDJSON bootstrap, after `_metadata_=`. */
export const BootstrapMetadata = z.looseObject({
  method: z.string().optional(),
  lastSyncId: SyncId,
  subscribedSyncGroups: z.array(z.string()).optional(),
  databaseVersion: z.number().int().optional(),
  returnedModelsCount: z.record(z.string(), z.number().int().nonnegative()).optional(),
});
export type BootstrapMetadata = z.infer<typeof BootstrapMetadata>;

/** A deleted object in a delta bootstrap (engine): the object, its class, and the sync id of its deletion. */
export const Tombstone = z.object({ __class: z.literal('Tombstone'), modelName: z.string().min(1), modelId: Id, syncId: SyncId });
export type Tombstone = z.infer<typeof Tombstone>;

/** One line of an NDJSON bootstrap, delta or batch response, after parsing. */
export const BootstrapLine = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('model'), model: JsonModel }),
  z.object({ kind: z.literal('tombstone'), tombstone: Tombstone }),
  z.object({ kind: z.literal('action'), action: SyncAction }),
  z.object({ kind: z.literal('metadata'), metadata: BootstrapMetadata }),
]);
export type BootstrapLine = z.infer<typeof BootstrapLine>;

// ---------------------------------------------------------------------------------------------------------------
// Transactions (POST /change): create / update / delete / archive / unarchive, Linear's transaction shapes.

export const FieldChange = z.object({ original: z.unknown().optional(), updatedFrom: z.unknown().optional(), updated: z.unknown() });
export const ChangeSnapshot = z.object({ changes: z.record(z.string(), FieldChange) });

const TxBase = {
  id: Id,
  /** Position in the client's batch (Linear), kept for display. */
  batchIndex: z.number().int().nonnegative().optional(),
  /** Engine: the sync id the client's copy of the object was at when the change was made. */
  baseSyncId: SyncId.optional(),
};

export const CreateTransaction = z.object({
  ...TxBase,
  type: z.literal('create'),
  modelType: ModelName,
  model: JsonModel,
});
export const UpdateTransaction = z.object({
  ...TxBase,
  type: z.literal('update'),
  modelClass: ModelName,
  modelId: Id,
  changeSnapshot: ChangeSnapshot,
});
export const ModelTransaction = z.object({
  ...TxBase,
  type: z.enum(['delete', 'archive', 'unarchive']),
  modelClass: ModelName,
  modelId: Id,
});
export const Transaction = z.discriminatedUnion('type', [CreateTransaction, UpdateTransaction, ModelTransaction]);
export type Transaction = z.infer<typeof Transaction>;

/** Linear sends at most 40 transactions per batch; the engine keeps that bound. */
export const MAX_BATCH = 40;
export const ChangeRequest = z.object({ clientId: Id, transactions: z.array(Transaction).min(1).max(MAX_BATCH) });
export type ChangeRequest = z.infer<typeof ChangeRequest>;

export const RejectionCode = z.enum(['stale', 'invalid', 'not-found', 'forbidden', 'conflict']);
export type RejectionCode = z.infer<typeof RejectionCode>;

export const TransactionResult = z.discriminatedUnion('ok', [
  z.object({ id: Id, ok: z.literal(true), syncId: SyncId }),
  z.object({
    id: Id,
    ok: z.literal(false),
    code: RejectionCode,
    message: z.string(),
    /** The field that made it fail (stale or invalid), when one did. */
    field: z.string().optional(),
    /** The server's copy of the object, so the client can roll back to it. */
    current: JsonModel.nullable().optional(),
    /** The sync id that made a stale change stale. */
    syncId: SyncId.optional(),
  }),
]);
export type TransactionResult = z.infer<typeof TransactionResult>;
export const ChangeResponse = z.object({ lastSyncId: SyncId, results: z.array(TransactionResult) });
export type ChangeResponse = z.infer<typeof ChangeResponse>;

// ---------------------------------------------------------------------------------------------------------------
// Login and errors (engine and pbardea/sync).

export const LoginRequest = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });
export type LoginRequest = z.infer<typeof LoginRequest>;
export const LoginResponse = z.looseObject({ token: z.string().min(1), username: z.string().optional(), team: z.string().optional() });
export type LoginResponse = z.infer<typeof LoginResponse>;
/** JWT claims (HS256): who, and which team's objects they may see. */
export const TokenClaims = z.object({ username: z.string().min(1), team: z.string().min(1) });
export type TokenClaims = z.infer<typeof TokenClaims>;

export const ErrorBody = z.object({
  error: z.object({ code: z.string().min(1), message: z.string(), path: z.array(z.union([z.string(), z.number()])).optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

// ---------------------------------------------------------------------------------------------------------------
// The /sync socket: `cmd` frames. Linear's commands plus the engine's handshake token.

export const ClientHandshake = z.looseObject({
  cmd: z.literal('hshk'),
  /** Engine: the JWT (the socket's first frame authenticates it). Linear authenticates by cookie instead. */
  token: z.string().optional(),
  clientId: z.string().optional(),
  lastSyncId: SyncId.optional(),
  userId: z.string().optional(),
  clientType: z.string().optional(),
  protocolVersion: z.number().int().optional(),
});
export const Ping = z.object({ cmd: z.literal('ping'), id: z.union([z.number(), z.string()]).optional() });
export const Presence = z.looseObject({ cmd: z.literal('presence'), time: z.number().optional() });
export const ClientCommand = z.discriminatedUnion('cmd', [ClientHandshake, Ping, Presence]);
export type ClientCommand = z.infer<typeof ClientCommand>;

export const ServerHandshake = z.looseObject({
  cmd: z.literal('hshk'),
  sync: z.looseObject({
    lastSyncId: SyncId,
    lastSequentialSyncId: SyncId.optional(),
    subscribedSyncGroups: z.array(z.string()).optional(),
    databaseVersion: z.number().int().optional(),
  }),
});
export const SyncCommand = z.looseObject({ cmd: z.literal('sync'), sync: z.array(SyncAction), lastSyncId: SyncId.optional() });
export const EntityUpdates = z.looseObject({ cmd: z.literal('eu'), updates: z.unknown() });
export const Pong = z.object({ cmd: z.literal('pong'), id: z.union([z.number(), z.string()]).optional() });
export const NoAuth = z.looseObject({ cmd: z.literal('noauth') });
export const Refresh = z.looseObject({
  cmd: z.literal('refresh'),
  resetDatabase: z.boolean().optional(),
  reloadClient: z.boolean().optional(),
});
export const CacheSyncId = z.object({ cmd: z.literal('cacheSyncId'), syncId: SyncId });
/** Engine: a protocol-level error on the socket (bad frame, bad token); the socket stays usable unless it says so. */
export const SocketError = z.object({
  cmd: z.literal('error'),
  code: z.string(),
  message: z.string(),
  path: z.array(z.union([z.string(), z.number()])).optional(),
});
export const ServerCommand = z.discriminatedUnion('cmd', [
  ServerHandshake,
  SyncCommand,
  EntityUpdates,
  Pong,
  NoAuth,
  Refresh,
  CacheSyncId,
  SocketError,
]);
export type ServerCommand = z.infer<typeof ServerCommand>;

// ---------------------------------------------------------------------------------------------------------------
// pbardea/sync: the clone the note is the README of (PascalCase bootstrap keys, versioned JsonModels).

export const PbModel = z.looseObject({
  __class: z.string().min(1),
  id: Id,
  version: z.number().int().nonnegative(),
  lastModifiedDate: z.union([z.string(), z.number()]).optional(),
});
export type PbModel = z.infer<typeof PbModel>;
export const PbTombstone = z.object({ Id: Id, Time: z.union([z.string(), z.number()]), ModelName: z.string().min(1) });
export const PbBootstrap = z.object({
  Objects: z.array(PbModel),
  Tombstones: z.array(PbTombstone).nullable(),
  LatestTS: z.union([z.number(), z.string()]),
});
export type PbBootstrap = z.infer<typeof PbBootstrap>;
export const PbChange = z.object({
  id: Id,
  oid: z.number().int().nonnegative(),
  modelType: z.string().min(1),
  modelId: Id,
  changeType: z.enum(['create', 'update', 'delete']),
  changeSnapshot: z.object({ changes: z.record(z.string(), z.object({ original: z.unknown(), updated: z.unknown() })) }).optional(),
  model: PbModel.optional(),
});
export type PbChange = z.infer<typeof PbChange>;
export const PbSocketAuth = z.object({ token: z.string().min(1) });
export const PbSocketEvent = z.object({ type: z.enum(['create', 'update', 'delete']), jsonObject: PbModel });
export type PbSocketEvent = z.infer<typeof PbSocketEvent>;

// ---------------------------------------------------------------------------------------------------------------
// Linear production HTTP requests besides the bootstrap.

export const BatchRequest = z.object({
  firstSyncId: SyncId,
  requests: z.array(z.object({ indexedKey: z.string(), keyValue: z.string(), modelName: z.string() })),
});
export type BatchRequest = z.infer<typeof BatchRequest>;

// ---------------------------------------------------------------------------------------------------------------
// The engine's browser client persists to IndexedDB (examples/linear/client/idb-store.ts), one database per user
// and server: `models` (key Class/id), `transactions` (the offline queue, keyed by tx.id) and `meta` (the last
// sync id under the key 'lastSyncId'). The page tap reports each write as {op, key, value} with the store's name.

/** The databases the engine's client opens: `linear-sync:<user>@<server>` (and `linear-...` in its tests). */
export const LINEAR_DB = /^linear(?:-|$)/;
export const LOCAL_STORES = ['models', 'transactions', 'meta'] as const;
export const LocalStoreName = z.enum(LOCAL_STORES);
export type LocalStoreName = z.infer<typeof LocalStoreName>;

/** A row of `models`: the model, its pool key, and the sync id it was last changed at. */
export const StoredModel = z.object({ key: z.string().min(1), model: JsonModel, syncId: SyncId });
export type StoredModel = z.infer<typeof StoredModel>;
/** A row of `transactions`: a queued transaction; `syncId` once the server accepted it. */
export const QueuedTransaction = z.object({ tx: Transaction, enqueuedAt: z.number(), syncId: SyncId.optional() });
export type QueuedTransaction = z.infer<typeof QueuedTransaction>;
/** The one row of `meta` the client writes. */
export const LAST_SYNC_ID_KEY = 'lastSyncId';

/** A key the database reports: a string or number, or a key range (as a plain object) for a ranged delete. */
export const IdbKey = z.union([z.string(), z.number(), z.looseObject({ lower: z.unknown(), upper: z.unknown() })]);

const Put = z.enum(['put', 'add']);
export const LocalWrite = z.union([
  z.object({ store: z.literal('models'), op: Put, key: z.string(), record: StoredModel }),
  z.object({ store: z.literal('transactions'), op: Put, key: z.string(), record: QueuedTransaction }),
  z.object({ store: z.literal('meta'), op: Put, key: z.literal(LAST_SYNC_ID_KEY), lastSyncId: SyncId }),
  z.object({ store: LocalStoreName, op: z.literal('delete'), key: IdbKey }),
  z.object({ store: LocalStoreName, op: z.literal('clear') }),
]);
export type LocalWrite = z.infer<typeof LocalWrite>;

// ---------------------------------------------------------------------------------------------------------------
// A decoded frame: what kind of message it is, and the message.

export const LinearMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('login-request'), message: LoginRequest }),
  z.object({ kind: z.literal('login-response'), message: LoginResponse }),
  z.object({ kind: z.literal('http-error'), message: ErrorBody }),
  /** A successful response with no body (pbardea answers a change with a bare 200). */
  z.object({ kind: z.literal('http-ack'), message: z.object({ url: z.string(), status: z.number().int() }) }),
  /** A browser's CORS preflight (OPTIONS) before a cross-origin request with headers. */
  z.object({ kind: z.literal('preflight'), message: z.object({ url: z.string() }) }),
  /** A GET with no body: a bootstrap, delta or catch-up request, known by its URL. */
  z.object({
    kind: z.literal('bootstrap-request'),
    message: z.object({
      url: z.string(),
      mode: z.enum(['full', 'delta', 'partial', 'batch']),
      since: SyncId.optional(),
      clientId: z.string().optional(),
    }),
  }),
  z.object({ kind: z.literal('bootstrap'), message: z.object({ lines: z.array(BootstrapLine), chunk: z.boolean() }) }),
  z.object({ kind: z.literal('change-request'), message: ChangeRequest }),
  z.object({ kind: z.literal('change-response'), message: ChangeResponse }),
  z.object({ kind: z.literal('client-cmd'), message: ClientCommand, binary: z.boolean() }),
  z.object({ kind: z.literal('server-cmd'), message: ServerCommand, binary: z.boolean() }),
  z.object({ kind: z.literal('pb-bootstrap'), message: PbBootstrap }),
  z.object({ kind: z.literal('pb-change'), message: PbChange }),
  z.object({ kind: z.literal('pb-socket-auth'), message: PbSocketAuth }),
  z.object({ kind: z.literal('pb-socket-event'), message: PbSocketEvent }),
  z.object({ kind: z.literal('batch-request'), message: BatchRequest }),
  /** A write the browser client made to its IndexedDB database `db`. */
  z.object({ kind: z.literal('local-write'), db: z.string(), message: LocalWrite }),
]);
export type LinearMessage = z.infer<typeof LinearMessage>;
