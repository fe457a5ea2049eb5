/**
 * Which connections speak sqlsync. Exact: the reference engine's WebSocket path `/sqlsync`, sqlsync 0.3's
 * coordinator path `/doc/{base58 id}`, and worker channels named `sqlsync…`. Heuristic: JSON objects whose `type`
 * is one of the engine's, binary messages that start like a ReplicationMsg, worker messages tagged like sqlsync's.
 */
import { type ConnInfo, type ExactRules, payloadOf, type RawFrame } from '@syncscope/protocols/core';
import { ENGINE_TYPES, EngineMessage, SQLSYNC_DB, WORKER_TAGS } from './schemas.ts';

export const exactRules: ExactRules = {
  urlPath: /^(\/sqlsync(\/|\?|$)|\/doc\/[1-9A-HJ-NP-Za-km-z]{16,50}(\?|$))/,
  channel: /^sqlsync/,
  /** The browser client's IndexedDB fallback for its saved journals. */
  db: SQLSYNC_DB,
};

const engineTypes: ReadonlySet<string> = new Set(ENGINE_TYPES);
const workerTags: ReadonlySet<string> = new Set(WORKER_TAGS);

/** A `"type":"<engine message type>"` anywhere in a text: without one, parsing the text cannot make it ours. */
const ENGINE_TYPE_FIELD = new RegExp(
  `"type"\\s*:\\s*"(?:${ENGINE_TYPES.map((type) => type.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})"`,
);

function frameScore(frame: RawFrame): number {
  const payload = payloadOf(frame);
  if (payload.form === 'text') {
    // Every new connection is scored by every protocol: other protocols' bodies (whole bootstraps) are not parsed.
    if (!payload.text.startsWith('{') || !ENGINE_TYPE_FIELD.test(payload.text)) return 0;
    try {
      const value = JSON.parse(payload.text) as { type?: unknown };
      if (typeof value.type !== 'string' || !engineTypes.has(value.type)) return 0;
      // A message that validates is strong evidence, except `error`, which many protocols send in some shape.
      const valid = EngineMessage.safeParse(value).success;
      if (!valid) return 0.3;
      return value.type === 'error' ? 0.4 : 0.9;
    } catch {
      return 0;
    }
  }
  if (payload.form === 'bytes') {
    // A u32 LE variant tag 0..2 then, for RangeRequest / Frame, a u64 JournalId length of 16 or 32.
    const b = payload.bytes;
    if (b.length < 12 || b[1] !== 0 || b[2] !== 0 || b[3] !== 0) return 0;
    const tag = b[0] as number;
    if (tag === 1) return b.length === 16 || b.length === 24 ? 0.5 : 0;
    if (tag !== 0 && tag !== 2) return 0;
    const idLength = b[4];
    return (idLength === 16 || idLength === 32) && b.subarray(5, 12).every((x) => x === 0) ? 0.7 : 0;
  }
  if (payload.form === 'json') {
    const value = payload.value as { tag?: unknown } | null;
    return value && typeof value === 'object' && typeof value.tag === 'string' && workerTags.has(value.tag) ? 0.6 : 0;
  }
  return 0;
}

/** The best score of the first frames; never throws. */
export function matchSqlsync(_conn: ConnInfo, firstFrames: readonly RawFrame[]): number {
  let best = 0;
  for (const frame of firstFrames) best = Math.max(best, frameScore(frame));
  return best;
}
