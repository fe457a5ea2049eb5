/**
 * A frame to a typed seneschal message, or a typed error that names the field. Socket messages are told apart by
 * direction (client to server is `out`); HTTP bodies by URL and status; bare public shapes (an envelope, a journal)
 * are recognised wherever they appear. Never throws.
 */
import { z } from 'zod';
import { type DecodeResult, payloadOf, type RawFrame, zodDecodeError } from '../core/index.ts';
import { parseBody } from './codec.ts';
import {
  ClientMessage,
  Envelope,
  ErrorBody,
  GroupRequest,
  IdbWrite,
  JournalEntry,
  LocalObject,
  LoginRequest,
  LoginResponse,
  RegisterRequest,
  RegisterResponse,
  type SeneschalMessage,
  ServerMessage,
  StoredDispatch,
} from './schemas.ts';

export type Decoded = DecodeResult<SeneschalMessage>;

const CLIENT_TYPES = ClientMessage.options.map((o) => o.shape.type.value) as string[];
const SERVER_TYPES = ServerMessage.options.map((o) => o.shape.type.value) as string[];

// Recorded requests carry "[redacted]" for the password, which is shorter than a real one may be. Built once: a
// zod schema compiles its checks on first use, so extending per frame recompiled it every time.
const RecordedRegisterRequest = RegisterRequest.extend({ password: z.string() });

function fail(reason: string, path?: Array<string | number>): Decoded {
  return { ok: false, error: path ? { reason, path } : { reason } };
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix: string) {
  const parsed = schema.safeParse(value);
  return parsed.success
    ? ({ ok: true, value: parsed.data as z.infer<S> } as const)
    : ({ ok: false, error: zodDecodeError(parsed.error.issues, prefix) } as const);
}

/** A socket message: the `type` decides the schema, so an unknown type is reported as such, not as a shape error. */
function decodeSocket(value: unknown, dir: RawFrame['dir']): Decoded {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    if (Array.isArray(value)) return decodeJournal(value);
    return fail('expected a JSON object');
  }
  if (!('type' in value)) {
    const envelope = parseWith(Envelope, value, 'envelope: ');
    return envelope.ok
      ? { ok: true, type: 'envelope', message: { kind: 'envelope', message: envelope.value } }
      : { ok: false, error: envelope.error };
  }
  const type = (value as { type: unknown }).type;
  if (typeof type !== 'string') return fail(`type: expected a string, got ${typeof type}`, ['type']);
  const fromClient = dir === 'out';
  const known = fromClient ? CLIENT_TYPES : SERVER_TYPES;
  if (!known.includes(type)) {
    return fail(`type: unknown ${fromClient ? 'client' : 'server'} message "${type}" (known: ${known.join(', ')})`, ['type']);
  }
  if (fromClient) {
    const parsed = parseWith(ClientMessage, value, `${type}: `);
    return parsed.ok ? { ok: true, type, message: { kind: 'client', message: parsed.value } } : { ok: false, error: parsed.error };
  }
  const parsed = parseWith(ServerMessage, value, `${type}: `);
  return parsed.ok ? { ok: true, type, message: { kind: 'server', message: parsed.value } } : { ok: false, error: parsed.error };
}

function decodeJournal(values: unknown[]): Decoded {
  const entries: JournalEntry[] = [];
  for (const [index, value] of values.entries()) {
    const parsed = JournalEntry.safeParse(value);
    if (!parsed.success) {
      const error = zodDecodeError(parsed.error.issues, `journal entry ${index}: `);
      return { ok: false, error: { ...error, path: [index, ...(error.path ?? [])] } };
    }
    entries.push(parsed.data);
  }
  return { ok: true, type: 'journal', message: { kind: 'journal', message: entries } };
}

function decodeHttp(frame: RawFrame, value: unknown): Decoded {
  const url = frame.meta?.url ?? '';
  const isLogin = /\/login(?:[?#]|$)/.test(url);
  const isRegister = /\/register(?:[?#]|$)/.test(url);
  const isGroups = /\/groups(?:[?#]|$)/.test(url);
  if (isGroups && (frame.meta?.status ?? 200) < 400) {
    const parsed = parseWith(GroupRequest, value, 'group: ');
    return parsed.ok ? { ok: true, type: 'group', message: { kind: 'group', message: parsed.value } } : { ok: false, error: parsed.error };
  }
  if (frame.kind === 'request') {
    if (isRegister) {
      const parsed = parseWith(RecordedRegisterRequest, value, 'register request: ');
      return parsed.ok
        ? { ok: true, type: 'register', message: { kind: 'register-request', message: parsed.value } }
        : { ok: false, error: parsed.error };
    }
    if (isLogin) {
      const parsed = parseWith(LoginRequest, value, 'login request: ');
      return parsed.ok
        ? { ok: true, type: 'login', message: { kind: 'login-request', message: parsed.value } }
        : { ok: false, error: parsed.error };
    }
    return decodeSocket(value, 'out');
  }
  if ((frame.meta?.status ?? 200) >= 400) {
    const parsed = parseWith(ErrorBody, value, 'error body: ');
    return parsed.ok
      ? { ok: true, type: 'http-error', message: { kind: 'http-error', message: parsed.value } }
      : { ok: false, error: parsed.error };
  }
  if (isRegister) {
    const parsed = parseWith(RegisterResponse, value, 'register response: ');
    return parsed.ok
      ? { ok: true, type: 'registered', message: { kind: 'register-response', message: parsed.value } }
      : { ok: false, error: parsed.error };
  }
  if (isLogin) {
    const parsed = parseWith(LoginResponse, value, 'login response: ');
    return parsed.ok
      ? { ok: true, type: 'login-ok', message: { kind: 'login-response', message: parsed.value } }
      : { ok: false, error: parsed.error };
  }
  if (Array.isArray(value)) return decodeJournal(value);
  return decodeSocket(value, 'in');
}

/** A write to the browser client's IndexedDB: an unsent dispatch stored or dropped, or an object of the local copy. */
function decodeStoredWrite(frame: RawFrame, value: unknown): Decoded {
  const store = frame.meta?.store;
  if (store !== 'unsent' && store !== 'objects')
    return fail(`meta.store: unknown seneschal store "${String(store)}" (known: unsent, objects)`, ['meta', 'store']);
  const write = parseWith(IdbWrite, value, `${store} write: `);
  if (!write.ok) return { ok: false, error: write.error };
  const type = `${store}-${write.value.op}`;
  if (write.value.op === 'delete')
    return { ok: true, type, message: { kind: 'stored', message: { store, op: 'delete', key: write.value.key } } };
  if (store === 'unsent') {
    const dispatch = parseWith(StoredDispatch, write.value.value, 'unsent record: ');
    if (!dispatch.ok) return { ok: false, error: { ...dispatch.error, path: ['value', ...(dispatch.error.path ?? [])] } };
    return { ok: true, type, message: { kind: 'stored', message: { store, op: 'put', key: write.value.key, dispatch: dispatch.value } } };
  }
  const object = parseWith(LocalObject, write.value.value, 'object record: ');
  if (!object.ok) return { ok: false, error: { ...object.error, path: ['value', ...(object.error.path ?? [])] } };
  return { ok: true, type, message: { kind: 'stored', message: { store, op: 'put', key: write.value.key, object: object.value } } };
}

export function decodeFrame(frame: RawFrame): Decoded {
  const payload = payloadOf(frame);
  if (payload.form === 'none') {
    // A GET (journal, health) has no body: it is still a seneschal request, known by its URL.
    if (frame.transport === 'http' && frame.kind === 'request') {
      const message = { method: frame.meta?.method ?? 'GET', url: frame.meta?.url ?? '' };
      return { ok: true, type: 'request', message: { kind: 'http-request', message } };
    }
    return fail(`a ${frame.kind} frame without a body`);
  }
  let value: unknown;
  if (payload.form === 'json') value = payload.value;
  else if (payload.form === 'bytes') return fail('seneschal sends JSON text, got binary data');
  else {
    const parsed = parseBody(payload.text);
    if (!parsed.ok) return { ok: false, error: { reason: parsed.error.reason, codec: parsed.error.codec, offset: parsed.error.offset } };
    value = parsed.value;
  }
  if (frame.transport === 'http') return decodeHttp(frame, value);
  if (frame.transport === 'idb') return decodeStoredWrite(frame, value);
  return decodeSocket(value, frame.dir);
}
