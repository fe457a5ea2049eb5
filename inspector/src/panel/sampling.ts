/**
 * Models sampled across the whole session (for charts), cheaply: at checkpoint boundaries the store's state is
 * known without folding, so large sessions sample there; small ones are folded once, start to end.
 */
import { type CommonModel, Fold, initialFoldState } from '@syncscope/protocols/core';
import type { SessionStore } from '../store/index.ts';

export interface ModelSample {
  position: number;
  t: number;
  models: Record<string, CommonModel>;
}

export function sampleModels(store: SessionStore, count: number): ModelSample[] {
  const out: ModelSample[] = [];
  if (store.size === 0) return out;
  const every = store.checkpointEvery;
  const checkpoints = Math.floor(store.end / every) - Math.ceil(store.start / every);
  if (checkpoints >= count) {
    const stride = Math.ceil(checkpoints / count) * every;
    for (let boundary = Math.ceil(store.start / every) * every + every; boundary <= store.end; boundary += stride) {
      const position = boundary - 1;
      out.push({ position, t: store.frame(position)?.t ?? 0, models: store.modelsAt(position) });
    }
    return out;
  }
  // Fewer checkpoints than samples: one pass from the oldest retained state.
  const fold = new Fold(store.registry);
  let state = store.start === 0 ? initialFoldState() : store.stateAt(store.start - 1);
  const stride = Math.max(1, Math.ceil(store.size / count));
  for (let position = store.start; position < store.end; position++) {
    state = fold.step(state, store.frame(position) as NonNullable<ReturnType<SessionStore['frame']>>).state;
    if ((position - store.start) % stride === 0 || position === store.end - 1) {
      out.push({ position, t: store.frame(position)?.t ?? 0, models: fold.models(state) });
    }
  }
  return out;
}
