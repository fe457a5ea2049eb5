/** Seneschal state onto the common model: objects, the two queues per client, journals, conflicts, phases. */
import { type CommonModel, dictionary, type Entity, type QueueItem } from '../core/index.ts';
import { DELETED_PROP, type Queue, type SeneschalState } from './reduce.ts';

function queueItems(pending: Queue): QueueItem[] {
  const items: QueueItem[] = [];
  for (const p of pending.values())
    items.push({ id: p.id, enqueuedAt: p.enqueuedAt, attempts: p.attempts, frame: p.frame, label: p.label });
  return items;
}

export function toModel(state: SeneschalState): CommonModel {
  const entities: Record<string, Entity> = dictionary();
  for (const [oid, object] of state.objects) {
    const value: Record<string, unknown> = dictionary();
    let version = 0;
    for (const [prop, cell] of Object.entries(object.props)) {
      version = Math.max(version, cell.ts);
      if (prop !== DELETED_PROP) value[prop] = cell.value;
    }
    const deleted = object.props[DELETED_PROP]?.value === true;
    entities[oid] = { type: object.slice, value, version, lastFrame: object.lastFrame, ...(deleted ? { deleted } : {}) };
  }
  // Access changes (grants, and revocations delivered as delete dispatches) as entities of their own.
  for (const [key, change] of Object.entries(state.access)) {
    entities[`access/${key}`] = {
      type: 'access',
      value: { client: change.client, oid: change.oid, granted: change.granted },
      lastFrame: change.frame,
      ...(change.granted ? {} : { deleted: true }),
    };
  }
  const queues: Record<string, QueueItem[]> = dictionary();
  for (const [cuid, pending] of Object.entries(state.clientQueues)) queues[`client/${cuid}`] = queueItems(pending);
  for (const [cuid, pending] of Object.entries(state.serverQueues)) queues[`server/${cuid}`] = queueItems(pending);
  const journals: CommonModel['journals'] = dictionary();
  for (const [name, journal] of Object.entries(state.journals)) {
    journals[name] = {
      side: journal.side,
      cursor: journal.cursor,
      lastFrame: journal.lastFrame,
      ...(journal.peer ? { peer: journal.peer } : {}),
    };
  }
  return { entities, queues, journals, conflicts: state.conflicts.toArray(), phases: state.phases.toArray() };
}
