/**
 * sqlsync state to the common model: journals side by side (each client timeline and the server's view of it,
 * the server's storage and each client's view of it), the queues of unacknowledged entries, entities, conflicts
 * and phases.
 */
import { type CommonModel, dictionary, type Entity, type Journal, type QueueItem } from '@syncscope/protocols/core';
import { journalNames, type PendingEntry, type SqlsyncState } from './reduce.ts';

function queueItems(prefix: string, entries: Iterable<PendingEntry>): QueueItem[] {
  return Array.from(entries, (entry) => ({
    id: `${prefix}#${entry.lsn}`,
    enqueuedAt: entry.t,
    size: entry.size,
    attempts: entry.attempts,
    frame: entry.frame,
    label: entry.tag,
  }));
}

export function sqlsyncModel(state: SqlsyncState): CommonModel {
  const journals: Record<string, Journal> = dictionary();
  const queues: Record<string, QueueItem[]> = dictionary();
  for (const [timeline, view] of Object.entries(state.timelines)) {
    journals[journalNames.clientTimeline(timeline)] = {
      side: 'client',
      range: view.sent,
      peer: journalNames.serverTimeline(timeline),
      lastFrame: view.lastFrame,
    };
    if (view.serverFrame !== undefined) {
      journals[journalNames.serverTimeline(timeline)] = {
        side: 'server',
        range: view.serverRange,
        peer: journalNames.clientTimeline(timeline),
        lastFrame: view.serverFrame,
      };
    }
    queues[`timeline ${timeline}`] = queueItems(timeline, view.pending);
  }
  for (const [name, view] of Object.entries(state.journals)) {
    journals[name] = {
      side: view.side,
      range: view.range,
      ...(view.cursor !== undefined ? { cursor: view.cursor } : {}),
      ...(view.peer !== undefined ? { peer: view.peer } : {}),
      lastFrame: view.lastFrame,
    };
  }
  for (const [name, entries] of state.queues) queues[name] = queueItems(name.replace(/^\w+ /, ''), entries);
  const entities: Record<string, Entity> = dictionary();
  for (const [key, entity] of state.entities) entities[key] = entity;
  return { entities, queues, journals, conflicts: state.conflicts.toArray(), phases: state.phases.toArray() };
}
