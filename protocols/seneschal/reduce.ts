/**
 * The dissector's state and its pure reducer. It replays what the traffic shows the way the note's server does:
 * every property keeps the value of the latest timestamp (per-property last-writer-wins), and every time one
 * dispatch overrides another's property, or loses to it, that is a conflict. Server dispatches are the master copy
 * speaking and are taken as they are. Nothing here mutates: each step returns new objects.
 */
import { Map as ImmutableMap, Set as ImmutableSet, OrderedMap } from 'immutable';
import { AppendLog, type Conflict, type DissectorEvent, dictionary, type Phase, type PhaseName, type RawFrame } from '../core/index.ts';
import type { Envelope, JournalEntry, SeneschalMessage, ServerDispatch, StoredDispatch, StoredWrite } from './schemas.ts';

/** The property that stands for deletion, so that a delete takes part in last-writer-wins like any other prop. */
export const DELETED_PROP = '$deleted';

export interface PropCell {
  value: unknown;
  ts: number;
  client: string;
  frame: number;
}

export interface ObjectState {
  slice: string;
  props: Readonly<Record<string, PropCell>>;
  lastFrame: number;
  /**
   * Keys of the client dispatches already replayed onto this object, so a retried or re-served dispatch is not
   * counted twice. Kept per object, in a persistent set: an object edited 10,000 times offline copied a list of
   * every earlier key per edit.
   */
  applied: ImmutableSet<string>;
}

export interface PendingDispatch {
  id: string;
  label: string;
  enqueuedAt: number;
  frame: number;
  attempts: number;
}

export interface AccessChange {
  client: string;
  oid: string;
  granted: boolean;
  frame: number;
}

export interface JournalCursor {
  side: 'client' | 'server';
  cursor: number;
  peer?: string;
  lastFrame: number;
}

export interface SeneschalState {
  /** The master copy as the traffic shows it, by object id: a persistent map, so a dispatch does not copy every object. */
  objects: ImmutableMap<string, ObjectState>;
  /** CUID (and user, once known) per connection, in a persistent map: a long session has many connections. */
  conns: ImmutableMap<string, { clientID?: string; userID?: string }>;
  /**
   * Per client: dispatches it sent (stored offline or live) that the server has not yet acknowledged, by id in the
   * order they joined. Persistent: 10,000 offline dispatches, each joining and leaving a queue, copied it per step.
   */
  clientQueues: Readonly<Record<string, Queue>>;
  /** Per client: dispatches the server delivered from its queue that the client has not yet confirmed. */
  serverQueues: Readonly<Record<string, Queue>>;
  journals: Readonly<Record<string, JournalCursor>>;
  access: Readonly<Record<string, AccessChange>>;
  conflicts: AppendLog<Conflict>;
  phases: AppendLog<Phase>;
}

export const init = (): SeneschalState => ({
  objects: ImmutableMap(),
  conns: ImmutableMap(),
  clientQueues: {},
  serverQueues: {},
  journals: {},
  access: {},
  conflicts: AppendLog.empty(),
  phases: AppendLog.empty(),
});

type Mode = 'live' | 'rehydrate' | 'server';

/** A queue of dispatches by id, oldest first. */
export type Queue = OrderedMap<string, PendingDispatch>;
const EMPTY_QUEUE: Queue = OrderedMap();

/** A bare envelope that arrives this long after it was stamped was made offline and is reconciled as such. */
export const OFFLINE_LAG_MS = 10_000;

/** What identifies a client dispatch when it has no id of its own: who, when, what. */
export function dispatchKey(envelope: Envelope): string {
  return `${envelope.clientID}@${envelope.timestamp}:${envelope.dispatch.action}:${envelope.dispatch.payload[0]}`;
}

/** Replays a client dispatch once: a second sight of the same dispatch (a retry, a re-served journal) changes nothing. */
function applyOnce(state: SeneschalState, key: string, envelope: Envelope, frame: RawFrame, mode: Mode): SeneschalState {
  const oid = envelope.dispatch.payload[0];
  if (state.objects.get(oid)?.applied.has(key)) return state;
  return { ...state, ...applyDispatch(state, envelope, frame, mode, undefined, key) };
}

const sameValue = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);
/** A timestamp as ISO text when it is a representable date, else as the number (a fuzzed 1e20 must not throw). */
export function iso(ts: number): string {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? String(ts) : date.toISOString();
}

export function methodOf(action: string): string {
  return action.slice(action.indexOf('/') + 1);
}

export function sliceOf(action: string): string {
  return action.slice(0, action.indexOf('/'));
}

/** The properties a dispatch sets; a delete sets only the deletion marker. */
export function propsOf(envelope: Envelope): Record<string, unknown> {
  const [, data] = envelope.dispatch.payload;
  return methodOf(envelope.dispatch.action) === 'delete' ? { [DELETED_PROP]: true } : data;
}

/** Applies one dispatch property by property; returns the new object and the conflicts it caused. */
export function applyDispatch(
  state: Pick<SeneschalState, 'objects' | 'conflicts'>,
  envelope: Envelope,
  frame: RawFrame,
  mode: Mode,
  times?: Readonly<Record<string, number>>,
  /** Recorded as replayed on the object (see ObjectState.applied). */
  appliedKey?: string,
): Pick<SeneschalState, 'objects' | 'conflicts'> {
  const [oid] = envelope.dispatch.payload;
  const current = state.objects.get(oid);
  // Property names come from the wire: a dictionary keeps "__proto__" as a property like any other.
  const props: Record<string, PropCell> = Object.assign(dictionary<PropCell>(), current?.props);
  const conflicts: Conflict[] = [];
  const client = envelope.clientID;
  for (const [prop, value] of Object.entries(propsOf(envelope))) {
    const ts = times?.[prop] ?? envelope.timestamp;
    const cell: PropCell = { value, ts, client, frame: frame.seq };
    const existing = props[prop];
    if (!existing || mode === 'server') {
      props[prop] = cell;
      continue;
    }
    if (sameValue(existing.value, value)) {
      if (ts > existing.ts) props[prop] = cell;
      continue;
    }
    const incomingWins = ts > existing.ts || (ts === existing.ts && client > existing.client);
    const contested = existing.client !== client && (!incomingWins || mode === 'rehydrate');
    if (contested) {
      conflicts.push({
        entity: oid,
        field: prop,
        local: value,
        remote: existing.value,
        winner: incomingWins ? 'local' : 'remote',
        rule: 'lww-property',
        detail: `${client} at ${iso(ts)}${mode === 'rehydrate' ? ' (offline)' : ''} vs ${existing.client} at ${iso(existing.ts)}`,
        frames: [existing.frame, frame.seq],
      });
    }
    if (incomingWins) props[prop] = cell;
  }
  const slice = sliceOf(envelope.dispatch.action) || current?.slice || 'object';
  return {
    objects: state.objects.set(oid, {
      slice,
      props,
      lastFrame: frame.seq,
      applied: appliedKey ? (current?.applied ?? ImmutableSet<string>()).add(appliedKey) : (current?.applied ?? ImmutableSet<string>()),
    }),
    conflicts: state.conflicts.append(...conflicts),
  };
}

/** Adds a dispatch to a queue, or counts another attempt of one already there (`attempts` = times sent). */
function enqueue(queue: Queue | undefined, item: PendingDispatch): Queue {
  const list = queue ?? EMPTY_QUEUE;
  const existing = list.get(item.id);
  // Another attempt keeps the dispatch's place in the queue.
  return list.set(item.id, existing ? { ...existing, attempts: existing.attempts + item.attempts } : item);
}

function dequeue(queue: Queue | undefined, ids: readonly string[]): Queue {
  const list = queue ?? EMPTY_QUEUE;
  return ids.length > 1
    ? list.withMutations((draft) => ids.reduce((d, id) => d.delete(id), draft))
    : ids.length
      ? list.delete(ids[0] as string)
      : list;
}

function label(envelope: Envelope): string {
  return `${envelope.dispatch.action} ${envelope.dispatch.payload[0]}`;
}

function pushPhase(state: SeneschalState, phase: PhaseName, frame: RawFrame): SeneschalState {
  return { ...state, phases: state.phases.append({ phase, conn: frame.conn, frame: frame.seq, t: frame.t }) };
}

function withJournal(
  state: SeneschalState,
  name: string,
  side: 'client' | 'server',
  ts: number,
  frame: RawFrame,
  peer?: string,
): SeneschalState {
  const previous = state.journals[name];
  const cursor = Math.max(previous?.cursor ?? ts, ts);
  return { ...state, journals: { ...state.journals, [name]: { side, cursor, lastFrame: frame.seq, ...(peer ? { peer } : {}) } } };
}

function clientOf(state: SeneschalState, conn: string): string {
  return state.conns.get(conn)?.clientID ?? `conn:${conn}`;
}

function withConn(state: SeneschalState, conn: string, fields: { clientID?: string; userID?: string }): SeneschalState {
  return { ...state, conns: state.conns.set(conn, { ...state.conns.get(conn), ...fields }) };
}

function sendDispatches(state: SeneschalState, items: readonly StoredDispatch[], frame: RawFrame, mode: Mode): SeneschalState {
  // The socket's CUID once it said hello; before that (or in a partial recording), the dispatches' own clientID.
  const cuid = state.conns.get(frame.conn)?.clientID ?? items[0]?.envelope.clientID ?? clientOf(state, frame.conn);
  // The note's server sorts a client's stored dispatches by timestamp before reducing them; so does the replay.
  const ordered = [...items].sort((a, b) => a.envelope.timestamp - b.envelope.timestamp);
  let next = state;
  let queue = state.clientQueues[cuid];
  for (const item of ordered) {
    queue = enqueue(queue, { id: item.id, label: label(item.envelope), enqueuedAt: frame.t, frame: frame.seq, attempts: 1 });
    next = applyOnce(next, item.id, item.envelope, frame, mode);
    next = withJournal(next, `client/${cuid}`, 'client', item.envelope.timestamp, frame, `server/${cuid}`);
  }
  return { ...next, clientQueues: { ...next.clientQueues, [cuid]: queue ?? EMPTY_QUEUE } };
}

function receiveDispatch(state: SeneschalState, message: ServerDispatch, frame: RawFrame): SeneschalState {
  const cuid = clientOf(state, frame.conn);
  const [oid] = message.envelope.dispatch.payload;
  const queued = enqueue(state.serverQueues[cuid], {
    id: message.id,
    label: `${message.reason}: ${label(message.envelope)}`,
    enqueuedAt: frame.t,
    frame: frame.seq,
    attempts: 1,
  });
  let next: SeneschalState = { ...state, serverQueues: { ...state.serverQueues, [cuid]: queued } };
  next = withJournal(next, `server/${cuid}`, 'server', message.envelope.timestamp, frame, `client/${cuid}`);
  if (message.reason === 'revoke' || message.reason === 'grant') {
    const key = `${cuid}/${oid}`;
    const granted = message.reason === 'grant';
    next = { ...next, access: { ...next.access, [key]: { client: cuid, oid, granted, frame: frame.seq } } };
    // A revoke deletes the object for that client only: the master copy is untouched.
    if (message.reason === 'revoke') return next;
  }
  return { ...next, ...applyDispatch(next, message.envelope, frame, 'server', message.times) };
}

function journalEntries(state: SeneschalState, entries: readonly JournalEntry[], frame: RawFrame): SeneschalState {
  let next = state;
  const side = frame.dir === 'out' ? 'client' : 'server';
  for (const entry of entries) {
    const action = entry.action.includes('/') ? entry.action : `${entry.slice}/${entry.action}`;
    const envelope: Envelope = { timestamp: entry.timestamp, clientID: entry.client, dispatch: { action, payload: entry.payload } };
    next = applyOnce(next, entry.actionID, envelope, frame, 'live');
    next = withJournal(next, `journal/${frame.conn}`, side, entry.timestamp, frame);
  }
  return next;
}

/**
 * The browser client's own database: a dispatch stored in `unsent` joins that client's queue before it is ever sent
 * (attempts 0: an offline edit waiting for rehydrate); its deletion there means the server acknowledged it. The
 * local copy (`objects`) is the client's view, not the master copy, so it does not change entities.
 */
function storedWrite(state: SeneschalState, write: StoredWrite, frame: RawFrame): SeneschalState {
  if (write.store !== 'unsent') return state;
  const db = frame.meta?.db ?? '';
  const cuid = write.op === 'put' ? write.dispatch.envelope.clientID : db.replace(/^seneschal-/, '') || clientOf(state, frame.conn);
  const queue =
    write.op === 'put'
      ? enqueue(state.clientQueues[cuid], {
          id: write.key,
          label: label(write.dispatch.envelope),
          enqueuedAt: frame.t,
          frame: frame.seq,
          attempts: 0,
        })
      : dequeue(state.clientQueues[cuid], [write.key]);
  return { ...state, clientQueues: { ...state.clientQueues, [cuid]: queue } };
}

export function reduce(state: SeneschalState, event: DissectorEvent<SeneschalMessage>, frame: RawFrame): SeneschalState {
  if (event.lifecycle) {
    if (frame.transport !== 'websocket') return state;
    if (event.type === 'open') return pushPhase(state, 'connecting', frame);
    if (event.type === 'close') return pushPhase(state, 'offline', frame);
    return state;
  }
  const decoded = event.message;
  switch (decoded.kind) {
    case 'login-request':
      return withConn(state, frame.conn, { clientID: decoded.message.clientID });
    case 'login-response':
      return withConn(state, frame.conn, { clientID: decoded.message.clientID, userID: decoded.message.userID });
    case 'http-error':
    case 'http-request':
    case 'register-request':
    case 'register-response':
    case 'group':
      return state;
    case 'envelope': {
      const envelope = decoded.message;
      const withClient = state.conns.get(frame.conn)?.clientID ? state : withConn(state, frame.conn, { clientID: envelope.clientID });
      if (frame.dir === 'in') return { ...withClient, ...applyDispatch(withClient, envelope, frame, 'server') };
      const mode: Mode = frame.t - envelope.timestamp > OFFLINE_LAG_MS ? 'rehydrate' : 'live';
      return applyOnce(withClient, dispatchKey(envelope), envelope, frame, mode);
    }
    case 'journal':
      return journalEntries(state, decoded.message, frame);
    case 'stored':
      return storedWrite(state, decoded.message, frame);
    case 'client': {
      const message = decoded.message;
      switch (message.type) {
        case 'hello':
          return withConn(state, frame.conn, { clientID: message.clientID });
        case 'rehydrate':
          return sendDispatches(state, message.dispatches, frame, 'rehydrate');
        case 'dispatch':
          return sendDispatches(state, [{ id: message.id, envelope: message.envelope }], frame, 'live');
        case 'received': {
          const cuid = clientOf(state, frame.conn);
          return { ...state, serverQueues: { ...state.serverQueues, [cuid]: dequeue(state.serverQueues[cuid], message.ids) } };
        }
        case 'share':
          return state;
      }
      return state;
    }
    case 'server': {
      const message = decoded.message;
      const cuid = clientOf(state, frame.conn);
      switch (message.type) {
        case 'welcome':
          return withConn(state, frame.conn, { clientID: message.clientID, userID: message.userID });
        case 'rehydrateBegin':
          return pushPhase(state, 'rehydrate', frame);
        case 'rehydrateEnd': {
          const done = [...message.accepted, ...(message.rejected ?? [])];
          const acked = { ...state, clientQueues: { ...state.clientQueues, [cuid]: dequeue(state.clientQueues[cuid], done) } };
          return pushPhase(acked, 'live', frame);
        }
        case 'ack':
          return { ...state, clientQueues: { ...state.clientQueues, [cuid]: dequeue(state.clientQueues[cuid], [message.id]) } };
        case 'dispatch':
          return receiveDispatch(state, message, frame);
        case 'error':
          return state;
      }
    }
  }
  return state;
}
