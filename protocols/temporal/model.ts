/**
 * Temporal state onto the common model: entities (plus one `subscription` entry per entity with its socket
 * subscribers and channel fan-out), queues (`patchDiff`, `requests`, `ack`, `upstream`), journals (the server's
 * timeline cursor per entity and each connection's view of it), conflicts and phases.
 */
import { type CommonModel, dictionary, type Entity, type Journal, type QueueItem } from '../core/model.ts';
import type { PendingRequest, TemporalState, WaitingItem } from './reduce.ts';

const queued = (item: PendingRequest): QueueItem => ({
  id: item.id,
  enqueuedAt: item.t,
  attempts: item.attempts,
  frame: item.frame,
  label: `${item.method} ${item.entityKey}${item.base ? ` on ${item.base}` : ''}`,
  ...(item.size !== undefined ? { size: item.size } : {}),
});

const waiting = (item: WaitingItem, label: string): QueueItem => ({
  id: item.id,
  enqueuedAt: item.t,
  attempts: 1,
  frame: item.frame,
  label: `${label} ${item.entityKey}`,
});

export function temporalModel(state: TemporalState): CommonModel {
  const entities: Record<string, Entity> = dictionary();
  const journals: Record<string, Journal> = dictionary();
  for (const [key, entity] of state.entities) {
    entities[key] = {
      type: entity.ref.type,
      value: entity.value,
      ...(entity.meta ? { version: entity.meta.validFrom } : {}),
      ...(entity.meta?.deleted ? { deleted: true } : {}),
      lastFrame: entity.lastFrame,
    };
    if (entity.subscribers.length > 0 || entity.channels.length > 0) {
      entities[`subscription:${key}`] = {
        type: 'subscription',
        value: { sockets: entity.subscribers, channels: entity.channels, fanOut: entity.fanOut },
        lastFrame: entity.lastFrame,
      };
    }
    if (entity.meta) journals[`server:${key}`] = { side: 'server', cursor: entity.meta.validFrom, lastFrame: entity.lastFrame };
  }
  for (const [viewKey, view] of state.views) {
    const [conn, key] = viewKey.split('|') as [string, string];
    journals[`client:${conn}:${key}`] = { side: 'client', cursor: view.cursor, peer: `server:${key}`, lastFrame: view.lastFrame };
  }
  const pending = Object.values(state.pending);
  return {
    entities,
    queues: {
      patchDiff: pending.filter((p) => p.method === 'patchDiff').map(queued),
      requests: pending.filter((p) => p.method !== 'patchDiff').map(queued),
      ack: Object.values(state.unacked).map((item) => waiting(item, 'unacked downstream')),
      upstream: Object.values(state.upstream).map((item) => waiting(item, 'store edit')),
    },
    journals,
    conflicts: state.conflicts.toArray(),
    phases: state.phases.toArray(),
  };
}
