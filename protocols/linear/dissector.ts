/** The linear dissector (design note 000): bootstrap / delta, transactions, the sync log, and the public formats. */
import { defineDissector } from '../core/index.ts';
import { frameDecodes } from './decode.ts';
import { exact, match } from './detect.ts';
import { toModel } from './model.ts';
import { init, type LinearState, reduce } from './reduce.ts';
import type { BootstrapLine, LinearMessage, LocalWrite, SyncAction } from './schemas.ts';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function describeAction(action: SyncAction): string {
  return `#${action.id} ${action.action} ${action.modelName}/${action.modelId}`;
}

function describeLines(lines: readonly BootstrapLine[], chunk: boolean): string {
  const models = lines.filter((l) => l.kind === 'model').length;
  const tombs = lines.filter((l) => l.kind === 'tombstone').length;
  const actions = lines.filter((l) => l.kind === 'action');
  const meta = lines.find((l) => l.kind === 'metadata');
  const parts = [plural(models, 'model')];
  if (tombs) parts.push(plural(tombs, 'tombstone'));
  if (actions.length) parts.push(plural(actions.length, 'sync action'));
  if (meta?.kind === 'metadata')
    parts.push(`lastSyncId ${meta.metadata.lastSyncId}${meta.metadata.method ? ` (${meta.metadata.method})` : ''}`);
  return `${chunk ? 'bootstrap chunk' : 'bootstrap'}: ${parts.join(', ')}`;
}

function describeLocalWrite(db: string, write: LocalWrite): string {
  const where = `${db} ${write.store}`;
  if (write.op === 'clear') return `stored: ${where} cleared`;
  if (write.op === 'delete') return `stored: ${where} delete ${typeof write.key === 'object' ? 'key range' : write.key}`;
  switch (write.store) {
    case 'models':
      return `stored: model ${write.key} at sync id ${write.record.syncId}`;
    case 'transactions': {
      const { tx, syncId } = write.record;
      const what = tx.type === 'create' ? `${tx.modelType}/${tx.model.id}` : `${tx.modelClass}/${tx.modelId}`;
      return `stored: queued transaction ${tx.id} (${tx.type} ${what})${syncId !== undefined ? `, accepted at sync id ${syncId}` : ''}`;
    }
    case 'meta':
      return `stored: lastSyncId ${write.lastSyncId}`;
  }
}

export function summarize(decoded: LinearMessage): string {
  switch (decoded.kind) {
    case 'login-request':
      return `login ${decoded.message.username}`;
    case 'login-response':
      return `logged in${decoded.message.username ? ` as ${decoded.message.username}` : ''}${decoded.message.team ? ` (team ${decoded.message.team})` : ''}`;
    case 'http-error':
      return `error ${decoded.message.error.code}: ${decoded.message.error.message}`;
    case 'http-ack':
      return `${decoded.message.status} (no body)`;
    case 'preflight':
      return `CORS preflight ${decoded.message.url}`;
    case 'bootstrap-request': {
      const m = decoded.message;
      return `${m.mode} bootstrap${m.since !== undefined ? ` since ${m.since}` : ''}${m.clientId ? ` for ${m.clientId}` : ''}`;
    }
    case 'bootstrap':
      return describeLines(decoded.message.lines, decoded.message.chunk);
    case 'change-request': {
      const txs = decoded.message.transactions;
      const first = txs[0];
      const what = first
        ? `${first.type} ${first.type === 'create' ? `${first.modelType}/${first.model.id}` : `${first.modelClass}/${first.modelId}`}`
        : '';
      return `change from ${decoded.message.clientId}: ${plural(txs.length, 'transaction')}${txs.length === 1 ? ` (${what})` : ''}`;
    }
    case 'change-response': {
      const accepted = decoded.message.results.filter((r) => r.ok).length;
      const rejected = decoded.message.results.filter((r) => !r.ok);
      const why = rejected.map((r) => (r.ok ? '' : `${r.code}${r.field ? ` ${r.field}` : ''}`)).join(', ');
      return `change result: ${accepted} accepted${rejected.length ? `, ${rejected.length} rejected (${why})` : ''}, lastSyncId ${decoded.message.lastSyncId}`;
    }
    case 'client-cmd': {
      const c = decoded.message;
      const bin = decoded.binary ? ' [msgpack]' : '';
      if (c.cmd === 'hshk')
        return `handshake${c.clientId ? ` from ${c.clientId}` : ''}${c.lastSyncId !== undefined ? ` at ${c.lastSyncId}` : ''}${bin}`;
      if (c.cmd === 'ping') return `ping ${c.id ?? ''}${bin}`.trim();
      return `presence${bin}`;
    }
    case 'server-cmd': {
      const c = decoded.message;
      const bin = decoded.binary ? ' [msgpack]' : '';
      switch (c.cmd) {
        case 'hshk':
          return `handshake ok, lastSyncId ${c.sync.lastSyncId}${bin}`;
        case 'sync':
          return `sync: ${c.sync.map(describeAction).join(', ') || 'nothing'}${bin}`;
        case 'eu':
          return `entity updates${bin}`;
        case 'pong':
          return `pong ${c.id ?? ''}${bin}`.trim();
        case 'noauth':
          return `not authenticated${bin}`;
        case 'refresh':
          return `refresh${c.resetDatabase ? ' (reset database)' : ''}${c.reloadClient ? ' (reload client)' : ''}${bin}`;
        case 'cacheSyncId':
          return `cache sync id ${c.syncId}${bin}`;
        case 'error':
          return `error ${c.code}: ${c.message}${bin}`;
      }
      return 'server command';
    }
    case 'pb-bootstrap':
      return `bootstrap: ${plural(decoded.message.Objects.length, 'object')}, ${plural(decoded.message.Tombstones?.length ?? 0, 'tombstone')}, LatestTS ${decoded.message.LatestTS}`;
    case 'pb-change': {
      const c = decoded.message;
      return `change #${c.oid} ${c.changeType} ${c.modelType}/${c.modelId}`;
    }
    case 'pb-socket-auth':
      return 'socket auth';
    case 'pb-socket-event':
      return `${decoded.message.type} ${decoded.message.jsonObject.__class}/${decoded.message.jsonObject.id} v${decoded.message.jsonObject.version}`;
    case 'local-write':
      return describeLocalWrite(decoded.db, decoded.message);
    case 'batch-request':
      return `batch load after ${decoded.message.firstSyncId}: ${plural(decoded.message.requests.length, 'request')}`;
  }
}

export const linearDissector = defineDissector<LinearMessage, LinearState>({
  id: 'linear',
  label: 'Linear-style sync (bootstrap, transactions, sync log)',
  exact,
  match,
  decode: (frame) => frameDecodes.take(frame),
  init,
  reduce: (state, event, frame) => reduce(state, event, frame),
  summarize: (message) => summarize(message),
  model: toModel,
});
