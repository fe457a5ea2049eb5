/** The updatelog state on the common model: journals per client and per store area, queues, conflicts, phases. */
import { type CommonModel, dictionary, type Entity, type Journal } from '@syncscope/protocols/core';
import { SHARED_AREA, SNAPSHOT_AREA } from './keys.ts';
import type { UpdatelogState } from './reduce.ts';

export function model(state: UpdatelogState): CommonModel {
  const journals: Record<string, Journal> = dictionary();
  for (const [area, view] of Object.entries(state.areas)) {
    journals[`server:${area}`] = { side: 'server', cursor: view.latestTs, lastFrame: view.lastFrame };
  }
  for (const [client, view] of Object.entries(state.clients)) {
    if (view.latestTs !== undefined) {
      journals[`client:${client}`] = {
        side: 'client',
        cursor: view.latestTs,
        peer: `server:${view.readArea ?? SHARED_AREA}`,
        lastFrame: view.lastFrame,
      };
    }
    if (view.replica) {
      journals[`client:${client}/replica`] = {
        side: 'client',
        cursor: view.replica.cursor,
        peer: `server:${view.replica.area}`,
        lastFrame: view.replica.lastFrame,
      };
    }
    if (view.snapshotTs !== undefined) {
      journals[`client:${client}/snapshot`] = {
        side: 'client',
        cursor: view.snapshotTs,
        peer: `server:${SNAPSHOT_AREA}`,
        lastFrame: view.lastFrame,
      };
    }
  }
  const queues: CommonModel['queues'] = dictionary();
  for (const [client, items] of Object.entries(state.queues)) {
    // In the order they were first saved: the ordered map keeps it (a resave keeps its place).
    queues[`client:${client}`] = [...items.values()];
  }
  const entities: Record<string, Entity> = dictionary();
  for (const [key, entity] of state.entities) entities[key] = entity;
  return { entities, queues, journals, conflicts: state.conflicts.toArray(), phases: state.phases.toArray() };
}
