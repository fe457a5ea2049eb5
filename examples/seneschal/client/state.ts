/**
 * The client's local copy, kept as two parts so it can always be rebuilt: `confirmed` (what the server has
 * dispatched to us) and `unsent` (our own dispatches the server has not acknowledged). What the app shows is the
 * confirmed copy with the unsent dispatches replayed on top in timestamp order. Pure functions only.
 */
import {
  DELETED_PROP,
  type LocalObject,
  methodOf,
  type ServerDispatch,
  type StoredDispatch,
  sliceOf,
} from '@syncscope/protocols/seneschal';

export type { LocalObject };

export interface LocalState {
  confirmed: Record<string, LocalObject>;
  unsent: StoredDispatch[];
}

export type LocalEvent =
  | { type: 'local'; dispatch: StoredDispatch }
  | { type: 'server'; message: ServerDispatch }
  | { type: 'acknowledged'; ids: readonly string[] }
  | { type: 'rejected'; ids: readonly string[] }
  | { type: 'loaded'; state: LocalState };

export const emptyState = (): LocalState => ({ confirmed: {}, unsent: [] });

/**
 * Applies a dispatch property by property, keeping a property's newer value: the server's dispatches carry the
 * master copy's per-property timestamps (`times`), so an acknowledgement of our older edit that arrives after the
 * server's correction cannot undo it.
 */
function merge(
  objects: Record<string, LocalObject>,
  envelope: StoredDispatch['envelope'],
  times?: Readonly<Record<string, number>>,
  optimistic = false,
): Record<string, LocalObject> {
  const oid = envelope.dispatch.payload[0];
  return { ...objects, [oid]: mergeObject(objects[oid], envelope, times, optimistic) };
}

/** `merge` for one object: returns the object with the dispatch applied (a new object; `current` is not changed). */
function mergeObject(
  current: LocalObject | undefined,
  envelope: StoredDispatch['envelope'],
  times?: Readonly<Record<string, number>>,
  optimistic = false,
): LocalObject {
  const data = envelope.dispatch.payload[1];
  const changes = methodOf(envelope.dispatch.action) === 'delete' ? { [DELETED_PROP]: true } : data;
  const props = { ...current?.props };
  const stamps = { ...current?.times };
  for (const [prop, value] of Object.entries(changes)) {
    const time = times?.[prop] ?? envelope.timestamp;
    const held = stamps[prop];
    if (!optimistic && held !== undefined && time < held) continue;
    props[prop] = value;
    stamps[prop] = time;
  }
  return { slice: current?.slice ?? sliceOf(envelope.dispatch.action), props, times: stamps };
}

export function reduceLocal(state: LocalState, event: LocalEvent): LocalState {
  switch (event.type) {
    case 'loaded':
      return event.state;
    case 'local':
      if (state.unsent.some((d) => d.id === event.dispatch.id)) return state;
      return { ...state, unsent: [...state.unsent, event.dispatch] };
    case 'acknowledged': {
      // Acknowledged means durable on the server: our dispatch joins the confirmed copy (where it still wins).
      const done = new Set(event.ids);
      const acknowledged = state.unsent.filter((d) => done.has(d.id));
      if (!acknowledged.length) return state;
      // One copy of the confirmed copy for the whole batch (a rehydrate acknowledges thousands at once).
      const confirmed = { ...state.confirmed };
      for (const { envelope } of acknowledged) {
        const oid = envelope.dispatch.payload[0];
        // defineProperty, not `=`: an object id "__proto__" must stay an own key, as in an object literal.
        Object.defineProperty(confirmed, oid, {
          value: mergeObject(confirmed[oid], envelope),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return { confirmed, unsent: state.unsent.filter((d) => !done.has(d.id)) };
    }
    case 'rejected': {
      const gone = new Set(event.ids);
      return { ...state, unsent: state.unsent.filter((d) => !gone.has(d.id)) };
    }
    case 'server': {
      const { message } = event;
      const oid = message.envelope.dispatch.payload[0];
      if (message.reason === 'revoke') {
        // Access taken away: the object leaves this device, with our unsent changes to it.
        const { [oid]: _gone, ...rest } = state.confirmed;
        return { confirmed: rest, unsent: state.unsent.filter((d) => d.envelope.dispatch.payload[0] !== oid) };
      }
      return { ...state, confirmed: merge(state.confirmed, message.envelope, message.times) };
    }
  }
}

/** What the app shows: confirmed objects with our unsent dispatches on top; deleted objects left out. */
export function view(state: LocalState): Record<string, LocalObject> {
  let objects = state.confirmed;
  const pending = [...state.unsent].sort((a, b) => a.envelope.timestamp - b.envelope.timestamp);
  for (const dispatch of pending) objects = merge(objects, dispatch.envelope, undefined, true);
  const visible: Record<string, LocalObject> = {};
  // Our own unsent edits show at once (optimistic), whatever their timestamps; the server's answer settles them.
  for (const [oid, object] of Object.entries(objects)) {
    if (object.props[DELETED_PROP] === true) continue;
    const { [DELETED_PROP]: _marker, ...props } = object.props;
    visible[oid] = { slice: object.slice, props };
  }
  return visible;
}
