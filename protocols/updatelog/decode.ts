/**
 * A frame to an updatelog message, or a typed error naming the field. Requests are read from their method and
 * URL (PUT an update or snapshot, GET/HEAD an object, ListObjectsV2); responses from the method and URL the tap
 * copies onto them plus the status. Local store writes come from the client's own observer. Never throws.
 */
import {
  type ConnInfo,
  type DecodeError,
  type DecodeResult,
  decodeJson,
  decodeUtf8,
  payloadOf,
  type RawFrame,
  zodDecodeError,
} from '@syncscope/protocols/core';
import { errorFromXml, headerOf, listResultFromXml, parseS3Url, promotedMetaFromHeaders, type S3Address } from './codec.ts';
import { parseSnapshotKey, parseUpdateKey } from './keys.ts';
import {
  ListRequest,
  LocalWrite,
  type Message,
  PendingEntryWrite,
  REPLICA_STORE,
  ReplicaWrite,
  Snapshot,
  TabNotice,
  UNSAVED_STORE,
  Update,
} from './schemas.ts';

type Result = DecodeResult<Message>;

const fail = (reason: string, path?: Array<string | number>, extra: Partial<DecodeError> = {}): Result => ({
  ok: false,
  error: path ? { reason, path, ...extra } : { reason, ...extra },
});
const ok = (message: Message): Result => ({ ok: true, type: message.type, message });

export function decode(frame: RawFrame, conn: ConnInfo): Result {
  if (frame.transport === 'idb') return decodeLocalWrite(frame);
  if (frame.transport === 'broadcast') return decodeTabNotice(frame);
  if (frame.transport !== 'http')
    return fail(`updatelog travels over HTTP, the local store and a tab channel, not ${frame.transport}`, ['transport']);
  if (frame.meta?.chunk) return fail('an S3 response is not streamed in chunks', ['meta', 'chunk']);
  const method = frame.meta?.method?.toUpperCase();
  if (!method) return fail('an HTTP frame needs meta.method', ['meta', 'method']);
  const url = frame.meta?.url ?? conn.url;
  if (!url) return fail('an HTTP frame needs meta.url', ['meta', 'url']);
  const address = parseS3Url(url);
  if (!address?.bucket) return fail(`not an S3 URL: ${url}`, ['meta', 'url']);
  if (frame.kind === 'request') return decodeRequest(frame, method, address);
  if (frame.kind === 'response') return decodeResponse(frame, method, address);
  return fail(`unknown frame kind ${frame.kind} for updatelog`, ['kind']);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keys that make a record one of the two layouts of an unsaved update (the bare update, or a PendingEntry). */
const UPDATE_FIELDS = ['id', 'actions', 'update', 'timestamp'];

function decodeLocalWrite(frame: RawFrame): Result {
  if (frame.kind !== 'write') return fail(`a local store frame is a write, not ${frame.kind}`, ['kind']);
  const json = payloadOf(frame).form === 'json' ? frame.json : bodyJson(frame);
  // IndexedDB's add() stores like put() but refuses to overwrite; the record means the same.
  const write = isRecord(json) && json.op === 'add' ? { ...json, op: 'put' } : json;
  const store = frame.meta?.store ?? UNSAVED_STORE;
  if (store === REPLICA_STORE) return decodeReplicaWrite(write);
  if (store !== UNSAVED_STORE)
    return fail(`local write: unknown object store "${store}" (expected ${UNSAVED_STORE} or ${REPLICA_STORE})`, ['meta', 'store']);
  if (isRecord(write) && write.op === 'clear') return ok({ type: 'LocalClear' });
  if (isRecord(write) && write.op === 'put' && isRecord(write.value)) {
    const value = write.value;
    if ('update' in value || 'timestamp' in value) return decodePendingEntry(write);
    if (!UPDATE_FIELDS.some((field) => field in value) && typeof write.key === 'string') {
      return ok({
        type: 'LocalForeign',
        key: write.key,
        reason: 'not an update nor a pending entry (no id, actions, update or timestamp)',
      });
    }
  }
  const checked = LocalWrite.safeParse(write);
  if (!checked.success) return { ok: false, error: zodDecodeError(checked.error.issues, 'local write: ') };
  const local = checked.data;
  if (local.op === 'put') {
    if (local.key !== local.value.id) return fail(`local write key ${local.key} is not the update's id ${local.value.id}`, ['key']);
    return ok({ type: 'LocalPut', key: local.key, update: local.value });
  }
  return ok({ type: 'LocalDelete', key: local.key });
}

/** What the browser's IndexedDB holds per unsaved update: {timestamp, update}. */
function decodePendingEntry(write: unknown): Result {
  const checked = PendingEntryWrite.safeParse(write);
  if (!checked.success) return { ok: false, error: zodDecodeError(checked.error.issues, 'local write: ') };
  const { key, value } = checked.data;
  if (key !== value.update.id) return fail(`local write key ${key} is not the update's id ${value.update.id}`, ['key']);
  return ok({ type: 'LocalPut', key, update: value.update, timestamp: value.timestamp });
}

function decodeReplicaWrite(write: unknown): Result {
  const checked = ReplicaWrite.safeParse(write);
  if (!checked.success) return { ok: false, error: zodDecodeError(checked.error.issues, 'replica write: ') };
  const local = checked.data;
  return local.op === 'put' ? ok({ type: 'LocalReplica', replica: local.value }) : ok({ type: 'LocalReplicaDropped' });
}

function decodeTabNotice(frame: RawFrame): Result {
  const payload = payloadOf(frame);
  const checked = TabNotice.safeParse(payload.form === 'json' ? payload.value : bodyJson(frame));
  if (!checked.success) return { ok: false, error: zodDecodeError(checked.error.issues, 'tab notice: ') };
  return ok({ type: 'TabNotice', notice: checked.data });
}

function decodeRequest(frame: RawFrame, method: string, address: S3Address): Result {
  const { key, query } = address;
  if (method === 'GET' && !key) {
    if (query['list-type'] === undefined) return fail('a bucket GET must be ListObjectsV2 (list-type=2)', ['query', 'list-type']);
    const request = ListRequest.safeParse(query);
    if (!request.success) return { ok: false, error: zodDecodeError(request.error.issues, 'query.') };
    return ok({ type: 'ListObjectsV2', bucket: address.bucket, request: request.data });
  }
  if (!key) return fail(`${method} needs an object key`, ['key']);
  if (method === 'GET' || method === 'HEAD') return ok({ type: 'GetObject', key, method });
  if (method !== 'PUT') return fail(`unknown request ${method} (the S3 subset is PUT, GET, HEAD and ListObjectsV2)`, ['method']);
  const body = bodyText(frame);
  if (!body.ok) return body.result;
  return objectBody(
    key,
    body.text,
    (snapshot) => ({ type: 'PutSnapshot', key, snapshot }),
    (parts, update) => ({ type: 'PutUpdate', key, parts, update }),
  );
}

function decodeResponse(frame: RawFrame, method: string, address: S3Address): Result {
  const status = frame.meta?.status;
  if (status === undefined) return fail('a response needs meta.status', ['meta', 'status']);
  const { key } = address;
  const headers = frame.meta?.headers;
  if (status >= 400) {
    const body = bodyText(frame);
    if (!body.ok || !body.text.trim()) {
      return ok({
        type: 'S3Error',
        status,
        method,
        key,
        error: { Code: `HTTP${status}`, Message: frame.meta?.statusText ?? 'no error document' },
      });
    }
    const error = errorFromXml(body.text);
    if (!error.ok) return fail(`error response: ${error.error.reason}`, ['body', ...(error.error.path ?? [])], offsetOf(error.error));
    return ok({ type: 'S3Error', status, method, key, error: error.value });
  }
  if (method === 'PUT') return ok({ type: 'Stored', key, status, ...opt('etag', headerOf(headers, 'etag')) });
  if (method === 'HEAD' || status === 304) return ok({ type: 'ObjectHead', key, status, ...opt('etag', headerOf(headers, 'etag')) });
  if (method !== 'GET') return fail(`unknown response to ${method}`, ['method']);
  const body = bodyText(frame);
  if (!body.ok) return body.result;
  if (!key) {
    const list = listResultFromXml(body.text);
    if (!list.ok) return fail(list.error.reason, ['body', ...(list.error.path ?? [])], offsetOf(list.error));
    return ok({ type: 'ListBucketResult', result: list.value });
  }
  const cacheControl = headerOf(headers, 'cache-control');
  return objectBody(
    key,
    body.text,
    (snapshot) => ({ type: 'SnapshotObject', key, snapshot, ...opt('cacheControl', cacheControl) }),
    (parts, update) => ({ type: 'UpdateObject', key, parts, update, meta: promotedMetaFromHeaders(headers) }),
  );
}

/** An object body is a snapshot (under snapshots/) or an update (under an area, keyed timestamp-id). */
function objectBody(
  key: string,
  text: string,
  asSnapshot: (snapshot: Snapshot) => Message,
  asUpdate: (parts: NonNullable<ReturnType<typeof parseUpdateKey>>, update: Update) => Message,
): Result {
  const json = decodeJson(text);
  if (!json.ok) return fail(`body: ${json.error.reason}`, ['body'], { codec: 'json', ...opt('offset', json.error.offset) });
  if (parseSnapshotKey(key)) {
    const snapshot = Snapshot.safeParse(json.value);
    if (!snapshot.success) return { ok: false, error: zodDecodeError(snapshot.error.issues, 'snapshot.') };
    return ok(asSnapshot(snapshot.data));
  }
  const parts = parseUpdateKey(key);
  if (!parts) return fail(`key ${key} is neither appId/dataSet/area/timestamp-id nor a snapshot`, ['key']);
  const update = Update.safeParse(json.value);
  if (!update.success) return { ok: false, error: zodDecodeError(update.error.issues, 'update.') };
  if (update.data.id !== parts.id) return fail(`update id ${update.data.id} does not match its key's id ${parts.id}`, ['update', 'id']);
  return ok(asUpdate(parts, update.data));
}

function bodyText(frame: RawFrame): { ok: true; text: string } | { ok: false; result: Result } {
  const payload = payloadOf(frame);
  if (payload.form === 'text') return { ok: true, text: payload.text };
  if (payload.form === 'bytes') {
    const text = decodeUtf8(payload.bytes);
    if (!text.ok) return { ok: false, result: fail(`body: ${text.error.reason}`, ['body'], { codec: 'text' }) };
    return { ok: true, text: text.value };
  }
  if (payload.form === 'json') return { ok: true, text: JSON.stringify(payload.value) };
  return { ok: false, result: fail('the body is missing', ['body']) };
}

function bodyJson(frame: RawFrame): unknown {
  const text = bodyText(frame);
  if (!text.ok) return undefined;
  const json = decodeJson(text.text);
  return json.ok ? json.value : undefined;
}

function offsetOf(error: { offset?: number }): Partial<DecodeError> {
  return error.offset === undefined ? { codec: 'xml' } : { codec: 'xml', offset: error.offset };
}

function opt<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}
