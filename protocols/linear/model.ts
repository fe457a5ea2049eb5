/** Linear state onto the common model: the object pool, one transaction queue and one journal per client. */
import { type CommonModel, dictionary, type Entity, type QueueItem } from '../core/index.ts';
import type { LinearState } from './reduce.ts';

export const SERVER_JOURNAL = 'server';
export const queueName = (client: string): string => `transactions/${client}`;
export const clientJournal = (client: string): string => `client/${client}`;
/** The queue and journal a browser client persisted to its IndexedDB database `db`. */
export const persistedName = (db: string): string => `persisted/${db}`;

export function toModel(state: LinearState): CommonModel {
  const entities: Record<string, Entity> = dictionary();
  for (const [key, entry] of state.pool) {
    entities[key] = {
      type: entry.modelName,
      value: entry.archived ? { ...entry.value, archived: true } : entry.value,
      lastFrame: entry.lastFrame,
      ...(entry.version !== undefined ? { version: entry.version } : {}),
      ...(entry.deleted ? { deleted: true } : {}),
    };
  }
  const queues: Record<string, QueueItem[]> = dictionary();
  for (const [client, pending] of Object.entries(state.queues)) {
    queues[queueName(client)] = Array.from(pending.values(), (tx) => ({
      id: tx.id,
      enqueuedAt: tx.enqueuedAt,
      attempts: tx.attempts,
      frame: tx.frame,
      label: tx.syncId === undefined ? tx.label : `${tx.label} (sync id ${tx.syncId})`,
    }));
  }
  const journals: CommonModel['journals'] = dictionary();
  for (const [client, cursor] of Object.entries(state.clients)) {
    journals[clientJournal(client)] = { side: 'client', cursor: cursor.cursor, peer: SERVER_JOURNAL, lastFrame: cursor.lastFrame };
  }
  for (const [db, persisted] of Object.entries(state.persisted)) {
    queues[persistedName(db)] = Array.from(persisted.queue.values(), (tx) => ({
      id: tx.id,
      enqueuedAt: tx.enqueuedAt,
      attempts: tx.attempts,
      frame: tx.frame,
      label: tx.syncId === undefined ? tx.label : `${tx.label} (sync id ${tx.syncId})`,
    }));
    if (persisted.lastSyncId)
      journals[persistedName(db)] = {
        side: 'client',
        cursor: persisted.lastSyncId.cursor,
        peer: SERVER_JOURNAL,
        lastFrame: persisted.lastSyncId.lastFrame,
      };
  }
  if (state.server) journals[SERVER_JOURNAL] = { side: 'server', cursor: state.server.cursor, lastFrame: state.server.lastFrame };
  return { entities, queues, journals, conflicts: state.conflicts.toArray(), phases: state.phases.toArray() };
}
