import { z } from 'zod';

/** Where a frame was seen. `idb` and `opfs` carry storage writes and snapshots rather than network traffic. */
export const Transport = z.enum(['websocket', 'http', 'broadcast', 'worker', 'idb', 'opfs']);
export type Transport = z.infer<typeof Transport>;

/** `out` leaves the app, `in` arrives at it, `local` stays inside it (a storage write, a channel the app owns). */
export const Direction = z.enum(['out', 'in', 'local']);
export type Direction = z.infer<typeof Direction>;

export const FrameKind = z.enum(['open', 'close', 'error', 'message', 'request', 'response', 'write', 'snapshot']);
export type FrameKind = z.infer<typeof FrameKind>;

/** Kinds that describe a connection's life rather than carrying a message of the protocol. */
export const LIFECYCLE_KINDS: ReadonlySet<FrameKind> = new Set(['open', 'close', 'error']);

/**
 * What a tap knows about a frame besides its payload. Known keys are typed; anything else a tap adds is kept
 * (loose object), so a newer tap's metadata survives an older reader.
 */
export const FrameMeta = z.looseObject({
  url: z.string().optional(),
  method: z.string().optional(),
  status: z.number().int().optional(),
  statusText: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  subprotocol: z.string().optional(),
  channel: z.string().optional(),
  db: z.string().optional(),
  store: z.string().optional(),
  code: z.number().int().optional(),
  reason: z.string().optional(),
  /** The request seq an http response answers. */
  requestSeq: z.number().int().optional(),
  /** True when a streamed body arrived as several frames and this one is a chunk of it. */
  chunk: z.boolean().optional(),
  /** Fields the tap replaced with "[redacted]". */
  redacted: z.array(z.string()).optional(),
  error: z.string().optional(),
});
export type FrameMeta = z.infer<typeof FrameMeta>;

const PAYLOAD_KEYS = ['text', 'b64', 'json'] as const;
const NEEDS_PAYLOAD: ReadonlySet<FrameKind> = new Set(['message', 'write', 'snapshot']);

/**
 * One observed event. A frame carries at most one payload field: `text` (a string as sent), `b64` (bytes,
 * base64-encoded so a frame is plain JSON everywhere) or `json` (a structured-clone value: BroadcastChannel and
 * postMessage data, IndexedDB records). Messages, writes and snapshots carry exactly one; lifecycle frames (open,
 * close, error) and bodiless requests/responses may carry none.
 */
export const RawFrame = z
  .object({
    seq: z.number().int().nonnegative(),
    t: z.number().finite(),
    transport: Transport,
    conn: z.string().min(1),
    dir: Direction,
    kind: FrameKind,
    text: z.string().optional(),
    b64: z.string().optional(),
    json: z.unknown().optional(),
    /** Bytes on the wire, when the tap knows it. */
    size: z.number().int().nonnegative().optional(),
    meta: FrameMeta.optional(),
  })
  .superRefine((frame, ctx) => {
    const present = PAYLOAD_KEYS.filter((key) => frame[key] !== undefined);
    if (present.length > 1) {
      ctx.addIssue({ code: 'custom', message: `a frame carries one payload field, found ${present.join(' and ')}` });
    } else if (present.length === 0 && NEEDS_PAYLOAD.has(frame.kind)) {
      ctx.addIssue({ code: 'custom', message: `a ${frame.kind} frame needs one of text, b64 or json` });
    }
    if (frame.b64 !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(frame.b64)) {
      ctx.addIssue({ code: 'custom', path: ['b64'], message: 'b64 is not base64' });
    }
  });
export type RawFrame = z.infer<typeof RawFrame>;

/** The payload of a frame as the codecs see it. */
export type Payload =
  | { form: 'text'; text: string }
  | { form: 'bytes'; bytes: Uint8Array }
  | { form: 'json'; value: unknown }
  | { form: 'none' };

// ---- the fast path for trusted-shape input ----------------------------------------------------------------------

const TRANSPORTS: ReadonlySet<unknown> = new Set(Transport.options);
const DIRECTIONS: ReadonlySet<unknown> = new Set(Direction.options);
const KINDS: ReadonlySet<unknown> = new Set(FrameKind.options);
const FRAME_KEYS: ReadonlySet<string> = new Set(Object.keys(RawFrame.shape));
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
const isInt = (value: unknown, min = Number.MIN_SAFE_INTEGER): boolean => Number.isSafeInteger(value) && (value as number) >= min;
const optional = (value: unknown, check: (v: unknown) => boolean): boolean => value === undefined || check(value);
const isString = (value: unknown): boolean => typeof value === 'string';

const META_CHECKS: Readonly<Record<string, (value: unknown) => boolean>> = {
  url: isString,
  method: isString,
  status: (v) => isInt(v),
  statusText: isString,
  headers: (v) => isPlainObject(v) && Object.values(v).every(isString),
  subprotocol: isString,
  channel: isString,
  db: isString,
  store: isString,
  code: (v) => isInt(v),
  reason: isString,
  requestSeq: (v) => isInt(v),
  chunk: (v) => typeof v === 'boolean',
  redacted: (v) => Array.isArray(v) && v.every(isString),
  error: isString,
};

/**
 * The frame itself when it is plainly valid, else undefined. Session files hold a million lines, and extension
 * pages forbid the code generation zod uses to make object parsing fast (CSP: no eval), so interpreted zod cost
 * more per line than the whole JSON.parse. This checks the common shape directly and answers only "certainly
 * valid"; anything unusual (unknown keys, which zod would strip, odd values) goes to zod, which stays the authority
 * and names what is wrong. frame.test.ts checks that the two agree on random and mutated frames.
 */
function plainlyValidFrame(raw: unknown): RawFrame | undefined {
  if (!isPlainObject(raw)) return undefined;
  for (const key in raw) if (!FRAME_KEYS.has(key)) return undefined;
  const f = raw as Record<string, unknown>;
  if (!isInt(f.seq, 0) || typeof f.t !== 'number' || !Number.isFinite(f.t)) return undefined;
  if (!TRANSPORTS.has(f.transport) || !DIRECTIONS.has(f.dir) || !KINDS.has(f.kind)) return undefined;
  if (typeof f.conn !== 'string' || f.conn.length === 0) return undefined;
  if (!optional(f.text, isString) || !optional(f.b64, isString) || !optional(f.size, (v) => isInt(v, 0))) return undefined;
  const payloads = (f.text !== undefined ? 1 : 0) + (f.b64 !== undefined ? 1 : 0) + (f.json !== undefined ? 1 : 0);
  if (payloads > 1 || (payloads === 0 && NEEDS_PAYLOAD.has(f.kind as FrameKind))) return undefined;
  if (f.b64 !== undefined && !BASE64.test(f.b64 as string)) return undefined;
  if (f.meta !== undefined) {
    if (!isPlainObject(f.meta)) return undefined;
    for (const key in f.meta) {
      const check = META_CHECKS[key];
      if (check && !optional(f.meta[key], check)) return undefined;
    }
  }
  return raw as RawFrame;
}

/** RawFrame.safeParse, with a fast path for frames that are plainly valid (the usual case when reading a file). */
export function parseRawFrame(raw: unknown): ReturnType<typeof RawFrame.safeParse> {
  const frame = plainlyValidFrame(raw);
  return frame ? { success: true, data: frame } : RawFrame.safeParse(raw);
}
