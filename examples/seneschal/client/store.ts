/**
 * A Redux-style store (getState / dispatch / subscribe / middleware) for the local copy. The seneschal middleware
 * turns each app action `{action: 'slice/method', payload: [id, {data}]}` into the note's envelope
 * `{timestamp, clientID, dispatch}`, gives it an id, and hands it on as a local event and to the sync layer.
 */
import { Action, type StoredDispatch } from '@syncscope/protocols/seneschal';
import { emptyState, type LocalEvent, type LocalState, reduceLocal } from './state.ts';

export type StoreInput = LocalEvent | Action;
export type Dispatch = (input: StoreInput) => void;
export interface MiddlewareApi {
  getState(): LocalState;
  dispatch: Dispatch;
}
export type Middleware = (api: MiddlewareApi) => (next: Dispatch) => Dispatch;

export interface Store extends MiddlewareApi {
  subscribe(listener: (state: LocalState) => void): () => void;
}

export function createStore(middlewares: readonly Middleware[] = [], initial: LocalState = emptyState()): Store {
  let state = initial;
  const listeners = new Set<(state: LocalState) => void>();
  const base: Dispatch = (input) => {
    if (!('type' in input)) throw new Error(`action ${input.action} reached the store unwrapped: add the seneschal middleware`);
    const next = reduceLocal(state, input);
    if (next === state) return;
    state = next;
    for (const listener of listeners) listener(state);
  };
  const api: MiddlewareApi = { getState: () => state, dispatch: (input) => dispatch(input) };
  let dispatch = base;
  for (const middleware of [...middlewares].reverse()) dispatch = middleware(api)(dispatch);
  return {
    getState: api.getState,
    dispatch: api.dispatch,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export interface EnvelopeOptions {
  clientID: string;
  now?: () => number;
  newId?: () => string;
  /** Called with every wrapped dispatch after it is in the local state (the sync layer sends it). */
  onDispatch?: (dispatch: StoredDispatch) => void;
}

/** The note's client middleware: wraps app actions as `{timestamp: Date.now(), clientID, dispatch}`. */
export function seneschalMiddleware(options: EnvelopeOptions): Middleware {
  const now = options.now ?? Date.now;
  const newId = options.newId ?? (() => crypto.randomUUID());
  // Timestamps only ever grow on one client (a collision is bumped by a millisecond): two edits of one property in
  // the same millisecond must still have an order, or per-property last-writer-wins could keep the first.
  let last = Number.NEGATIVE_INFINITY;
  return () => (next) => (input) => {
    if ('type' in input) return next(input);
    const action = Action.parse(input);
    const timestamp = Math.max(now(), last + 1);
    last = timestamp;
    const dispatch: StoredDispatch = { id: newId(), envelope: { timestamp, clientID: options.clientID, dispatch: action } };
    next({ type: 'local', dispatch });
    options.onDispatch?.(dispatch);
  };
}
