/**
 * Is this connection updatelog traffic? Exact: a ListObjectsV2 query, an object key shaped like an update
 * (`.../${timestamp}-${id}`) or a snapshot (`.../snapshots/${timestamp}.json`), or the client's local store.
 * Heuristic: a body that is an update `{id, actions: [...]}`, a snapshot, or a ListBucketResult document.
 */
import type { ConnInfo, ExactRules, RawFrame } from '@syncscope/protocols/core';
import { payloadOf } from '@syncscope/protocols/core';

export const LOCAL_DB_PREFIX = 'updatelog:';

export const exactRules: ExactRules = {
  urlPath: /(?:[?&]list-type=2(?:&|$))|(?:\/[^/?]+\/[^/?]+\/[^/?]+\/\d{10,16}-[^/?]+$)|(?:\/snapshots\/\d{1,16}\.json$)/,
  db: /^updatelog:/,
  channel: /^updatelog:/,
};

export function match(conn: ConnInfo, firstFrames: readonly RawFrame[]): number {
  if (conn.transport !== 'http') return 0;
  let best = 0;
  for (const frame of firstFrames) {
    const payload = payloadOf(frame);
    const text = payload.form === 'text' ? payload.text : payload.form === 'bytes' ? new TextDecoder().decode(payload.bytes) : undefined;
    if (text === undefined) continue;
    const head = text.trimStart().slice(0, 400);
    if (/^<\?xml[^>]*>\s*<ListBucketResult[\s>]/.test(head) || head.startsWith('<ListBucketResult')) best = Math.max(best, 0.8);
    else if (/^\{\s*"id"\s*:\s*"[^"]+"\s*,\s*"actions"\s*:\s*\[/.test(head)) best = Math.max(best, 0.75);
    else if (/^\{\s*"@type"\s*:\s*"Snapshot"/.test(head)) best = Math.max(best, 0.75);
  }
  return best;
}
