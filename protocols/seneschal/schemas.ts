/**
 * Every message of seneschal (design note 002): the public shapes of the note and of manciple-rn (the Redux action,
 * the client envelope, the stored journal entry) and the engine's own socket protocol built around them.
 * The reference engine in examples/seneschal imports these; types are z.infer of them and nowhere else.
 */
import { z } from 'zod';

/** An object id (the note's OID/OUID): lists and items share one id space. */
export const Oid = z.string().min(1);

/** The properties a dispatch sets: a partial object, property by property. */
/** (zod drops a `__proto__` key while parsing a record, so no dispatch can replace an object's prototype.) */
export const Props = z.record(z.string(), z.unknown());
export type Props = z.infer<typeof Props>;

/** `slice/method`, as a Redux action type: `lists/upsert`, `items/delete`. */
export const ActionName = z.string().regex(/^[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+$/, 'expected "slice/method"');

/** Public: the client's Redux action, `{action: "slice/method", payload: [ID, {data}]}`. */
export const Action = z.object({
  action: ActionName,
  payload: z.tuple([Oid, Props]),
});
export type Action = z.infer<typeof Action>;

/** Public: what the client middleware wraps each action in, `{timestamp: Date.now(), clientID, dispatch}`. */
export const Envelope = z.object({
  timestamp: z.number().int().nonnegative(),
  clientID: z.string().min(1),
  dispatch: Action,
});
export type Envelope = z.infer<typeof Envelope>;

/** Public: a stored journal entry, `{timestamp, slice, action, actionID, payload, user, client}`. */
export const JournalEntry = z.object({
  timestamp: z.number().int().nonnegative(),
  slice: z.string().min(1),
  action: z.string().min(1),
  actionID: z.string().min(1),
  payload: z.tuple([Oid, Props]),
  user: z.string(),
  client: z.string(),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

/** A dispatch with the id the server stores it under (Dispatch.id), so it can be acknowledged and queued. */
export const StoredDispatch = z.object({ id: z.string().min(1), envelope: Envelope });
export type StoredDispatch = z.infer<typeof StoredDispatch>;

/** An access-list principal: a user id (UUID) or a group id (GID). */
export const Principal = z.object({ kind: z.enum(['user', 'group']), id: z.string().min(1) });
export type Principal = z.infer<typeof Principal>;

// ---- HTTP: login ------------------------------------------------------------------------------------------------

export const LoginRequest = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  clientID: z.string().min(1),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const LoginResponse = z.object({ token: z.string().min(1), userID: z.string().min(1), clientID: z.string().min(1) });
export type LoginResponse = z.infer<typeof LoginResponse>;

export const RegisterRequest = z.object({ username: z.string().min(1).max(64), password: z.string().min(8).max(256) });
export type RegisterRequest = z.infer<typeof RegisterRequest>;
export const RegisterResponse = z.object({ userID: z.string().min(1) });

/** Adds a user to a group (the GIDs access lists may name); needs a bearer token. */
export const GroupRequest = z.object({ gid: z.string().min(1), userID: z.string().min(1) });
export type GroupRequest = z.infer<typeof GroupRequest>;

export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), path: z.string().optional() }) });
export type ErrorBody = z.infer<typeof ErrorBody>;

// ---- WebSocket: client to server ----------------------------------------------------------------------------------

/** First message on a socket: ties the socket to its CUID, authenticated by the JWT from /login. */
export const Hello = z.object({ type: z.literal('hello'), token: z.string().min(1), clientID: z.string().min(1) });
/**
 * The client's stored (unsent) dispatches, sent after rehydrateBegin. A long offline queue does not fit one socket
 * message, so it may go in several: every one but the last says `more: true`, and the server reconciles the whole
 * set at once (the note's single reduction per object) when the last one arrives.
 */
export const Rehydrate = z.object({
  type: z.literal('rehydrate'),
  dispatches: z.array(StoredDispatch),
  more: z.boolean().optional(),
});
/** One live dispatch. */
export const Dispatch = z.object({ type: z.literal('dispatch'), id: z.string().min(1), envelope: Envelope });
/** The client has applied these server dispatches: the server may drop them from its queue. */
export const Received = z.object({ type: z.literal('received'), ids: z.array(z.string().min(1)) });
/** Changes an object's access list (only someone on the list may). */
export const Share = z.object({
  type: z.literal('share'),
  oid: Oid,
  principal: Principal,
  allow: z.boolean(),
});

export const ClientMessage = z.discriminatedUnion('type', [Hello, Rehydrate, Dispatch, Received, Share]);
export type ClientMessage = z.infer<typeof ClientMessage>;

// ---- WebSocket: server to client ----------------------------------------------------------------------------------

export const Welcome = z.object({ type: z.literal('welcome'), userID: z.string(), clientID: z.string() });
export const RehydrateBegin = z.object({ type: z.literal('rehydrateBegin') });
/** The stored dispatches are reconciled: `accepted` are the ids now durable, `queued` how many follow from the queue. */
export const RehydrateEnd = z.object({
  type: z.literal('rehydrateEnd'),
  accepted: z.array(z.string()),
  /** Stored dispatches refused for good (no access to the object): the client drops them and reverts. */
  rejected: z.array(z.string()).optional(),
  queued: z.number().int().nonnegative(),
});
/**
 * A dispatch from the server: someone else's, a reduced one, a `delete` after revoked access, or the current copy
 * for a newly granted user. `times` are the master copy's per-property timestamps of the props it carries.
 */
export const ServerDispatch = z.object({
  type: z.literal('dispatch'),
  id: z.string().min(1),
  envelope: Envelope,
  times: z.record(z.string(), z.number()).optional(),
  reason: z.enum(['live', 'reduced', 'grant', 'revoke', 'correction']),
});
export type ServerDispatch = z.infer<typeof ServerDispatch>;
/** A live dispatch is durable (or, with `rejected`, refused for good: the client drops it and reverts). */
export const Ack = z.object({ type: z.literal('ack'), id: z.string(), rejected: z.string().optional() });
export const ProtocolError = z.object({
  type: z.literal('error'),
  code: z.enum(['bad-message', 'unauthorized', 'forbidden', 'not-ready', 'internal']),
  message: z.string(),
  path: z.string().optional(),
});
export type ProtocolError = z.infer<typeof ProtocolError>;

export const ServerMessage = z.discriminatedUnion('type', [Welcome, RehydrateBegin, RehydrateEnd, ServerDispatch, Ack, ProtocolError]);
export type ServerMessage = z.infer<typeof ServerMessage>;

// ---- IndexedDB: the browser client's local copy and unsent dispatches --------------------------------------------

/** One object of the client's local copy (store `objects`, keyed by object id). */
export const LocalObject = z.object({
  slice: z.string(),
  props: Props,
  /** Per-property timestamps of the confirmed copy. */
  times: z.record(z.string(), z.number()).optional(),
});
export type LocalObject = z.infer<typeof LocalObject>;

/** A write to the client's database as the idb tap reports it: `{op, key, value}`. */
export const IdbWrite = z.discriminatedUnion('op', [
  z.object({ op: z.literal('put'), key: z.string().min(1), value: z.unknown() }),
  z.object({ op: z.literal('delete'), key: z.string().min(1) }),
]);
export type IdbWrite = z.infer<typeof IdbWrite>;

/** Store `unsent` holds StoredDispatch records (the client's queue); store `objects` holds LocalObject records. */
export type StoredWrite =
  | { store: 'unsent'; op: 'put'; key: string; dispatch: StoredDispatch }
  | { store: 'objects'; op: 'put'; key: string; object: LocalObject }
  | { store: 'unsent' | 'objects'; op: 'delete'; key: string };

/** What the dissector decodes: one of the socket messages, a login exchange, or a bare public shape. */
export type SeneschalMessage =
  | { kind: 'client'; message: ClientMessage }
  | { kind: 'server'; message: ServerMessage }
  | { kind: 'login-request'; message: LoginRequest }
  | { kind: 'login-response'; message: LoginResponse }
  | { kind: 'register-request'; message: Omit<RegisterRequest, 'password'> & { password: string } }
  | { kind: 'register-response'; message: z.infer<typeof RegisterResponse> }
  | { kind: 'group'; message: GroupRequest }
  | { kind: 'http-error'; message: ErrorBody }
  | { kind: 'http-request'; message: { method: string; url: string } }
  | { kind: 'envelope'; message: Envelope }
  | { kind: 'journal'; message: JournalEntry[] }
  | { kind: 'stored'; message: StoredWrite };
