/** Snapshots: the app state as typed JSON plus the timestamp and key of the last update rolled into it. */
import { type Snapshot, Snapshot as SnapshotSchema } from '@syncscope/protocols/updatelog';
import type { AppModel } from './app-model.ts';

export function makeSnapshot<S>(
  app: AppModel<S>,
  state: S,
  last: { key: string; timestamp: number } | null,
  updateCount: number,
  now = new Date(),
): Snapshot {
  return SnapshotSchema.parse({
    '@type': 'Snapshot',
    timestamp: last?.timestamp ?? 0,
    lastKey: last?.key ?? null,
    updateCount,
    createdAt: now.toISOString(),
    state: app.types.toJson(state),
    flagged: app.flags(state),
  });
}

/** A checked snapshot's state, revived; a state of the wrong type is an error, not a silently empty app. */
export function stateOfSnapshot<S>(app: AppModel<S>, snapshot: Snapshot): S {
  const state = app.types.revive(snapshot.state, ['state']);
  if (!app.isState(state)) throw new Error(`snapshot state is not a ${app.name}`);
  return state;
}
