/**
 * Every message of the `temporal` protocol (design note 004), as zod schemas. Three families:
 *
 * 1. The engine's own WebSocket protocol between a browser's SharedWorker and its Person Durable Object (and, as the
 *    same messages, between the Person object and the Temporalizable entity objects): requests with HTTP conventions
 *    as fields (`headers.ifModifiedSince`, `status`), responses, and downstream `{diff, meta}` updates. cbor-x with
 *    structured clone on the wire.
 * 2. The browser side: BroadcastChannel messages (one channel per entity, `upstream`, `ack`) and the messages a tab
 *    exchanges with the SharedWorker over its port.
 * 3. The public format of transformation-dev/blueprint's TemporalEntity over HTTP (`{value, meta, idString}`, error
 *    bodies), so traffic of the real system can be inspected too.
 *
 * The engine in examples/temporal imports these schemas; types are z.infer of them and never written twice.
 */
import { z } from 'zod';

/** validTo of the latest snapshot: the entity is valid "forever" until a newer snapshot closes it. */
export const END_OF_TIME = '9999-01-01T00:00:00.000Z';

/** Timestamps are ISO strings with milliseconds: versions are compared as strings and must not lose precision. */
export const IsoMs = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'expected an ISO date with milliseconds (YYYY-MM-DDTHH:MM:SS.mmmZ)');
export type IsoMs = z.infer<typeof IsoMs>;

/** An entity's value: a plain object (structured-clone types such as Date, Map and Set may sit inside it). */
export const EntityValue = z.record(z.string(), z.unknown());
export type EntityValue = z.infer<typeof EntityValue>;

/**
 * A deep-object-diff `diff()` result: changed keys carry their new value, deleted keys carry `undefined`, nested
 * objects and arrays are diffed key by key (arrays as index-keyed objects).
 */
export const Diff = z.record(z.string(), z.unknown());
export type Diff = z.infer<typeof Diff>;

export const Meta = z.object({
  userID: z.string().min(1),
  validFrom: IsoMs,
  validTo: IsoMs,
  /** diff(newValue, oldValue): what the changed fields were before this snapshot. */
  previousValues: Diff.optional(),
  impersonatorID: z.string().optional(),
  deleted: z.boolean().optional(),
  /** Set when the value was too large for one storage key and is stored as this many cbor-x chunks. */
  chunks: z.number().int().positive().optional(),
});
export type Meta = z.infer<typeof Meta>;

/** Which object a message is for: the entity id (a Durable Object name) and its type (`person`, `org`, ...). */
export const EntityRef = z.object({ id: z.string().min(1), type: z.string().min(1) });
export type EntityRef = z.infer<typeof EntityRef>;

export const RequestID = z.string().min(1);

// ---------------------------------------------------------------------------------------------------------------
// 1. The engine's WebSocket protocol
// ---------------------------------------------------------------------------------------------------------------

export const METHODS = ['post', 'get', 'patchDiff', 'delete', 'patchUndelete', 'unsubscribe'] as const;
export const Method = z.enum(METHODS);
export type Method = z.infer<typeof Method>;

const requestBase = {
  kind: z.literal('request'),
  requestID: RequestID,
  entity: EntityRef,
  /** Who sends it. The Person object overwrites it with itself before forwarding upstream. */
  from: EntityRef.optional(),
};

export const PostRequest = z.object({
  ...requestBase,
  method: z.literal('post'),
  body: z.object({ value: EntityValue, impersonatorID: z.string().optional() }),
});
/** `get` also subscribes the sender to the entity's downstream updates. */
export const GetRequest = z.object({
  ...requestBase,
  method: z.literal('get'),
  headers: z.object({ ifModifiedSince: IsoMs.optional() }).optional(),
});
/** `ifUnmodifiedSince` is required by the engine: a missing one is answered with 428, not rejected as malformed. */
export const PatchDiffRequest = z.object({
  ...requestBase,
  method: z.literal('patchDiff'),
  headers: z.object({ ifUnmodifiedSince: IsoMs.optional() }).optional(),
  body: z.object({ diff: Diff, impersonatorID: z.string().optional() }),
});
export const DeleteRequest = z.object({
  ...requestBase,
  method: z.literal('delete'),
  headers: z.object({ ifUnmodifiedSince: IsoMs.optional() }).optional(),
});
export const PatchUndeleteRequest = z.object({
  ...requestBase,
  method: z.literal('patchUndelete'),
  headers: z.object({ ifUnmodifiedSince: IsoMs.optional() }).optional(),
});
export const UnsubscribeRequest = z.object({ ...requestBase, method: z.literal('unsubscribe') });

export const Request = z.discriminatedUnion('method', [
  PostRequest,
  GetRequest,
  PatchDiffRequest,
  DeleteRequest,
  PatchUndeleteRequest,
  UnsubscribeRequest,
]);
export type Request = z.infer<typeof Request>;
export type PatchDiffRequest = z.infer<typeof PatchDiffRequest>;

/** The statuses the engine answers with. 409: the `ifUnmodifiedSince` version is not a snapshot the entity knows. */
export const STATUSES = [200, 201, 304, 400, 404, 409, 412, 428, 500] as const;

export const ErrorInfo = z.object({ message: z.string(), status: z.number().int() });

/** The whole value and meta: a first `get`, a `post`, and the 409 answer to an unknown base version. */
export const ValueBody = z.object({ value: EntityValue, meta: Meta });
/** A diff from `baseValidFrom` to the version `meta` describes. */
export const DiffBody = z.object({ diff: Diff, meta: Meta, baseValidFrom: IsoMs });
export const ErrorBody = z.object({
  error: ErrorInfo,
  value: EntityValue.optional(),
  meta: Meta.optional(),
  diff: Diff.optional(),
  baseValidFrom: IsoMs.optional(),
});
export type ValueBody = z.infer<typeof ValueBody>;
export type DiffBody = z.infer<typeof DiffBody>;
export type ErrorBody = z.infer<typeof ErrorBody>;

export const ResponseBody = z.union([ErrorBody, DiffBody, ValueBody]);
export type ResponseBody = z.infer<typeof ResponseBody>;

export const Response = z.object({
  kind: z.literal('response'),
  /** null when the request was too malformed to carry one. */
  requestID: RequestID.nullable(),
  method: Method.nullable(),
  entity: EntityRef.nullable(),
  status: z.number().int().min(100).max(599),
  body: ResponseBody.optional(),
});
export type Response = z.infer<typeof Response>;

/** Downstream: every change of an entity's value or meta goes to its subscribers as a diff, never the value. */
export const Update = z.object({
  kind: z.literal('update'),
  entity: EntityRef,
  diff: Diff,
  meta: Meta,
  /** The version the diff applies to. A subscriber whose latest is different re-fetches with `get`. */
  baseValidFrom: IsoMs,
});
export type Update = z.infer<typeof Update>;

/** Everything on the socket. Decoders dispatch on `kind` first so an error names the right schema's field. */
export const WireMessage = z.union([Request, Response, Update]);
export type WireMessage = z.infer<typeof WireMessage>;
export const WIRE_KINDS = ['request', 'response', 'update'] as const;

// ---------------------------------------------------------------------------------------------------------------
// 2. The browser side: BroadcastChannels and the SharedWorker port
// ---------------------------------------------------------------------------------------------------------------

/** Channel names: one per entity, plus `upstream` (stores to worker) and `ack` (stores to worker). */
export const CHANNEL_PREFIX = 'temporal:';
export const UPSTREAM_CHANNEL = `${CHANNEL_PREFIX}upstream`;
export const ACK_CHANNEL = `${CHANNEL_PREFIX}ack`;
export const entityChannel = (entityID: string): string => `${CHANNEL_PREFIX}entity:${entityID}`;
/** Where a recording SharedWorker reports its frames (not a protocol channel: its name is outside `temporal:`). */
export const TAP_CHANNEL = 'syncscope-tap:temporal';

/** Worker to stores on the entity's channel: a change from upstream (or from another tab's store). */
export const Downstream = z.object({
  kind: z.literal('downstream'),
  updateID: z.string().min(1),
  entity: EntityRef,
  diff: Diff,
  meta: Meta,
  baseValidFrom: IsoMs,
});
/** Worker to stores on the entity's channel: the whole value, after a (re-)fetch. */
export const Snapshot = z.object({
  kind: z.literal('snapshot'),
  updateID: z.string().min(1),
  entity: EntityRef,
  value: EntityValue,
  meta: Meta,
});
/** A store's local edit, in patchDiff form, on the `upstream` channel (the worker and the other tabs hear it). */
export const Upstream = z.object({
  kind: z.literal('upstream'),
  changeID: z.string().min(1),
  storeID: z.string().min(1),
  entity: EntityRef,
  diff: Diff,
  baseValidFrom: IsoMs,
});
/** A store's proof of life: it received this downstream update. Unacked entities get unsubscribed. */
export const Ack = z.object({
  kind: z.literal('ack'),
  updateID: z.string().min(1),
  storeID: z.string().min(1),
  entity: EntityRef,
});
export const BroadcastMessage = z.discriminatedUnion('kind', [Downstream, Snapshot, Upstream, Ack]);
export type Downstream = z.infer<typeof Downstream>;
export type Snapshot = z.infer<typeof Snapshot>;
export type Upstream = z.infer<typeof Upstream>;
export type Ack = z.infer<typeof Ack>;
export type BroadcastMessage = z.infer<typeof BroadcastMessage>;

/** Tab to SharedWorker over its port: which entities the tab's stores want, and connection status back. */
export const PortMessage = z.discriminatedUnion('kind', [
  /** `record`: the worker reports every frame it sends and hears on the `syncscope-tap:temporal` channel. */
  z.object({ kind: z.literal('connect'), serverURL: z.string().min(1), person: EntityRef, record: z.boolean().optional() }),
  z.object({ kind: z.literal('subscribe'), entity: EntityRef }),
  z.object({ kind: z.literal('post'), entity: EntityRef, value: EntityValue }),
  /** Takes the worker's socket down (edits keep queueing) or back up. */
  z.object({ kind: z.literal('online'), online: z.boolean() }),
  z.object({ kind: z.literal('status'), connected: z.boolean(), pending: z.number().int().nonnegative() }),
]);
export type PortMessage = z.infer<typeof PortMessage>;

// ---------------------------------------------------------------------------------------------------------------
// 3. The public format: blueprint's TemporalEntity over HTTP
// ---------------------------------------------------------------------------------------------------------------

/** `/temporal-entity/<type>/<version>/<id>`; POST has no id. */
export const HTTP_PATH = /^\/temporal-entity\/([^/]+)\/([^/]+)(?:\/([^/?]+))?/;

const httpOptions = {
  userID: z.string().min(1),
  validFrom: IsoMs.optional(),
  impersonatorID: z.string().optional(),
};
export const HttpPutBody = z.object({ value: EntityValue, ...httpOptions });
export const HttpPatchDeltaBody = z.object({ delta: Diff, ...httpOptions });
export const HttpPatchUndeleteBody = z.object({ undelete: z.literal(true), ...httpOptions });
export const HttpDeleteBody = z.object(httpOptions);
export const HttpRequestBody = z.union([HttpPutBody, HttpPatchDeltaBody, HttpPatchUndeleteBody, HttpDeleteBody]);
export type HttpRequestBody = z.infer<typeof HttpRequestBody>;

export const HttpEntityBody = z.object({
  value: EntityValue,
  meta: Meta,
  idString: z.string().min(1),
  warnings: z.array(z.unknown()).optional(),
});
export const HttpErrorBody = z.object({
  error: ErrorInfo,
  idString: z.string().optional(),
  value: EntityValue.optional(),
  meta: Meta.optional(),
});
export const HttpResponseBody = z.union([HttpErrorBody, HttpEntityBody]);
export type HttpEntityBody = z.infer<typeof HttpEntityBody>;
export type HttpErrorBody = z.infer<typeof HttpErrorBody>;
export type HttpResponseBody = z.infer<typeof HttpResponseBody>;
