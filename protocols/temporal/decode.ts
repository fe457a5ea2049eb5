/**
 * A frame to a typed temporal message, or a typed decode error naming the field. Never throws. The transport picks
 * the family: WebSocket frames are the engine's protocol, `broadcast` frames the browser's channels, `worker`
 * frames the SharedWorker port, and HTTP exchanges blueprint's public TemporalEntity format.
 */
import type { DecodeError, DecodeResult } from '../core/dissector.ts';
import { zodDecodeError } from '../core/dissector.ts';
import type { RawFrame } from '../core/frame.ts';
import { DecodeHandOver } from '../core/hand-over.ts';
import { payloadOf } from '../core/payload.ts';
import { rawValueOf } from './codec.ts';
import {
  BroadcastMessage,
  HTTP_PATH,
  HttpRequestBody,
  type HttpResponseBody,
  HttpResponseBody as HttpResponseBodySchema,
  METHODS,
  PortMessage,
  Request,
  Response,
  Update,
  WIRE_KINDS,
  type WireMessage,
} from './schemas.ts';

export interface HttpTarget {
  type: string;
  version: string;
  id?: string;
}

export type TemporalMessage =
  | { channel: 'ws'; message: WireMessage }
  | { channel: 'broadcast'; name: string; message: BroadcastMessage }
  | { channel: 'port'; message: PortMessage }
  | {
      channel: 'http-request';
      method: string;
      target: HttpTarget;
      ifModifiedSince?: string;
      ifUnmodifiedSince?: string;
      body?: HttpRequestBody;
    }
  | { channel: 'http-response'; method: string; status: number; target: HttpTarget; body?: HttpResponseBody };

type Result = DecodeResult<TemporalMessage>;

const fail = (error: DecodeError): Result => ({ ok: false, error });

export function decodeTemporal(frame: RawFrame): Result {
  switch (frame.transport) {
    case 'websocket':
      return decodeWireFrame(frame);
    case 'broadcast':
      return decodeBroadcastFrame(frame);
    case 'worker':
      return decodePortFrame(frame);
    case 'http':
      return frame.kind === 'response' ? decodeHttpResponse(frame) : decodeHttpRequest(frame);
    default:
      return fail({ reason: `temporal has no messages on ${frame.transport}` });
  }
}

export function decodeWireFrame(frame: RawFrame): Result {
  const raw = rawValueOf(payloadOf(frame));
  if (!raw.ok) return fail({ reason: raw.error.reason, codec: raw.error.codec, offset: raw.error.offset });
  const message = parseWireMessage(raw.value);
  if (!message.ok) return message;
  return { ok: true, type: wireType(message.message), message: { channel: 'ws', message: message.message } };
}

/** Validates a decoded value as a socket message: `kind` first, then `method`, then the schema of that message. */
export function parseWireMessage(value: unknown): { ok: true; message: WireMessage } | { ok: false; error: DecodeError } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: { reason: 'expected a message object', path: [] } };
  }
  const kind = (value as { kind?: unknown }).kind;
  if (kind === undefined) return { ok: false, error: { reason: 'kind: missing (expected request, response or update)', path: ['kind'] } };
  if (!WIRE_KINDS.includes(kind as never)) {
    return {
      ok: false,
      error: { reason: `kind: unknown message kind ${JSON.stringify(kind)} (expected ${WIRE_KINDS.join(', ')})`, path: ['kind'] },
    };
  }
  if (kind === 'request') {
    const method = (value as { method?: unknown }).method;
    if (!METHODS.includes(method as never)) {
      const reason = `method: ${method === undefined ? 'missing' : `unknown method ${JSON.stringify(method)}`} (expected ${METHODS.join(', ')})`;
      return { ok: false, error: { reason, path: ['method'] } };
    }
  }
  const schema = kind === 'request' ? Request : kind === 'response' ? Response : Update;
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, error: zodDecodeError(parsed.error.issues, `${kind}: `) };
  return { ok: true, message: parsed.data };
}

export function wireType(message: WireMessage): string {
  if (message.kind === 'request') return `request/${message.method}`;
  if (message.kind === 'response') return `response/${message.status}`;
  return 'update';
}

function decodeBroadcastFrame(frame: RawFrame): Result {
  const raw = rawValueOf(payloadOf(frame));
  if (!raw.ok) return fail({ reason: raw.error.reason, codec: raw.error.codec, offset: raw.error.offset });
  const kind = (raw.value as { kind?: unknown } | null)?.kind;
  if (!['downstream', 'snapshot', 'upstream', 'ack'].includes(kind as string)) {
    return fail({
      reason: `kind: unknown channel message ${JSON.stringify(kind)} (expected downstream, snapshot, upstream or ack)`,
      path: ['kind'],
    });
  }
  const parsed = BroadcastMessage.safeParse(raw.value);
  if (!parsed.success) return fail(zodDecodeError(parsed.error.issues, `${String(kind)}: `));
  const name = frame.meta?.channel ?? '';
  return { ok: true, type: parsed.data.kind, message: { channel: 'broadcast', name, message: parsed.data } };
}

function decodePortFrame(frame: RawFrame): Result {
  const raw = rawValueOf(payloadOf(frame));
  if (!raw.ok) return fail({ reason: raw.error.reason, codec: raw.error.codec, offset: raw.error.offset });
  const parsed = PortMessage.safeParse(raw.value);
  if (!parsed.success) return fail(zodDecodeError(parsed.error.issues, 'port: '));
  return { ok: true, type: `port/${parsed.data.kind}`, message: { channel: 'port', message: parsed.data } };
}

/** `/temporal-entity/<type>/<version>/<id>` of a frame's URL. */
export function httpTargetOf(url: string | undefined): HttpTarget | undefined {
  if (!url) return undefined;
  let path = url;
  try {
    path = new URL(url, 'http://relative.invalid').pathname;
  } catch {
    // A malformed URL is matched as it is.
  }
  const match = HTTP_PATH.exec(path);
  if (!match) return undefined;
  const [, type = '', version = '', id] = match;
  return id === undefined ? { type, version } : { type, version, id };
}

function header(frame: RawFrame, name: string): string | undefined {
  const headers = frame.meta?.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function hasBody(frame: RawFrame): boolean {
  return frame.text !== undefined || frame.b64 !== undefined || frame.json !== undefined;
}

function decodeHttpRequest(frame: RawFrame): Result {
  const method = (frame.meta?.method ?? 'GET').toUpperCase();
  const target = httpTargetOf(frame.meta?.url);
  if (!target)
    return fail({ reason: `url: not a /temporal-entity/<type>/<version>/<id> URL (${frame.meta?.url ?? 'none'})`, path: ['url'] });
  const message: Extract<TemporalMessage, { channel: 'http-request' }> = { channel: 'http-request', method, target };
  const ifModifiedSince = header(frame, 'if-modified-since');
  const ifUnmodifiedSince = header(frame, 'if-unmodified-since');
  if (ifModifiedSince !== undefined) message.ifModifiedSince = ifModifiedSince;
  if (ifUnmodifiedSince !== undefined) message.ifUnmodifiedSince = ifUnmodifiedSince;
  if (hasBody(frame)) {
    const raw = rawValueOf(payloadOf(frame));
    if (!raw.ok) return fail({ reason: raw.error.reason, codec: raw.error.codec, offset: raw.error.offset });
    const parsed = HttpRequestBody.safeParse(raw.value);
    if (!parsed.success) return fail(zodDecodeError(parsed.error.issues, `${method} body: `));
    message.body = parsed.data;
  }
  return { ok: true, type: `http/${method}`, message };
}

function decodeHttpResponse(frame: RawFrame): Result {
  const method = (frame.meta?.method ?? 'GET').toUpperCase();
  const status = frame.meta?.status;
  if (status === undefined) return fail({ reason: 'status: an HTTP response frame needs meta.status', path: ['status'] });
  const target = httpTargetOf(frame.meta?.url);
  if (!target)
    return fail({ reason: `url: not a /temporal-entity/<type>/<version>/<id> URL (${frame.meta?.url ?? 'none'})`, path: ['url'] });
  const message: Extract<TemporalMessage, { channel: 'http-response' }> = { channel: 'http-response', method, status, target };
  if (hasBody(frame)) {
    const raw = rawValueOf(payloadOf(frame));
    if (!raw.ok) return fail({ reason: raw.error.reason, codec: raw.error.codec, offset: raw.error.offset });
    const parsed = HttpResponseBodySchema.safeParse(raw.value);
    if (!parsed.success) return fail(zodDecodeError(parsed.error.issues, `${status} body: `));
    message.body = parsed.data;
  } else if (status !== 304) {
    return fail({ reason: `body: a ${status} response of TemporalEntity carries a body`, path: ['body'] });
  }
  return { ok: true, type: `http/${status}`, message };
}

/** decodeTemporal, shared by the heuristic (detect.ts) and the dissector so that a frame both look at is decoded once. */
export const frameDecodes = new DecodeHandOver(decodeTemporal);
