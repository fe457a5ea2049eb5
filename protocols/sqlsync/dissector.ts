/** The sqlsync dissector: the engine's JSON protocol, sqlsync 0.3's bincode replication and its worker API. */
import { defineDissector } from '@syncscope/protocols/core';
import { decodeSqlsync } from './decode.ts';
import { exactRules, matchSqlsync } from './detect.ts';
import { sqlsyncModel } from './model.ts';
import { initSqlsync, reduceSqlsync, type SqlsyncState } from './reduce.ts';
import type { LsnRange, PublicLsnRange, SqlsyncMessage } from './schemas.ts';

const range = (r: LsnRange | null): string => (r ? `${r.first}..${r.last}` : 'none');
const publicRange = (r: PublicLsnRange): string =>
  'Empty' in r ? `empty (next ${r.Empty.nextlsn})` : `${r.NonEmpty.first}..${r.NonEmpty.last}`;

const savedRange = (journal: { first: number; entries: readonly unknown[] }): string =>
  journal.entries.length ? `${journal.first}..${journal.first + journal.entries.length - 1}` : `empty (next ${journal.first})`;

export function summarizeSqlsync(message: SqlsyncMessage): string {
  if (message.family === 'engine') {
    const msg = message.msg;
    switch (msg.type) {
      case 'open':
        return `open ${msg.docs.map((d) => `${d.doc} (storage ${range(d.storageRange)}, timeline ${d.timeline})`).join(', ')}`;
      case 'timeline-sync':
        return `timeline sync ${msg.partial.id} ${range(msg.partial.range)}: ${msg.partial.entries.map((m) => m.tag).join(', ')}`;
      case 'timeline-range':
        return `server has timeline ${msg.timeline} ${range(msg.range)}`;
      case 'storage-sync': {
        const rejected = msg.partial.entries.filter((e) => e.rejected !== undefined).length;
        return `storage sync ${msg.doc} ${range(msg.partial.range)} (${msg.partial.entries.length} entries${rejected ? `, ${rejected} rejected` : ''})`;
      }
      case 'storage-range':
        return `client has storage ${msg.doc} ${range(msg.range)}`;
      case 'error':
        return `error ${msg.code}: ${msg.message}`;
    }
  }
  if (message.family === 'local') {
    const msg = message.msg;
    if (msg.op === 'clear') return `stored: ${msg.db} ${msg.store} cleared`;
    if (msg.op === 'delete') return `stored: ${msg.db} ${msg.store} delete ${typeof msg.key === 'object' ? 'key range' : msg.key}`;
    const { timeline, storage } = msg.snapshot;
    return `stored: ${msg.key} snapshot, timeline ${timeline.id} ${savedRange(timeline)}, storage ${savedRange(storage)}`;
  }
  if (message.family === 'replication') {
    const msg = message.msg;
    if ('RangeRequest' in msg) return `RangeRequest ${msg.RangeRequest.id} (source ${publicRange(msg.RangeRequest.source_range)})`;
    if ('Range' in msg) return `Range ${publicRange(msg.Range.range)}`;
    const { id, lsn, len, payload } = msg.Frame;
    const what =
      payload.kind === 'mutation'
        ? `mutation ${JSON.stringify(payload.mutation).slice(0, 80)}`
        : payload.kind === 'opaque'
          ? `bytes ${payload.hex}`
          : `${payload.pages.length} page(s)`;
    return `Frame ${id} lsn ${lsn} (${len} bytes): ${what}`;
  }
  const msg = message.msg;
  switch (msg.tag) {
    case 'Boot':
      return `Boot #${msg.handlerId}${msg.coordinatorUrl ? ` ${msg.coordinatorUrl}` : ''}`;
    case 'Close':
      return `Close #${msg.handlerId}`;
    case 'Doc':
      return `Doc ${msg.docId} #${msg.handlerId} ${msg.req.tag}`;
    case 'Reply':
      return `Reply #${msg.handlerId} ${msg.reply.tag}${msg.reply.tag === 'Err' ? `: ${msg.reply.err}` : ''}`;
    case 'Event':
      switch (msg.evt.tag) {
        case 'ConnectionStatus':
          return `Event ${msg.docId} ConnectionStatus ${msg.evt.status}`;
        case 'SubscriptionChanged':
          return `Event ${msg.docId} SubscriptionChanged ${msg.evt.key}: ${msg.evt.rows.length} row(s)`;
        case 'SubscriptionErr':
          return `Event ${msg.docId} SubscriptionErr ${msg.evt.key}: ${msg.evt.err}`;
      }
  }
}

export const sqlsyncDissector = defineDissector<SqlsyncMessage, SqlsyncState>({
  id: 'sqlsync',
  label: 'sqlsync (journals, timeline and storage sync)',
  exact: exactRules,
  match: matchSqlsync,
  decode: (frame) => decodeSqlsync(frame),
  init: initSqlsync,
  reduce: (state, event, frame) => reduceSqlsync(state, event, frame),
  summarize: (message) => summarizeSqlsync(message),
  model: sqlsyncModel,
});
