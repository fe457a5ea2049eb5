/** The updatelog dissector: S3-style requests and responses of the update log, and the client's local store. */
import { defineDissector } from '@syncscope/protocols/core';
import { decode } from './decode.ts';
import { exactRules, match } from './detect.ts';
import { model } from './model.ts';
import { init, reduce, type UpdatelogState } from './reduce.ts';
import type { Message } from './schemas.ts';

export function summarize(message: Message): string {
  switch (message.type) {
    case 'PutUpdate':
      return `PUT update ${message.update.id} → ${message.parts.area} @${message.parts.timestamp}: ${actions(message.update)}`;
    case 'PutSnapshot':
      return `PUT snapshot up to ${message.snapshot.timestamp} (${message.snapshot.updateCount} updates)`;
    case 'Stored':
      return `stored ${message.key} (${message.status})`;
    case 'GetObject':
      return `${message.method} ${message.key}`;
    case 'UpdateObject': {
      const notes = [
        message.meta.restamped && `restamped: ${message.meta.restamped}`,
        message.meta.validation && `flagged: ${message.meta.validation}`,
      ].filter(Boolean);
      return `update ${message.update.id} @${message.parts.timestamp} in ${message.parts.area}: ${actions(message.update)}${notes.length ? ` [${notes.join('; ')}]` : ''}`;
    }
    case 'SnapshotObject':
      return `snapshot up to ${message.snapshot.timestamp}: ${message.snapshot.updateCount} updates, ${message.snapshot.flagged.length} flagged`;
    case 'ObjectHead':
      return `head ${message.key} (${message.status})`;
    case 'ListObjectsV2': {
      const { prefix } = message.request;
      const after = message.request['start-after'];
      return `list ${prefix}${after ? ` after ${after.slice(prefix.length)}` : ''}${message.request['continuation-token'] ? ' (continued)' : ''}`;
    }
    case 'ListBucketResult':
      return `${message.result.KeyCount} keys under ${message.result.Prefix}${message.result.IsTruncated ? ' (more)' : ''}`;
    case 'S3Error':
      return `${message.status} ${message.error.Code}: ${message.error.Message}`;
    case 'LocalPut':
      return `saved locally ${message.key}: ${actions(message.update)}`;
    case 'LocalDelete':
      return `removed from local queue ${message.key}`;
    case 'LocalClear':
      return 'local queue cleared';
    case 'LocalForeign':
      return `local record ${message.key} the client skips: ${message.reason}`;
    case 'LocalReplica': {
      const { lastKey, snapshotTimestamp, sharedIds } = message.replica;
      const from = snapshotTimestamp === null ? '' : `, from snapshot @${snapshotTimestamp}`;
      return `saved replica: ${sharedIds.length} shared update${sharedIds.length === 1 ? '' : 's'}, last key ${lastKey ?? 'none'}${from}`;
    }
    case 'LocalReplicaDropped':
      return 'local replica removed';
    case 'TabNotice':
      return `tab notice: ${message.notice.client} ${message.notice.op} ${message.notice.updateId}`;
  }
}

function actions(update: { actions: Array<{ type: string }> }): string {
  return update.actions.map((action) => action.type).join(', ');
}

export const updatelogDissector = defineDissector<Message, UpdatelogState>({
  id: 'updatelog',
  label: 'Update log (snapshot + updates in an object store)',
  exact: exactRules,
  match,
  decode,
  init,
  reduce: (state, event, frame) => reduce(state, event, frame),
  summarize: (message) => summarize(message),
  model,
});
