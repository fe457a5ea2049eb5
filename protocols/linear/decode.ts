/**
 * A frame to a typed linear message, or a typed error naming the field. HTTP bodies are told apart by URL (login,
 * change, batch) and shape (pbardea's `{Objects, ...}` bootstrap, else NDJSON lines); socket frames by direction
 * (client commands go `out`) and their `cmd`, or pbardea's `{token}` / `{type, jsonObject}`. Never throws.
 */
import { z } from 'zod';
import {
  type DecodeError,
  DecodeHandOver,
  type DecodeResult,
  decodeUtf8,
  payloadOf,
  type RawFrame,
  zodDecodeError,
} from '../core/index.ts';
import { decodeJson, decodeMsgpack, parseNdjsonLines, type RawLine } from './codec.ts';
import {
  BatchRequest,
  type BootstrapLine,
  BootstrapMetadata,
  ChangeRequest,
  ChangeResponse,
  ClientCommand,
  ErrorBody,
  IdbKey,
  JsonModel,
  LAST_SYNC_ID_KEY,
  type LinearMessage,
  LocalStoreName,
  LoginRequest,
  LoginResponse,
  PbBootstrap,
  PbChange,
  PbSocketAuth,
  PbSocketEvent,
  QueuedTransaction,
  ServerCommand,
  StoredModel,
  SyncAction,
  SyncId,
  Tombstone,
} from './schemas.ts';

export type Decoded = DecodeResult<LinearMessage>;

const CLIENT_CMDS = ClientCommand.options.map((o) => o.shape.cmd.value) as string[];
const SERVER_CMDS = ServerCommand.options.map((o) => o.shape.cmd.value) as string[];

function fail(reason: string, path?: Array<string | number>): { ok: false; error: DecodeError } {
  return { ok: false, error: path ? { reason, path } : { reason } };
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix: string, at: Array<string | number> = []) {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data as z.infer<S> } as const;
  const error = zodDecodeError(parsed.error.issues, prefix);
  return { ok: false, error: { ...error, path: [...at, ...(error.path ?? [])] } } as const;
}

function ok(type: string, message: LinearMessage): Decoded {
  return { ok: true, type, message };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Path and query of a URL, tolerant of relative URLs. */
interface UrlParts {
  readonly path: string;
  readonly query: URLSearchParams;
}

/**
 * Parsed URLs by their text: every HTTP exchange is its own connection, so the same few endpoint URLs are parsed
 * once per frame otherwise, and WHATWG URL parsing took 8 % of decoding a linear session. Callers only read them.
 * Bounded: cleared when full.
 */
const parsedUrls = new Map<string, UrlParts>();
const PARSED_URLS_MAX = 512;

function urlParts(url: string): UrlParts {
  let parts = parsedUrls.get(url);
  if (parts) return parts;
  try {
    const parsed = new URL(url, 'http://relative.invalid');
    parts = { path: parsed.pathname, query: parsed.searchParams };
  } catch {
    parts = { path: url, query: new URLSearchParams() };
  }
  if (parsedUrls.size >= PARSED_URLS_MAX) parsedUrls.clear();
  parsedUrls.set(url, parts);
  return parts;
}

function syncIdParam(query: URLSearchParams, ...names: string[]): number | undefined {
  for (const name of names) {
    const value = query.get(name);
    if (value !== null && /^\d+$/.test(value)) return Number(value);
  }
  return undefined;
}

/** A body-less GET of a bootstrap, delta or catch-up: what it asks for, from its URL. */
function decodeBootstrapRequest(frame: RawFrame): Decoded {
  const url = frame.meta?.url ?? '';
  const { path, query } = urlParts(url);
  const clientId = frame.meta?.headers?.['x-client-id'];
  const extra = clientId ? { clientId } : {};
  if (path.endsWith('/sync/delta')) {
    const since = syncIdParam(query, 'lastSyncId');
    return ok('delta-request', {
      kind: 'bootstrap-request',
      message: { url, mode: 'delta', ...(since !== undefined ? { since } : {}), ...extra },
    });
  }
  if (path.endsWith('/delta-bootstrap')) {
    const since = syncIdParam(query, 'start_time');
    return ok('delta-request', {
      kind: 'bootstrap-request',
      message: { url, mode: 'delta', ...(since !== undefined ? { since } : {}), ...extra },
    });
  }
  if (path.endsWith('/bootstrap')) {
    const since = syncIdParam(query, 'sinceSyncId', 'firstSyncId');
    const type = query.get('type');
    const mode = type === 'partial' ? 'partial' : since !== undefined && type !== 'full' ? 'delta' : 'full';
    return ok(`${mode === 'delta' ? 'delta' : 'bootstrap'}-request`, {
      kind: 'bootstrap-request',
      message: { url, mode, ...(since !== undefined ? { since } : {}), ...extra },
    });
  }
  return fail(`a ${frame.meta?.method ?? 'GET'} request without a body to ${path}, which is not a bootstrap or delta endpoint`);
}

/** One NDJSON line checked against its schema; errors carry the line's index in the path. */
function decodeLine(line: RawLine, index: number): { ok: true; line: BootstrapLine } | { ok: false; error: DecodeError } {
  const at = ['lines', index];
  const prefix = (what: string) => `line ${index + 1} (${what}): `;
  if (line.form === 'metadata') {
    const parsed = parseWith(BootstrapMetadata, line.value, prefix('_metadata_'), at);
    return parsed.ok ? { ok: true, line: { kind: 'metadata', metadata: parsed.value } } : parsed;
  }
  if (!isObject(line.value)) return fail(`line ${index + 1}: expected a JSON object`, at);
  const value = line.form === 'prefixed' && line.value.__class === undefined ? { ...line.value, __class: line.modelName } : line.value;
  const cls = value.__class;
  if (cls === 'SyncAction') {
    const parsed = parseWith(SyncAction, value, prefix('SyncAction'), at);
    return parsed.ok ? { ok: true, line: { kind: 'action', action: parsed.value } } : parsed;
  }
  if (cls === 'Tombstone') {
    const parsed = parseWith(Tombstone, value, prefix('Tombstone'), at);
    return parsed.ok ? { ok: true, line: { kind: 'tombstone', tombstone: parsed.value } } : parsed;
  }
  const parsed = parseWith(JsonModel, value, prefix(typeof cls === 'string' ? cls : 'model'), at);
  return parsed.ok ? { ok: true, line: { kind: 'model', model: parsed.value } } : parsed;
}

/** An NDJSON bootstrap, delta or batch body (whole lines) to typed lines; the engine's clients use it too. */
export function decodeNdjsonBody(text: string, chunk: boolean): Decoded {
  const parsed = parseNdjsonLines(text);
  if (!parsed.ok) {
    return {
      ok: false,
      error: {
        reason: `line ${parsed.line}: ${parsed.error.reason}`,
        codec: 'ndjson',
        offset: parsed.error.offset ?? 0,
        path: ['lines', parsed.line - 1],
      },
    };
  }
  if (parsed.lines.length === 0 && !chunk) return fail('an empty bootstrap body: expected NDJSON lines ending with _metadata_=');
  const lines: BootstrapLine[] = [];
  for (const [index, raw] of parsed.lines.entries()) {
    const line = decodeLine(raw, index);
    if (!line.ok) return line;
    lines.push(line.line);
  }
  const type =
    lines.every((l) => l.kind === 'action' || l.kind === 'metadata') && lines.some((l) => l.kind === 'action') ? 'delta' : 'bootstrap';
  return ok(type, { kind: 'bootstrap', message: { lines, chunk } });
}

function decodeHttp(frame: RawFrame, text: string | undefined, value: unknown): Decoded {
  const { path } = urlParts(frame.meta?.url ?? '');
  const status = frame.meta?.status ?? 200;
  const request = frame.kind === 'request';
  if (!request && status >= 400) {
    const parsed = parseWith(ErrorBody, value, 'error body: ');
    return parsed.ok ? ok('http-error', { kind: 'http-error', message: parsed.value }) : parsed;
  }
  if (path.endsWith('/login')) {
    const parsed = request ? parseWith(LoginRequest, value, 'login request: ') : parseWith(LoginResponse, value, 'login response: ');
    if (!parsed.ok) return parsed;
    return request
      ? ok('login', { kind: 'login-request', message: parsed.value as LoginRequest })
      : ok('login-ok', { kind: 'login-response', message: parsed.value as LoginResponse });
  }
  if (path.endsWith('/change')) {
    if (!request) {
      const parsed = parseWith(ChangeResponse, value, 'change response: ');
      return parsed.ok ? ok('change-result', { kind: 'change-response', message: parsed.value }) : parsed;
    }
    if (isObject(value) && 'transactions' in value) {
      const parsed = parseWith(ChangeRequest, value, 'change request: ');
      return parsed.ok ? ok('change', { kind: 'change-request', message: parsed.value }) : parsed;
    }
    const parsed = parseWith(PbChange, value, 'change: ');
    return parsed.ok ? ok('change', { kind: 'pb-change', message: parsed.value }) : parsed;
  }
  if (request && path.endsWith('/sync/batch')) {
    const parsed = parseWith(BatchRequest, value, 'batch request: ');
    return parsed.ok ? ok('batch-request', { kind: 'batch-request', message: parsed.value }) : parsed;
  }
  if (request) return fail(`a request with a body to ${path}, which takes none`);
  if (isObject(value) && 'Objects' in value) {
    const parsed = parseWith(PbBootstrap, value, 'bootstrap: ');
    return parsed.ok
      ? ok(path.endsWith('/delta-bootstrap') ? 'delta' : 'bootstrap', { kind: 'pb-bootstrap', message: parsed.value })
      : parsed;
  }
  const body = text ?? (value === undefined ? '' : JSON.stringify(value));
  return decodeNdjsonBody(body, frame.meta?.chunk === true);
}

function decodeSocket(value: unknown, dir: RawFrame['dir'], binary: boolean): Decoded {
  if (!isObject(value)) return fail(`expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  const fromClient = dir === 'out';
  if ('cmd' in value) {
    const cmd = value.cmd;
    if (typeof cmd !== 'string') return fail(`cmd: expected a string, got ${typeof cmd}`, ['cmd']);
    const known = fromClient ? CLIENT_CMDS : SERVER_CMDS;
    if (!known.includes(cmd))
      return fail(`cmd: unknown ${fromClient ? 'client' : 'server'} command "${cmd}" (known: ${known.join(', ')})`, ['cmd']);
    if (fromClient) {
      const parsed = parseWith(ClientCommand, value, `${cmd}: `);
      return parsed.ok ? ok(cmd, { kind: 'client-cmd', message: parsed.value, binary }) : parsed;
    }
    const parsed = parseWith(ServerCommand, value, `${cmd}: `);
    return parsed.ok ? ok(cmd, { kind: 'server-cmd', message: parsed.value, binary }) : parsed;
  }
  if ('jsonObject' in value || ('type' in value && !fromClient)) {
    const parsed = parseWith(PbSocketEvent, value, 'socket event: ');
    return parsed.ok ? ok(parsed.value.type, { kind: 'pb-socket-event', message: parsed.value }) : parsed;
  }
  if (fromClient && 'token' in value) {
    const parsed = parseWith(PbSocketAuth, value, 'socket auth: ');
    return parsed.ok ? ok('auth', { kind: 'pb-socket-auth', message: parsed.value }) : parsed;
  }
  return fail(`unknown ${fromClient ? 'client' : 'server'} socket message: expected a "cmd" frame, {token} or {type, jsonObject}`, ['cmd']);
}

// The shapes of one IndexedDB write per store, built once: a zod schema compiles its checks on first use, so
// building one per frame recompiled it every time.
const LocalDeleteKey = z.object({ key: IdbKey });
const LocalModelWrite = z.object({ value: StoredModel });
const LocalTransactionWrite = z.object({ value: QueuedTransaction });
const LocalSyncIdWrite = z.object({ value: SyncId });

/**
 * An IndexedDB write of the browser client: which store, which operation, and the record checked against that
 * store's schema (errors name the field, e.g. `local write: value.tx.id`).
 */
export function decodeLocalWrite(frame: RawFrame, value: unknown): Decoded {
  const db = frame.meta?.db ?? frame.conn.replace(/^idb:/, '');
  const store = LocalStoreName.safeParse(frame.meta?.store);
  if (!store.success)
    return fail(`local write: unknown object store ${JSON.stringify(frame.meta?.store)} (expected models, transactions or meta)`, [
      'store',
    ]);
  if (!isObject(value)) return fail('local write: expected {op, key, value}');
  const op = value.op;
  const done = (type: string, message: Extract<LinearMessage, { kind: 'local-write' }>['message']): Decoded =>
    ok(type, { kind: 'local-write', db, message });
  if (op === 'clear') return done(`${store.data}-clear`, { store: store.data, op });
  if (op === 'delete') {
    const key = parseWith(LocalDeleteKey, { key: value.key }, 'local write: ');
    return key.ok ? done(`${store.data}-delete`, { store: store.data, op, key: key.value.key }) : key;
  }
  if (op !== 'put' && op !== 'add')
    return fail(`local write: unknown op ${JSON.stringify(op)} (expected put, add, delete or clear)`, ['op']);
  switch (store.data) {
    case 'models': {
      const record = parseWith(LocalModelWrite, value, 'local write: ');
      return record.ok ? done('model-put', { store: 'models', op, key: record.value.value.key, record: record.value.value }) : record;
    }
    case 'transactions': {
      const record = parseWith(LocalTransactionWrite, value, 'local write: ');
      return record.ok
        ? done('transaction-put', { store: 'transactions', op, key: record.value.value.tx.id, record: record.value.value })
        : record;
    }
    case 'meta': {
      if (value.key !== LAST_SYNC_ID_KEY)
        return fail(`local write: unknown meta key ${JSON.stringify(value.key)} (expected "${LAST_SYNC_ID_KEY}")`, ['key']);
      const lastSyncId = parseWith(LocalSyncIdWrite, value, 'local write: ');
      return lastSyncId.ok
        ? done('last-sync-id', { store: 'meta', op, key: LAST_SYNC_ID_KEY, lastSyncId: lastSyncId.value.value })
        : lastSyncId;
    }
  }
}

export function decodeFrame(frame: RawFrame): Decoded {
  const payload = payloadOf(frame);
  if (frame.transport === 'idb') {
    if (payload.form !== 'json') return fail(`local write: expected a json payload, got ${payload.form}`);
    return decodeLocalWrite(frame, payload.value);
  }
  const http = frame.transport === 'http';
  if (payload.form === 'none') {
    if (http && frame.kind === 'request' && frame.meta?.method === 'OPTIONS')
      return ok('preflight', { kind: 'preflight', message: { url: frame.meta.url ?? '' } });
    if (http && frame.kind === 'request') return decodeBootstrapRequest(frame);
    if (http && frame.kind === 'response' && (frame.meta?.status ?? 200) < 400) {
      return ok('ack', { kind: 'http-ack', message: { url: frame.meta?.url ?? '', status: frame.meta?.status ?? 200 } });
    }
    return fail(`a ${frame.kind} frame without a body`);
  }
  if (payload.form === 'json') return http ? decodeHttp(frame, undefined, payload.value) : decodeSocket(payload.value, frame.dir, false);
  if (payload.form === 'bytes') {
    if (!http) {
      const value = decodeMsgpack(payload.bytes);
      if (!value.ok)
        return {
          ok: false,
          error: {
            reason: `binary frame: ${value.error.reason}`,
            codec: 'msgpack',
            ...(value.error.offset !== undefined ? { offset: value.error.offset } : {}),
          },
        };
      return decodeSocket(value.value, frame.dir, true);
    }
    const text = decodeUtf8(payload.bytes);
    if (!text.ok) return { ok: false, error: { reason: text.error.reason, codec: 'text' } };
    return decodeText(frame, text.value);
  }
  return decodeText(frame, payload.text);
}

function decodeText(frame: RawFrame, text: string): Decoded {
  const http = frame.transport === 'http';
  if (http) {
    // A bootstrap body is NDJSON; one JSON document is a request, a reply, or pbardea's bootstrap.
    const { path } = urlParts(frame.meta?.url ?? '');
    const ndjsonEndpoint = frame.kind === 'response' && (frame.meta?.status ?? 200) < 400 && !/\/(login|change)$/.test(path);
    if (ndjsonEndpoint && isMultiLine(text)) {
      // NDJSON first: parsing a many-line body as one document fails only at the end of its first line, and that
      // failed parse (an exception and an error offset) cost as much as the whole NDJSON decode. A pretty-printed
      // pbardea bootstrap is one document over many lines; it is what fails here.
      const lines = decodeNdjsonBody(text, frame.meta?.chunk === true);
      if (lines.ok) return lines;
      const whole = decodeJson(text);
      return whole.ok && isObject(whole.value) && 'Objects' in whole.value ? decodeHttp(frame, text, whole.value) : lines;
    }
    const whole = decodeJson(text);
    if (ndjsonEndpoint && !(whole.ok && isObject(whole.value) && 'Objects' in whole.value))
      return decodeNdjsonBody(text, frame.meta?.chunk === true);
    if (!whole.ok)
      return {
        ok: false,
        error: { reason: whole.error.reason, codec: 'json', ...(whole.error.offset !== undefined ? { offset: whole.error.offset } : {}) },
      };
    return decodeHttp(frame, text, whole.value);
  }
  const whole = decodeJson(text);
  if (!whole.ok)
    return {
      ok: false,
      error: { reason: whole.error.reason, codec: 'json', ...(whole.error.offset !== undefined ? { offset: whole.error.offset } : {}) },
    };
  return decodeSocket(whole.value, frame.dir, false);
}

/** Whether text holds a line break between two non-blank characters (a trailing newline does not count). */
function isMultiLine(text: string): boolean {
  const first = text.indexOf('\n');
  return first !== -1 && text.slice(first).trim() !== '';
}

/** decodeFrame, shared by the heuristic (detect.ts) and the dissector so that a frame both look at is decoded once. */
export const frameDecodes = new DecodeHandOver(decodeFrame);
