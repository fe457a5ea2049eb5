/**
 * One frame to a typed sqlsync message, or a typed error naming the field. Never throws: text frames are the
 * engine's JSON protocol, binary frames sqlsync 0.3's bincode replication, structured (postMessage) frames the
 * tab <-> worker API.
 */
import { type DecodeResult, decodeJson, payloadOf, type RawFrame, zodDecodeError } from '@syncscope/protocols/core';
import { decodeReplication, ReplicationDecodeError } from './codec.ts';
import { ENGINE_TYPES, EngineMessage, type SqlsyncMessage, WORKER_TAGS, WorkerRequest, WorkerResponse } from './schemas.ts';

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

export function decodeSqlsync(frame: RawFrame): DecodeResult<SqlsyncMessage> {
  const payload = payloadOf(frame);
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
