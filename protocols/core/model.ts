/**
 * The common model every dissector maps its protocol state onto, so that the panel, the overlay and the CLI
 * show every protocol the same way (design.md, "The common model").
 */
import { z } from 'zod';

export const Entity = z.object({
  type: z.string(),
  value: z.unknown(),
  /** The protocol's own notion of version: an integer version, a sync id, an LSN, a validFrom timestamp. */
  version: z.union([z.string(), z.number()]).optional(),
  deleted: z.boolean().optional(),
  /** seq of the frame that last changed it. */
  lastFrame: z.number().int(),
});
export type Entity = z.infer<typeof Entity>;

export const QueueItem = z.object({
  id: z.string(),
  /** ms timestamp of the frame that enqueued it; its age is measured from here. */
  enqueuedAt: z.number(),
  size: z.number().int().nonnegative().optional(),
  attempts: z.number().int().nonnegative(),
  frame: z.number().int(),
  label: z.string().optional(),
});
export type QueueItem = z.infer<typeof QueueItem>;

export const LsnRange = z.object({ first: z.number(), last: z.number() });
export type LsnRange = z.infer<typeof LsnRange>;

export const Journal = z.object({
  side: z.enum(['client', 'server']),
  /** An inclusive range of positions (LSNs) the journal holds, when it is range-shaped. */
  range: LsnRange.nullable().optional(),
  /** A single cursor: last sync id, latest timestamp, validFrom. */
  cursor: z.union([z.string(), z.number()]).nullable().optional(),
  /** Which other journal this one mirrors (a client's view of the server's range, and back). */
  peer: z.string().optional(),
  lastFrame: z.number().int(),
});
export type Journal = z.infer<typeof Journal>;

export const ConflictRule = z.enum([
  'lww-property',
  'version',
  'precondition-412',
  'rebase',
  'timestamp-collision',
  'validation',
  'stale',
  'out-of-order',
]);
export type ConflictRule = z.infer<typeof ConflictRule>;

export const Conflict = z.object({
  entity: z.string(),
  field: z.string().optional(),
  local: z.unknown(),
  remote: z.unknown(),
  /** Which side won: local (the client's / the incoming change) or remote (what was there), or none (rejected and left for a person). */
  winner: z.enum(['local', 'remote', 'none']),
  rule: ConflictRule,
  detail: z.string().optional(),
  frames: z.array(z.number().int()),
});
export type Conflict = z.infer<typeof Conflict>;

export const PhaseName = z.enum([
  'connecting',
  'bootstrap',
  'delta',
  'draining',
  'rehydrate',
  'timeline-sync',
  'storage-sync',
  'catching-up',
  'polling',
  'live',
  'idle',
  'offline',
]);
export type PhaseName = z.infer<typeof PhaseName>;

export const Phase = z.object({
  phase: PhaseName,
  conn: z.string().optional(),
  /** seq and time at which this phase began. */
  frame: z.number().int(),
  t: z.number(),
});
export type Phase = z.infer<typeof Phase>;

export const CommonModel = z.object({
  entities: z.record(z.string(), Entity),
  queues: z.record(z.string(), z.array(QueueItem)),
  journals: z.record(z.string(), Journal),
  conflicts: z.array(Conflict),
  phases: z.array(Phase),
});
export type CommonModel = z.infer<typeof CommonModel>;

/**
 * A record keyed by names that come off the wire (object ids, property names, connection ids): without a prototype,
 * so an id like "__proto__" is an entry like any other instead of vanishing into the prototype setter.
 */
export const dictionary = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

export const emptyModel = (): CommonModel => ({ entities: {}, queues: {}, journals: {}, conflicts: [], phases: [] });
