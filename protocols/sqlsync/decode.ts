/**
 * One frame to a typed sqlsync message, or a typed error naming the field. Never throws: text frames are the
 * engine's JSON protocol, binary frames sqlsync 0.3's bincode replication, structured (postMessage) frames the
 * tab <-> worker API.
 */
import { type DecodeResult, decodeJson, payloadOf, type RawFrame, zodDecodeError } from '@syncscope/protocols/core';
import { z } from 'zod';
import { decodeReplication, ReplicationDecodeError } from './codec.ts';
import {
  DocumentSnapshot,
  ENGINE_TYPES,
  EngineMessage,
  IdbKey,
  JournalIdText,
  SNAPSHOT_STORE,
  type SqlsyncMessage,
  WORKER_TAGS,
  WorkerRequest,
  WorkerResponse,
} from './schemas.ts';

const engineTypes: ReadonlySet<string> = new Set(ENGINE_TYPES);
const workerTags: ReadonlySet<string> = new Set(WORKER_TAGS);

export function decodeEngineValue(value: unknown): DecodeResult<SqlsyncMessage> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: { reason: 'a sqlsync message is a JSON object', path: [] } };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, error: { reason: 'type: missing or not a string', path: ['type'] } };
  if (!engineTypes.has(type)) {
    return { ok: false, error: { reason: `type: unknown message type "${type}" (known: ${ENGINE_TYPES.join(', ')})`, path: ['type'] } };
  }
  const parsed = EngineMessage.safeParse(value);
  if (!parsed.success) return { ok: false, error: zodDecodeError(parsed.error.issues, `${type}: `) };
  return { ok: true, type: parsed.data.type, message: { family: 'engine', msg: parsed.data } };
}

function decodeWorkerValue(value: unknown): DecodeResult<SqlsyncMessage> {
  const tag = value && typeof value === 'object' ? (value as { tag?: unknown }).tag : undefined;
  if (typeof tag !== 'string') return { ok: false, error: { reason: 'tag: a worker message needs a string tag', path: ['tag'] } };
  if (!workerTags.has(tag)) {
    return { ok: false, error: { reason: `tag: unknown worker message "${tag}" (known: ${WORKER_TAGS.join(', ')})`, path: ['tag'] } };
  }
  // Parse against the one family the tag names, so the error path points into that message.
  const schema = tag === 'Reply' || tag === 'Event' ? WorkerResponse : WorkerRequest;
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, error: zodDecodeError(parsed.error.issues, `${tag}: `) };
  const type =
    parsed.data.tag === 'Doc'
      ? `Doc.${parsed.data.req.tag}`
      : parsed.data.tag === 'Event'
        ? `Event.${parsed.data.evt.tag}`
        : parsed.data.tag;
  return { ok: true, type, message: { family: 'worker', msg: parsed.data } };
}

const SnapshotPut = z.object({ op: z.enum(['put', 'add']), key: JournalIdText, value: DocumentSnapshot });
const Delete = z.object({ op: z.literal('delete'), key: IdbKey });

/** An IndexedDB write of the browser client's snapshot store: the saved journals of one document. */
export function decodeLocalWrite(frame: RawFrame, value: unknown): DecodeResult<SqlsyncMessage> {
  const db = frame.meta?.db ?? frame.conn.replace(/^idb:/, '');
  if (frame.meta?.store !== SNAPSHOT_STORE) {
    return {
      ok: false,
      error: {
        reason: `local write: unknown object store ${JSON.stringify(frame.meta?.store)} (expected "${SNAPSHOT_STORE}")`,
        path: ['store'],
      },
    };
  }
  const op = value && typeof value === 'object' ? (value as { op?: unknown }).op : undefined;
  const local = (type: string, msg: Extract<SqlsyncMessage, { family: 'local' }>['msg']): DecodeResult<SqlsyncMessage> => ({
    ok: true,
    type,
    message: { family: 'local', msg },
  });
  if (op === 'clear') return local('local-clear', { db, store: SNAPSHOT_STORE, op });
  if (op === 'delete') {
    const parsed = Delete.safeParse(value);
    if (!parsed.success) return { ok: false, error: zodDecodeError(parsed.error.issues, 'local write: ') };
    return local('local-delete', { db, store: SNAPSHOT_STORE, op, key: parsed.data.key });
  }
  if (op !== 'put' && op !== 'add') {
    return {
      ok: false,
      error: { reason: `local write: op: unknown ${JSON.stringify(op)} (expected put, add, delete or clear)`, path: ['op'] },
    };
  }
  const parsed = SnapshotPut.safeParse(value);
  if (!parsed.success) return { ok: false, error: zodDecodeError(parsed.error.issues, 'local write: ') };
  const { key, value: snapshot } = parsed.data;
  if (key !== snapshot.doc) {
    return { ok: false, error: { reason: `local write: key: "${key}" is not the snapshot's doc "${snapshot.doc}"`, path: ['key'] } };
  }
  return local('local-snapshot', { db, store: SNAPSHOT_STORE, op: parsed.data.op, key, snapshot });
}

export function decodeSqlsync(frame: RawFrame): DecodeResult<SqlsyncMessage> {
  const payload = payloadOf(frame);
  if (frame.transport === 'idb') {
    if (payload.form !== 'json') return { ok: false, error: { reason: `local write: expected a json payload, got ${payload.form}` } };
    return decodeLocalWrite(frame, payload.value);
  }
  switch (payload.form) {
    case 'text': {
      const json = decodeJson(payload.text);
      if (!json.ok) return { ok: false, error: { reason: json.error.reason, codec: 'json', offset: json.error.offset } };
      if (frame.transport === 'worker' || frame.transport === 'broadcast') return decodeWorkerValue(json.value);
      return decodeEngineValue(json.value);
    }
    case 'bytes': {
      if (payload.bytes.length === 0) return { ok: false, error: { reason: 'empty binary message', codec: 'bincode', offset: 0 } };
      try {
        const msg = decodeReplication(payload.bytes, frame.dir);
        return { ok: true, type: Object.keys(msg)[0] as string, message: { family: 'replication', msg } };
      } catch (thrown) {
        if (thrown instanceof ReplicationDecodeError) {
          return { ok: false, error: { reason: thrown.message, path: thrown.field.split('.'), codec: 'bincode', offset: thrown.offset } };
        }
        return { ok: false, error: { reason: String(thrown), codec: 'bincode' } };
      }
    }
    case 'json':
      return decodeWorkerValue(payload.value);
    default:
      return { ok: false, error: { reason: `a ${frame.kind} frame without a payload` } };
  }
}
