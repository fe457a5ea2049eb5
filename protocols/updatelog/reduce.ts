/**
 * The protocol state the dissector keeps, and its pure reducer. What it tracks, per the design note:
 *  - per client: the snapshot it loaded, the newest update timestamp it has seen, its phase (loading the
 *    snapshot = bootstrap, reading updates after it = catching-up, an empty poll = polling, failed = offline),
 *    and its queue of local updates not yet stored;
 *  - per area of the store: the newest key timestamp listed (the server's side of the log);
 *  - the model rebuilt from the newest snapshot plus the updates read after it;
 *  - conflicts: timestamp collisions (bumped by the promoter, or two keys in one millisecond), updates applied
 *    out of order, and updates flagged for breaking a validation rule.
 * Every function returns new objects; old states stay valid as checkpoints.
 */

import {
  AppendLog,
  type Conflict,
  type DissectorEvent,
  type Entity,
  type Phase,
  type PhaseName,
  type QueueItem,
  type RawFrame,
} from '@syncscope/protocols/core';
import { Map as ImmutableMap, OrderedMap } from 'immutable';
import { areaOf, parseUpdateKey, SHARED_AREA, SNAPSHOT_AREA } from './keys.ts';
import type { Flag, Message, Replica, Snapshot, Update } from './schemas.ts';

export interface ClientView {
  snapshotTs?: number;
  /** Newest update timestamp this client has read (from a snapshot or an update object). */
  latestTs?: number;
  /** The store area this client reads updates from (the shared area, or lsd-storage's read area). */
  readArea?: string;
  /** Update ids this client has read: reading one again (a full re-list) is not reading it out of order. */
  read?: Readonly<Record<string, true>>;
  phase?: PhaseName;
  /** What the client last saved of its replica of the shared log (browser IndexedDB). */
  replica?: SavedReplica;
  lastFrame: number;
}

/** The client's saved replica, as a cursor into the area it reads: where a reload resumes. */
export interface SavedReplica {
  /** Timestamp of the last update key read, or of the snapshot when no update was read after it. */
  cursor: number | null;
  area: string;
  snapshotTs: number | null;
  sharedIds: number;
  lastFrame: number;
}

export interface AreaView {
  latestTs: number;
  lastFrame: number;
}

type ClientQueue = OrderedMap<string, QueueItem>;
const EMPTY_QUEUE: ClientQueue = OrderedMap();

export interface UpdatelogState {
  readonly clients: Readonly<Record<string, ClientView>>;
  /**
   * Per client, its local updates not yet stored, by update id in the order they were saved. Persistent: a client
   * that saved 10,000 updates offline copied its whole queue per save and per stored PUT.
   */
  readonly queues: Readonly<Record<string, ClientQueue>>;
  readonly areas: Readonly<Record<string, AreaView>>;
  /** A persistent map, as `applied` below: every update read changes a few entities of many. */
  readonly entities: ImmutableMap<string, Entity>;
  /** Timestamp of the newest snapshot the entities were rebuilt from (updates at or before it are in it). */
  readonly entitiesBase: number;
  /**
   * Updates applied on top of `entitiesBase`, by id: applied once however many clients read them, and replayed
   * over a newer snapshot when one arrives (a snapshot older than them must not undo them).
   */
  readonly applied: ImmutableMap<string, { timestamp: number; update: Update; seq: number }>;
  /**
   * area/timestamp -> update id of the listed key, to spot two keys in one millisecond. Persistent maps, as is
   * `applied`: every listed key and every update read adds one, and copying a plain record per key made a
   * 16,000-key listing take 52 s to fold.
   */
  readonly listedTimestamps: ImmutableMap<string, string>;
  readonly conflicts: AppendLog<Conflict>;
  readonly conflictKeys: Readonly<Record<string, true>>;
  readonly phases: AppendLog<Phase>;
}

export const init = (): UpdatelogState => ({
  clients: {},
  queues: {},
  areas: {},
  entities: ImmutableMap(),
  entitiesBase: -1,
  applied: ImmutableMap(),
  listedTimestamps: ImmutableMap(),
  conflicts: AppendLog.empty(),
  conflictKeys: {},
  phases: AppendLog.empty(),
});

/** Which client a frame belongs to: the engine's observer stamps meta.client; other traffic is one client. */
export function clientOf(frame: RawFrame): string {
  const client = frame.meta?.client;
  return typeof client === 'string' && client ? client : 'client';
}

export function reduce(state: UpdatelogState, event: DissectorEvent<Message>, frame: RawFrame): UpdatelogState {
  const client = clientOf(frame);
  if (event.lifecycle) {
    return event.type === 'error' && frame.transport === 'http' ? setPhase(state, client, 'offline', frame) : state;
  }
  const message = event.message;
  switch (message.type) {
    case 'LocalPut':
      return enqueue(state, client, message.update, frame, 0);
    case 'LocalDelete':
      return dequeue(state, client, message.key);
    case 'LocalForeign':
      // Whatever was pending under that key is overwritten by a record the client will not load.
      return dequeue(state, client, message.key);
    case 'LocalClear':
      return state.queues[client] ? { ...state, queues: { ...state.queues, [client]: EMPTY_QUEUE } } : state;
    case 'LocalReplica':
      return saveReplica(state, client, message.replica, frame);
    case 'LocalReplicaDropped': {
      const view = state.clients[client];
      if (!view?.replica) return state;
      const { replica: _dropped, ...rest } = view;
      return { ...state, clients: { ...state.clients, [client]: rest } };
    }
    case 'PutUpdate':
      return enqueue(state, client, message.update, frame, 1);
    case 'Stored': {
      const parts = parseUpdateKey(message.key);
      if (!parts) return state;
      return advanceArea(dequeue(state, client, parts.id), parts.area, parts.timestamp, frame);
    }
    case 'PutSnapshot':
      return advanceArea(state, SNAPSHOT_AREA, message.snapshot.timestamp, frame);
    case 'GetObject':
      return areaOf(message.key) === SNAPSHOT_AREA ? setPhase(state, client, 'bootstrap', frame) : state;
    case 'ListObjectsV2': {
      const area = areaOf(message.request.prefix);
      if (area === SNAPSHOT_AREA) return setPhase(state, client, 'bootstrap', frame);
      const phase = state.clients[client]?.phase;
      return phase === 'catching-up' || phase === 'polling' ? state : setPhase(state, client, 'catching-up', frame);
    }
    case 'ListBucketResult':
      return onList(state, client, message.result, frame);
    case 'SnapshotObject':
      return onSnapshot(state, client, message.snapshot, frame);
    case 'UpdateObject':
      return onUpdate(state, client, message, frame);
    case 'ObjectHead':
    case 'S3Error':
    case 'TabNotice':
      return state;
  }
}

/**
 * The client saved its replica: a client-side cursor of its own (where a reload resumes reading), kept apart from
 * the cursor the traffic shows, so a replica saved late or restored never moves what the wire proved was read.
 */
function saveReplica(state: UpdatelogState, client: string, replica: Replica, frame: RawFrame): UpdatelogState {
  const view = state.clients[client] ?? { lastFrame: frame.seq };
  const parts = replica.lastKey ? parseUpdateKey(replica.lastKey) : undefined;
  const saved: SavedReplica = {
    cursor: parts?.timestamp ?? replica.snapshotTimestamp,
    area: parts?.area ?? view.readArea ?? SHARED_AREA,
    snapshotTs: replica.snapshotTimestamp,
    sharedIds: replica.sharedIds.length,
    lastFrame: frame.seq,
  };
  return { ...state, clients: { ...state.clients, [client]: { ...view, replica: saved } } };
}

function enqueue(state: UpdatelogState, client: string, update: Update, frame: RawFrame, attempt: number): UpdatelogState {
  const queue = state.queues[client] ?? EMPTY_QUEUE;
  const existing = queue.get(update.id);
  const item: QueueItem = existing
    ? { ...existing, attempts: existing.attempts + attempt }
    : { id: update.id, enqueuedAt: frame.t, attempts: attempt, frame: frame.seq, label: update.actions.map((a) => a.type).join(', ') };
  return { ...state, queues: { ...state.queues, [client]: queue.set(update.id, item) } };
}

function dequeue(state: UpdatelogState, client: string, updateId: string): UpdatelogState {
  const queue = state.queues[client];
  if (!queue?.has(updateId)) return state;
  return { ...state, queues: { ...state.queues, [client]: queue.delete(updateId) } };
}

function advanceArea(state: UpdatelogState, area: string, timestamp: number, frame: RawFrame): UpdatelogState {
  const current = state.areas[area];
  if (current && current.latestTs >= timestamp) return state;
  return { ...state, areas: { ...state.areas, [area]: { latestTs: timestamp, lastFrame: frame.seq } } };
}

function setPhase(state: UpdatelogState, client: string, phase: PhaseName, frame: RawFrame): UpdatelogState {
  const view = state.clients[client] ?? { lastFrame: frame.seq };
  if (view.phase === phase) return state;
  return {
    ...state,
    clients: { ...state.clients, [client]: { ...view, phase, lastFrame: frame.seq } },
    phases: state.phases.append({ phase, conn: `client:${client}`, frame: frame.seq, t: frame.t }),
  };
}

function seeTimestamp(state: UpdatelogState, client: string, timestamp: number, frame: RawFrame, area?: string): UpdatelogState {
  const view = state.clients[client] ?? { lastFrame: frame.seq };
  const next: ClientView = { ...view, lastFrame: frame.seq, latestTs: Math.max(view.latestTs ?? -1, timestamp) };
  if (area === undefined) next.snapshotTs = timestamp;
  else next.readArea = area;
  return { ...state, clients: { ...state.clients, [client]: next } };
}

function addConflict(state: UpdatelogState, key: string, conflict: Conflict): UpdatelogState {
  if (state.conflictKeys[key]) return state;
  return { ...state, conflicts: state.conflicts.append(conflict), conflictKeys: { ...state.conflictKeys, [key]: true } };
}

function onList(
  state: UpdatelogState,
  client: string,
  result: { Prefix: string; Contents: Array<{ Key: string }>; IsTruncated: boolean },
  frame: RawFrame,
): UpdatelogState {
  const area = areaOf(result.Prefix);
  let next = state;
  for (const { Key } of result.Contents) {
    if (area === SNAPSHOT_AREA) {
      const ts = /\/(\d+)\.json$/.exec(Key)?.[1];
      if (ts) next = advanceArea(next, SNAPSHOT_AREA, Number(ts), frame);
      continue;
    }
    const parts = parseUpdateKey(Key);
    if (!parts) continue;
    next = advanceArea(next, parts.area, parts.timestamp, frame);
    const slot = `${parts.area}/${parts.timestamp}`;
    const other = next.listedTimestamps.get(slot);
    if (other === undefined) {
      next = { ...next, listedTimestamps: next.listedTimestamps.set(slot, parts.id) };
    } else if (other !== parts.id) {
      const [first, second] = [other, parts.id].sort();
      next = addConflict(next, `collision:${slot}:${first}:${second}`, {
        entity: `update:${second}`,
        field: 'timestamp',
        local: second,
        remote: first,
        winner: 'none',
        rule: 'timestamp-collision',
        detail: `updates ${first} and ${second} share millisecond ${parts.timestamp} in area ${parts.area}; not bumped, so readers order them by id`,
        frames: [frame.seq],
      });
    }
  }
  const phase = next.clients[client]?.phase;
  if (area !== SNAPSHOT_AREA && result.Contents.length === 0 && !result.IsTruncated && phase !== 'polling' && phase !== 'bootstrap') {
    next = setPhase(next, client, 'polling', frame);
  }
  return next;
}

function onSnapshot(state: UpdatelogState, client: string, snapshot: Snapshot, frame: RawFrame): UpdatelogState {
  let next = seeTimestamp(state, client, snapshot.timestamp, frame);
  next = advanceArea(next, SNAPSHOT_AREA, snapshot.timestamp, frame);
  if (snapshot.timestamp > next.entitiesBase) {
    const kept = next.applied.filter((a) => a.timestamp > snapshot.timestamp);
    const replayed = [...kept.values()]
      .sort((a, b) => a.timestamp - b.timestamp || (a.update.id < b.update.id ? -1 : 1))
      .reduce(
        (entities, a) => applyUpdate(entities, a.update, a.timestamp, a.seq),
        entitiesOfSnapshot(snapshot.state, snapshot.timestamp, frame.seq),
      );
    next = { ...next, entities: replayed, entitiesBase: snapshot.timestamp, applied: kept };
  }
  for (const flag of snapshot.flagged) next = flagConflict(next, flag.updateId, flag.reason, flag, frame);
  return next;
}

function onUpdate(
  state: UpdatelogState,
  client: string,
  message: Extract<Message, { type: 'UpdateObject' }>,
  frame: RawFrame,
): UpdatelogState {
  const { parts, update, meta } = message;
  const view = state.clients[client];
  const before = view?.latestTs;
  const readBefore = view?.read?.[update.id] === true;
  let next = seeTimestamp(state, client, parts.timestamp, frame, parts.area);
  const seen = next.clients[client] as ClientView;
  if (!readBefore) next = { ...next, clients: { ...next.clients, [client]: { ...seen, read: { ...seen.read, [update.id]: true } } } };
  const target = targetOf(update);
  if (!readBefore && before !== undefined && parts.timestamp < before) {
    next = addConflict(next, `order:${client}:${update.id}`, {
      entity: target,
      local: parts.timestamp,
      remote: before,
      winner: 'local',
      rule: 'out-of-order',
      detail: `client ${client} read update ${update.id} (${parts.timestamp}) after one of ${before}; applied anyway, updates must commute`,
      frames: [frame.seq],
    });
  }
  if (meta.restamped) {
    const made = meta.madeAt ?? parts.timestamp;
    next = addConflict(next, `restamp:${update.id}`, {
      entity: target,
      field: 'timestamp',
      local: made,
      remote: parts.timestamp,
      winner: 'local',
      rule: meta.restamped === 'collision' ? 'timestamp-collision' : 'out-of-order',
      detail:
        meta.restamped === 'collision'
          ? `update ${update.id} made in millisecond ${made}, already taken: bumped to ${parts.timestamp}`
          : `update ${update.id} made at ${made} reached the shared log after newer ones: stored at ${parts.timestamp}`,
      frames: [frame.seq],
    });
  }
  if (meta.validation) next = flagConflict(next, update.id, meta.validation, update, frame);
  if (!next.applied.has(update.id) && parts.timestamp > next.entitiesBase) {
    next = {
      ...next,
      entities: applyUpdate(next.entities, update, parts.timestamp, frame.seq),
      applied: next.applied.set(update.id, { timestamp: parts.timestamp, update, seq: frame.seq }),
    };
  }
  return next;
}

function flagConflict(state: UpdatelogState, updateId: string, reason: string, local: Flag | Update, frame: RawFrame): UpdatelogState {
  return addConflict(state, `validation:${updateId}:${reason}`, {
    entity: `update:${updateId}`,
    local,
    remote: reason,
    winner: 'none',
    rule: 'validation',
    detail: `update ${updateId} breaks a rule: ${reason} (kept, flagged for a person to sort out)`,
    frames: [frame.seq],
  });
}

// --- Entities: the model rebuilt generically from typed JSON ---

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The entity an action's argument names: a typed object with an id is `Type:id`; an untyped one with an id is `action:id`. */
export function entityKeyOf(actionType: string, data: unknown): string | undefined {
  if (!isRecord(data)) return undefined;
  const id = data.id;
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  const type = data['@type'];
  return `${typeof type === 'string' ? type : actionType}:${id}`;
}

function targetOf(update: Update): string {
  for (const action of update.actions) {
    const key = entityKeyOf(action.type, action.data);
    if (key) return key;
  }
  return `update:${update.id}`;
}

/** Each action merges its argument's fields into the entity it names; `remove*`/`delete*` methods mark it deleted. */
export function applyUpdate(
  entities: ImmutableMap<string, Entity>,
  update: Update,
  timestamp: number,
  seq: number,
): ImmutableMap<string, Entity> {
  let next = entities;
  for (const action of update.actions) {
    const key = entityKeyOf(action.type, action.data);
    if (!key || !isRecord(action.data)) continue;
    const previous = next.get(key);
    const value = { ...(isRecord(previous?.value) ? previous.value : {}), ...action.data };
    const entity: Entity = { type: key.slice(0, key.indexOf(':')), value, version: timestamp, lastFrame: seq };
    if (/^(remove|delete)/.test(action.type)) entity.deleted = true;
    next = next.set(key, entity);
  }
  return next;
}

/** Every typed object with an id inside a snapshot's state is an entity; enums ({@type, name}) are not. */
export function entitiesOfSnapshot(state: unknown, timestamp: number, seq: number): ImmutableMap<string, Entity> {
  const out = ImmutableMap<string, Entity>().asMutable();
  const walk = (value: unknown, depth: number): void => {
    if (depth > 8 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    const type = record['@type'];
    const id = record.id;
    if (typeof type === 'string' && (typeof id === 'string' || typeof id === 'number')) {
      out.set(`${type}:${id}`, { type, value: record, version: timestamp, lastFrame: seq });
    }
    for (const field of Object.values(record)) walk(field, depth + 1);
  };
  walk(state, 0);
  return out.asImmutable();
}
