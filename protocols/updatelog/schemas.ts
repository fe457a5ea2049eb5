/**
 * Every message of the updatelog protocol, as zod schemas; types are `z.infer` of these and the reference engine
 * (examples/updatelog) validates with the same schemas. Three layers:
 *  - the log itself (lsd-storage's format): updates `{id, actions: [{type, data}]}` whose `data` is typed JSON,
 *    and the engine's snapshots;
 *  - the object store it lives in: the S3 subset (ListObjectsV2 results, error documents, request parameters);
 *  - the decoded messages the dissector hands to its reducer (one per request, response or local write).
 */
import { z } from 'zod';

// --- Typed JSON (lsd-storage JsonUtil): classes by "@type", enums as {"@type", name}, dates as ISO strings ---

export const TypeName = z.string().regex(/^[A-Za-z_$][\w$.]*$/, 'a type name is an identifier');
/** An enum value on the wire: only its type and name; revived to the registered static instance. */
export const EnumRef = z.strictObject({ '@type': TypeName, name: z.string().min(1) });
export type EnumRef = z.infer<typeof EnumRef>;
/** An instance of a registered class: its fields plus "@type". */
export const TypedObject = z.looseObject({ '@type': TypeName });
export type TypedObject = z.infer<typeof TypedObject>;
/** lsd-storage's ISO date-time pattern: milliseconds required, Z or an offset. */
export const ISO_DATETIME = /^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d\.\d+([+-][0-2]\d:[0-5]\d|Z)$/;

// --- The log ---

/** Ids become part of object keys, so they may not contain a slash. */
export const UpdateId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^/\s]+$/, 'an update id has no slash or space');
/** One single-argument method call: the method's name and its one argument. */
export const Action = z.strictObject({
  type: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z_$][\w$]*$/, 'an action type is a method name'),
  data: z.unknown(),
});
export type Action = z.infer<typeof Action>;

export const Update = z.strictObject({ id: UpdateId, actions: z.array(Action).min(1).max(1000) });
export type Update = z.infer<typeof Update>;

/** An update that broke a validation rule: kept in the log and shown to a person, like a merge conflict. */
export const Flag = z.strictObject({
  updateId: UpdateId,
  actionIndex: z.number().int().nonnegative(),
  rule: z.string().min(1),
  reason: z.string().min(1),
});
export type Flag = z.infer<typeof Flag>;

/** A roll-up of every update up to `lastKey`; written once, never changed. `state` is the model as typed JSON. */
export const Snapshot = z.strictObject({
  '@type': z.literal('Snapshot'),
  timestamp: z.number().int().nonnegative(),
  lastKey: z.string().min(1).nullable(),
  updateCount: z.number().int().nonnegative(),
  createdAt: z.string().regex(ISO_DATETIME, 'createdAt is an ISO date-time with milliseconds'),
  state: z.unknown(),
  flagged: z.array(Flag),
});
export type Snapshot = z.infer<typeof Snapshot>;

/** Why the promoter gave a shared copy a different timestamp from the one the client wrote. */
export const Restamp = z.enum(['collision', 'out-of-order']);
export type Restamp = z.infer<typeof Restamp>;

/** User metadata (x-amz-meta-*) the promoter writes on shared copies. */
export const PromotedMeta = z.object({
  /** The timestamp in the key the client wrote. */
  madeAt: z.number().int().nonnegative().optional(),
  sourceKey: z.string().optional(),
  restamped: Restamp.optional(),
  /** Why the update was flagged, when it broke a validation rule. */
  validation: z.string().optional(),
});
export type PromotedMeta = z.infer<typeof PromotedMeta>;

// --- The S3 subset ---

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** ListObjectsV2 query parameters the subset understands. */
export const ListRequest = z.strictObject({
  'list-type': z.literal('2'),
  prefix: z.string().default(''),
  'start-after': z.string().optional(),
  'continuation-token': z.string().min(1).optional(),
  'max-keys': z
    .string()
    .regex(/^\d{1,4}$/, 'max-keys is a whole number up to 1000')
    .transform(Number)
    .pipe(z.number().int().min(0).max(1000))
    .optional(),
  'encoding-type': z.literal('url').optional(),
  'fetch-owner': z.enum(['true', 'false']).optional(),
});
export type ListRequest = z.infer<typeof ListRequest>;

/** One <Contents> entry. Real S3 adds fields (Owner, ChecksumAlgorithm, ...): they are kept, not required. */
export const ListedObject = z.looseObject({
  Key: z.string().min(1),
  LastModified: z.iso.datetime({ offset: true }),
  ETag: z.string(),
  Size: z.number().int().nonnegative(),
  StorageClass: z.string().optional(),
});
export type ListedObject = z.infer<typeof ListedObject>;

export const ListBucketResult = z.looseObject({
  Name: z.string().min(1),
  Prefix: z.string(),
  StartAfter: z.string().optional(),
  ContinuationToken: z.string().optional(),
  NextContinuationToken: z.string().optional(),
  KeyCount: z.number().int().nonnegative(),
  MaxKeys: z.number().int().nonnegative(),
  IsTruncated: z.boolean(),
  Contents: z.array(ListedObject),
});
export type ListBucketResult = z.infer<typeof ListBucketResult>;

export const S3ErrorDocument = z.looseObject({
  Code: z.string().min(1),
  Message: z.string(),
  Resource: z.string().optional(),
  RequestId: z.string().optional(),
  Key: z.string().optional(),
});
export type S3ErrorDocument = z.infer<typeof S3ErrorDocument>;

// --- Local store (the client's unsaved updates; IndexedDB in the browser, a file in Node) ---

/**
 * The browser's IndexedDB database `updatelog:${appId}.${dataSet}:${clientId}` has two stores: `unsavedUpdates`
 * (a PendingEntry per update, keyed by update id) and `replica` (the client's copy of the shared log under the key
 * 'replica'). The Node client's own observer reports its file store's writes to `unsavedUpdates` with the bare
 * update as the value; the page tap reports what IndexedDB really holds, the PendingEntry. Both are accepted.
 */
export const UNSAVED_STORE = 'unsavedUpdates';
export const REPLICA_STORE = 'replica';
export const REPLICA_KEY = 'replica';

export const LocalWrite = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('put'), key: UpdateId, value: Update }),
  z.strictObject({ op: z.literal('delete'), key: UpdateId }),
]);
export type LocalWrite = z.infer<typeof LocalWrite>;

/** An unsaved update as the browser stores it: when it was made, and the update. */
export const PendingEntry = z.object({ timestamp: z.number().int().nonnegative(), update: Update });
export type PendingEntry = z.infer<typeof PendingEntry>;
export const PendingEntryWrite = z.strictObject({ op: z.literal('put'), key: UpdateId, value: PendingEntry });

/**
 * The client's replica of the shared log: the state as typed JSON, the last update key it read (the snapshot's
 * timestamp when it started from one) and the ids of the shared updates it holds, so a reload shows it all at once.
 */
export const Replica = z.object({
  lastKey: z.string().min(1).nullable(),
  snapshotTimestamp: z.number().int().nonnegative().nullable(),
  state: z.unknown(),
  sharedIds: z.array(UpdateId),
});
export type Replica = z.infer<typeof Replica>;
export const ReplicaWrite = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('put'), key: z.literal(REPLICA_KEY), value: Replica }),
  z.strictObject({ op: z.literal('delete'), key: z.unknown() }),
  z.strictObject({ op: z.literal('clear') }),
]);

// --- Between tabs of one client (BroadcastChannel `updatelog:${appId}.${dataSet}:${clientId}`) ---

/** A tab changed the shared local store; the other tabs re-read it instead of waiting for the shared log. */
export const TabNotice = z.strictObject({
  type: z.literal('local-changed'),
  op: z.enum(['put', 'delete']),
  updateId: UpdateId,
  client: z.string().min(1),
});
export type TabNotice = z.infer<typeof TabNotice>;

// --- Decoded messages (what decode() returns and reduce() reads) ---

const UpdateKeyParts = z.object({
  appId: z.string(),
  dataSet: z.string(),
  area: z.string(),
  timestamp: z.number(),
  id: z.string(),
});

export const Message = z.discriminatedUnion('type', [
  z.object({ type: z.literal('PutUpdate'), key: z.string(), parts: UpdateKeyParts, update: Update }),
  z.object({ type: z.literal('PutSnapshot'), key: z.string(), snapshot: Snapshot }),
  z.object({ type: z.literal('Stored'), key: z.string(), status: z.number(), etag: z.string().optional() }),
  z.object({ type: z.literal('GetObject'), key: z.string(), method: z.enum(['GET', 'HEAD']) }),
  z.object({ type: z.literal('UpdateObject'), key: z.string(), parts: UpdateKeyParts, update: Update, meta: PromotedMeta }),
  z.object({ type: z.literal('SnapshotObject'), key: z.string(), snapshot: Snapshot, cacheControl: z.string().optional() }),
  z.object({ type: z.literal('ObjectHead'), key: z.string(), status: z.number(), etag: z.string().optional() }),
  z.object({ type: z.literal('ListObjectsV2'), bucket: z.string(), request: ListRequest }),
  z.object({ type: z.literal('ListBucketResult'), result: ListBucketResult }),
  z.object({ type: z.literal('S3Error'), status: z.number(), method: z.string(), key: z.string(), error: S3ErrorDocument }),
  z.object({ type: z.literal('LocalPut'), key: z.string(), update: Update, timestamp: z.number().optional() }),
  z.object({ type: z.literal('LocalDelete'), key: z.string() }),
  /** Every unsaved update removed at once (the store cleared). */
  z.object({ type: z.literal('LocalClear') }),
  /** A record in the unsaved store that is neither layout of an update: the client skips it when it loads. */
  z.object({ type: z.literal('LocalForeign'), key: z.string(), reason: z.string() }),
  z.object({ type: z.literal('LocalReplica'), replica: Replica }),
  z.object({ type: z.literal('LocalReplicaDropped') }),
  z.object({ type: z.literal('TabNotice'), notice: TabNotice }),
]);
export type Message = z.infer<typeof Message>;
export type MessageType = Message['type'];
