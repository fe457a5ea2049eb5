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
