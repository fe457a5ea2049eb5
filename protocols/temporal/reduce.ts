/**
 * The temporal protocol state and its pure reducer. What it follows:
 * - entities: the server's truth as seen on the wire (value, meta, the validFrom timeline, recent snapshots so a
 *   diff against an older version can still be applied), with subscribers per entity and the BroadcastChannel
 *   fan-out;
 * - requests awaiting an answer (patchDiffs foremost), downstream channel updates not yet acked, store edits on the
 *   `upstream` channel not yet answered by the server;
 * - each connection's view of each entity (the validFrom it last got), which is how a stale subscriber is spotted;
 * - conflicts: patchDiff rejected (412, both diffs and the base), unknown base version (409, whole value), a change
 *   merged over concurrent changes (200 on an old base), and subscribers that got a diff not matching their latest.
 * Every function returns new objects; nothing reachable from an old state is mutated (checkpoints keep them).
 */

import { Map as ImmutableMap, List } from 'immutable';
import { AppendLog } from '../core/append-log.ts';
import type { DissectorEvent } from '../core/dissector.ts';
import type { RawFrame } from '../core/frame.ts';
import type { Conflict, ConflictRule, PhaseName } from '../core/model.ts';
import { bisect, findSorted, insertSorted } from '../core/sorted-list.ts';
import type { TemporalMessage } from './decode.ts';
import { applyDiff, changedPaths, overlappingPaths } from './diff.ts';
import type {
  BroadcastMessage,
  Diff,
  EntityRef,
  EntityValue,
  HttpRequestBody,
  HttpResponseBody,
  Meta,
  Response,
  Update,
} from './schemas.ts';

/** How many old values per entity are kept to apply diffs whose base is not the latest. */
export const SNAPSHOTS_KEPT = 16;

export interface EntityState {
  readonly ref: EntityRef;
  readonly value?: EntityValue;
  readonly meta?: Meta;
  /**
   * Every validFrom seen for this entity, oldest first, in a persistent list: versions arrive in order, so adding
   * one is an append, and it is searched by bisection. An array copied and sorted per version made an entity patched
   * 10,000 times fold in seconds, quadratically.
   */
  readonly timeline: List<string>;
  readonly snapshots: Readonly<Record<string, EntityValue>>;
  /** Socket connections subscribed to it (a `get` subscribes; `unsubscribe` and a close end it). */
  readonly subscribers: readonly string[];
  /** BroadcastChannel names its changes were fanned out on, and how many messages went out. */
  readonly channels: readonly string[];
  readonly fanOut: number;
  readonly lastFrame: number;
}

export interface PendingRequest {
  readonly id: string;
  readonly conn: string;
  readonly method: string;
  readonly entityKey: string;
  readonly t: number;
  readonly frame: number;
  readonly attempts: number;
  readonly diff?: Diff;
  /** patchDiff: its ifUnmodifiedSince; get: its ifModifiedSince. */
  readonly base?: string;
  readonly size?: number;
}

export interface WaitingItem {
  readonly id: string;
  readonly entityKey: string;
  readonly t: number;
  readonly frame: number;
}

export interface TemporalState {
  /** A persistent map: a put per patch and per read would otherwise copy every entity the session has seen. */
  readonly entities: ImmutableMap<string, EntityState>;
  /** Requests awaiting their response, by request id (HTTP exchanges by connection id). */
  readonly pending: Readonly<Record<string, PendingRequest>>;
  /** `${conn}|${entityKey}` to the validFrom that connection last received (persistent: one per connection and entity). */
  readonly views: ImmutableMap<string, { readonly cursor: string; readonly lastFrame: number }>;
  /** Downstream channel messages no store has acked yet, by updateID. */
  readonly unacked: Readonly<Record<string, WaitingItem>>;
  /** Store edits posted on `upstream` and not yet answered by the server, by changeID (= the patchDiff's requestID). */
  readonly upstream: Readonly<Record<string, WaitingItem>>;
  readonly conflicts: AppendLog<Conflict>;
  readonly phases: AppendLog<{ phase: PhaseName; conn: string; frame: number; t: number }>;
  /** Per connection (every HTTP exchange is one): a persistent map, so a long session does not copy them all. */
  readonly connPhase: ImmutableMap<string, PhaseName>;
  readonly counts: { readonly notModified: number; readonly staleUpdates: number; readonly errors: number };
}

export const initTemporal = (): TemporalState => ({
  entities: ImmutableMap(),
  pending: {},
  views: ImmutableMap(),
  unacked: {},
  upstream: {},
  conflicts: AppendLog.empty(),
  phases: AppendLog.empty(),
  connPhase: ImmutableMap(),
  counts: { notModified: 0, staleUpdates: 0, errors: 0 },
});

export const entityKeyOf = (ref: EntityRef): string => `${ref.type}/${ref.id}`;

export function reduceTemporal(state: TemporalState, event: DissectorEvent<TemporalMessage>, frame: RawFrame): TemporalState {
  if (event.lifecycle) return reduceLifecycle(state, event.type, frame);
  const message = event.message;
  switch (message.channel) {
    case 'ws':
      if (message.message.kind === 'request') return reduceRequest(state, message.message, frame);
      if (message.message.kind === 'response') return reduceResponse(state, message.message, frame);
      return reduceUpdate(state, message.message, frame);
    case 'broadcast':
      return reduceBroadcast(state, message.name, message.message, frame);
    case 'http-request':
      return reduceHttpRequest(state, message, frame);
    case 'http-response':
      return reduceHttpResponse(state, message, frame);
    default:
      return state;
  }
}

// --- connections ------------------------------------------------------------------------------------------------

function reduceLifecycle(state: TemporalState, kind: 'open' | 'close' | 'error', frame: RawFrame): TemporalState {
  if (frame.transport !== 'websocket') return state;
  if (kind === 'open') return withPhase(state, frame.conn, 'connecting', frame);
  if (kind === 'close') {
    const entities = mapEntities(state.entities, (e) =>
      e.subscribers.includes(frame.conn) ? { ...e, subscribers: e.subscribers.filter((c) => c !== frame.conn) } : e,
    );
    // Reads on a closed socket are abandoned (the client fetches again on its next connection); changes stay
    // queued, since the client re-sends them with the same request id.
    const abandoned = Object.values(state.pending).filter(
      (p) => p.conn === frame.conn && (p.method === 'get' || p.method === 'unsubscribe'),
    );
    const pending = abandoned.reduce((rest, p) => withoutKey(rest, p.id), state.pending);
    return withPhase({ ...state, entities, pending }, frame.conn, 'offline', frame);
  }
  return state;
}

function withPhase(state: TemporalState, conn: string, phase: PhaseName, frame: RawFrame): TemporalState {
  if (state.connPhase.get(conn) === phase) return state;
  return {
    ...state,
    connPhase: state.connPhase.set(conn, phase),
    phases: state.phases.append({ phase, conn, frame: frame.seq, t: frame.t }),
  };
}

/** Once a connection has nothing in flight it is live. */
function settlePhase(state: TemporalState, conn: string, frame: RawFrame): TemporalState {
  const busy = Object.values(state.pending).some((p) => p.conn === conn);
  return busy ? state : withPhase(state, conn, 'live', frame);
}

// --- entities ---------------------------------------------------------------------------------------------------

function mapEntities(entities: TemporalState['entities'], fn: (e: EntityState) => EntityState): TemporalState['entities'] {
  let next = entities;
  for (const [key, entity] of entities) {
    const mapped = fn(entity);
    if (mapped !== entity) next = next.set(key, mapped);
  }
  return next;
}

function entityOf(state: TemporalState, ref: EntityRef, frame: RawFrame): EntityState {
  return (
    state.entities.get(entityKeyOf(ref)) ?? {
      ref,
      timeline: List<string>(),
      snapshots: {},
      subscribers: [],
      channels: [],
      fanOut: 0,
      lastFrame: frame.seq,
    }
  );
}

/** A timeline holds the versions themselves: each entry is its own key. */
const itself = (entry: string): string => entry;

/** The timeline with `entry` in its place (unchanged when it is already there). */
function withTimelineEntry(timeline: List<string>, entry: string): List<string> {
  return findSorted(timeline, entry, itself)[0] !== undefined ? timeline : insertSorted(timeline, entry, itself);
}

/** Versions strictly between `after` and `before`, oldest first. */
function versionsBetween(timeline: List<string>, after: string, before: string): string[] {
  const out: string[] = [];
  for (let i = bisect(timeline, after, itself, true); i < timeline.size && (timeline.get(i) as string) < before; i++)
    out.push(timeline.get(i) as string);
  return out;
}

function putEntity(state: TemporalState, entity: EntityState): TemporalState {
  return { ...state, entities: state.entities.set(entityKeyOf(entity.ref), entity) };
}

/** Records a known version of an entity; it becomes the latest unless a newer one is already known. */
function withVersion(entity: EntityState, value: EntityValue | undefined, meta: Meta, frame: RawFrame): EntityState {
  const validFrom = meta.validFrom;
  const timeline = withTimelineEntry(entity.timeline, validFrom);
  let snapshots = entity.snapshots;
  if (value !== undefined) {
    const kept = Object.keys(snapshots)
      .sort()
      .slice(-(SNAPSHOTS_KEPT - 1));
    snapshots = { ...Object.fromEntries(kept.map((k) => [k, snapshots[k] as EntityValue])), [validFrom]: value };
  }
  const isLatest = !entity.meta || validFrom >= entity.meta.validFrom;
  if (!isLatest) return { ...entity, timeline, snapshots };
  const next: EntityState = { ...entity, timeline, snapshots, meta, lastFrame: frame.seq };
  return value === undefined ? next : { ...next, value };
}

/** The value at `base`, if this dissector saw it. */
function valueAt(entity: EntityState, base: string): EntityValue | undefined {
  return entity.snapshots[base] ?? (entity.meta?.validFrom === base ? entity.value : undefined);
}

function withDiff(entity: EntityState, diff: Diff, meta: Meta, base: string, frame: RawFrame): EntityState {
  if (entity.snapshots[meta.validFrom] !== undefined) return withVersion(entity, undefined, meta, frame);
  const baseValue = valueAt(entity, base);
  return withVersion(entity, baseValue === undefined ? undefined : applyDiff(baseValue, diff), meta, frame);
}

/** A connection's view only moves forward: a late answer about an older version does not take it back. */
function setView(state: TemporalState, conn: string, key: string, cursor: string, frame: RawFrame): TemporalState {
  const viewKey = `${conn}|${key}`;
  const current = state.views.get(viewKey);
  if (current && current.cursor >= cursor) return state;
  return { ...state, views: state.views.set(viewKey, { cursor, lastFrame: frame.seq }) };
}

function addConflict(state: TemporalState, conflict: Conflict): TemporalState {
  return { ...state, conflicts: state.conflicts.append(conflict) };
}

function withoutKey<T>(record: Readonly<Record<string, T>>, key: string): Readonly<Record<string, T>> {
  if (!(key in record)) return record;
  const { [key]: _removed, ...rest } = record;
  return rest;
}

const fieldOf = (paths: string[][]): string | undefined => (paths.length ? paths.map((p) => p.join('.')).join(', ') : undefined);

// --- the socket protocol ----------------------------------------------------------------------------------------

function reduceRequest(
  state: TemporalState,
  request: Extract<TemporalMessage, { channel: 'ws' }>['message'] & { kind: 'request' },
  frame: RawFrame,
): TemporalState {
  const key = entityKeyOf(request.entity);
  const previous = state.pending[request.requestID];
  const item: PendingRequest = {
    id: request.requestID,
    conn: frame.conn,
    method: request.method,
    entityKey: key,
    t: previous?.t ?? frame.t,
    frame: previous?.frame ?? frame.seq,
    attempts: (previous?.attempts ?? 0) + 1,
    ...(frame.size !== undefined ? { size: frame.size } : {}),
    ...(request.method === 'get' && request.headers?.ifModifiedSince ? { base: request.headers.ifModifiedSince } : {}),
    ...(request.method === 'patchDiff'
      ? { diff: request.body.diff, ...(request.headers?.ifUnmodifiedSince ? { base: request.headers.ifUnmodifiedSince } : {}) }
      : {}),
  };
  let next: TemporalState = { ...state, pending: { ...state.pending, [request.requestID]: item } };
  const entity = entityOf(next, request.entity, frame);
  if (request.method === 'get') {
    const subscribers = entity.subscribers.includes(frame.conn) ? entity.subscribers : [...entity.subscribers, frame.conn];
    next = putEntity(next, { ...entity, subscribers });
    next = withPhase(next, frame.conn, request.headers?.ifModifiedSince ? 'catching-up' : 'bootstrap', frame);
  } else if (request.method === 'unsubscribe') {
    next = putEntity(next, { ...entity, subscribers: entity.subscribers.filter((c) => c !== frame.conn) });
  } else if (!state.entities.has(key)) {
    next = putEntity(next, entity);
  }
  return next;
}

function reduceResponse(state: TemporalState, response: Response, frame: RawFrame): TemporalState {
  const request = response.requestID ? state.pending[response.requestID] : undefined;
  let next: TemporalState = request ? { ...state, pending: withoutKey(state.pending, request.id) } : state;
  if (response.requestID) next = { ...next, upstream: withoutKey(next.upstream, response.requestID) };
  const ref = response.entity;
  const body = response.body;
  const frames = request ? [request.frame, frame.seq] : [frame.seq];
  // 304: the connection already holds the version it asked about.
  if (response.status === 304 && request?.base && ref) next = setView(next, frame.conn, entityKeyOf(ref), request.base, frame);
  if (response.status >= 400 || response.status === 304) {
    next = {
      ...next,
      counts: {
        ...next.counts,
        ...(response.status === 304 ? { notModified: next.counts.notModified + 1 } : { errors: next.counts.errors + 1 }),
      },
    };
  }
  if (ref && body) {
    const key = entityKeyOf(ref);
    const before = entityOf(next, ref, frame);
    let entity = before;
    if ('diff' in body && body.diff && body.meta && body.baseValidFrom) {
      entity = withDiff(entity, body.diff, body.meta, body.baseValidFrom, frame);
    } else if ('value' in body && body.value && body.meta) {
      entity = withVersion(entity, body.value, body.meta, frame);
    } else if (body.meta) {
      entity = withVersion(entity, undefined, body.meta, frame);
    }
    if (body.meta?.deleted !== undefined || response.status === 404) entity = { ...entity, lastFrame: frame.seq };
    next = putEntity(next, entity);
    if (body.meta && response.status < 300) next = setView(next, frame.conn, key, body.meta.validFrom, frame);
    next = conflictOfResponse(next, response, request, before, frames);
  }
  return settlePhase(next, frame.conn, frame);
}

function conflictOfResponse(
  state: TemporalState,
  response: Response,
  request: PendingRequest | undefined,
  before: EntityState,
  frames: number[],
): TemporalState {
  const body = response.body;
  if (!response.entity || !body || request?.method !== 'patchDiff') return state;
  const entity = entityKeyOf(response.entity);
  const local = request.diff;
  const base = request.base ?? 'none';
  const conflict = (rule: ConflictRule, winner: Conflict['winner'], remote: unknown, detail: string, field?: string): Conflict => ({
    entity,
    ...(field !== undefined ? { field } : {}),
    local,
    remote,
    winner,
    rule,
    detail,
    frames,
  });
  if (response.status === 412 && 'diff' in body && body.diff) {
    const field = local ? fieldOf(overlappingPaths(local, body.diff)) : undefined;
    const at = body.meta?.validFrom ?? 'unknown';
    return addConflict(
      state,
      conflict(
        'precondition-412',
        'remote',
        body.diff,
        `patchDiff on ${base} conflicts with changes made since; the server is at ${at}: rebase on the returned diff and retry`,
        field,
      ),
    );
  }
  if (response.status === 409) {
    const remote = 'value' in body ? body.value : undefined;
    return addConflict(
      state,
      conflict('stale', 'remote', remote, `base ${base} is not a snapshot of this entity: the whole value came back instead of a diff`),
    );
  }
  if (response.status === 200 && body.meta && request.base) {
    const newer = versionsBetween(before.timeline, request.base, body.meta.validFrom);
    if (newer.length > 0) {
      const field = local ? fieldOf(changedPaths(local)) : undefined;
      return addConflict(
        state,
        conflict(
          'rebase',
          'local',
          newer,
          `patchDiff on ${request.base} merged over ${newer.length} concurrent change(s) touching other fields`,
          field,
        ),
      );
    }
  }
  return state;
}

function reduceUpdate(state: TemporalState, update: Update, frame: RawFrame): TemporalState {
  const key = entityKeyOf(update.entity);
  let next = putEntity(state, withDiff(entityOf(state, update.entity, frame), update.diff, update.meta, update.baseValidFrom, frame));
  const view = state.views.get(`${frame.conn}|${key}`);
  if (view && view.cursor !== update.baseValidFrom && view.cursor < update.meta.validFrom) {
    next = { ...next, counts: { ...next.counts, staleUpdates: next.counts.staleUpdates + 1 } };
    next = addConflict(next, {
      entity: key,
      local: view.cursor,
      remote: update.baseValidFrom,
      winner: 'remote',
      rule: 'stale',
      detail: `subscriber at ${view.cursor} received a diff from ${update.baseValidFrom}: it re-fetches with get`,
      frames: [view.lastFrame, frame.seq],
    });
  } else if (!view || view.cursor < update.meta.validFrom) {
    next = setView(next, frame.conn, key, update.meta.validFrom, frame);
  }
  return settlePhase(next, frame.conn, frame);
}

// --- the browser's channels -------------------------------------------------------------------------------------

function reduceBroadcast(state: TemporalState, channel: string, message: BroadcastMessage, frame: RawFrame): TemporalState {
  const key = entityKeyOf(message.entity);
  const waiting: WaitingItem = { id: '', entityKey: key, t: frame.t, frame: frame.seq };
  switch (message.kind) {
    case 'downstream':
    case 'snapshot': {
      let entity = entityOf(state, message.entity, frame);
      entity =
        message.kind === 'downstream'
          ? withDiff(entity, message.diff, message.meta, message.baseValidFrom, frame)
          : withVersion(entity, message.value, message.meta, frame);
      const channels = entity.channels.includes(channel) ? entity.channels : [...entity.channels, channel];
      const next = putEntity(state, { ...entity, channels, fanOut: entity.fanOut + 1 });
      return { ...next, unacked: { ...next.unacked, [message.updateID]: { ...waiting, id: message.updateID } } };
    }
    case 'upstream':
      return { ...state, upstream: { ...state.upstream, [message.changeID]: { ...waiting, id: message.changeID } } };
    case 'ack':
      return { ...state, unacked: withoutKey(state.unacked, message.updateID) };
    default:
      return state;
  }
}

// --- blueprint's HTTP TemporalEntity ----------------------------------------------------------------------------

type HttpRequestMessage = Extract<TemporalMessage, { channel: 'http-request' }>;
type HttpResponseMessage = Extract<TemporalMessage, { channel: 'http-response' }>;

function httpRef(target: HttpRequestMessage['target'], idString?: string): EntityRef {
  return { type: target.type, id: idString ?? target.id ?? '(new)' };
}

function reduceHttpRequest(state: TemporalState, message: HttpRequestMessage, frame: RawFrame): TemporalState {
  const body: HttpRequestBody | undefined = message.body;
  const diff = body && 'delta' in body ? body.delta : body && 'value' in body ? body.value : undefined;
  const item: PendingRequest = {
    id: frame.conn,
    conn: frame.conn,
    method: message.method === 'PATCH' && body && 'delta' in body ? 'patchDiff' : message.method,
    entityKey: entityKeyOf(httpRef(message.target)),
    t: frame.t,
    frame: frame.seq,
    attempts: 1,
    ...(diff !== undefined ? { diff } : {}),
    ...(message.ifUnmodifiedSince ? { base: message.ifUnmodifiedSince } : {}),
  };
  return { ...state, pending: { ...state.pending, [frame.conn]: item } };
}

function reduceHttpResponse(state: TemporalState, message: HttpResponseMessage, frame: RawFrame): TemporalState {
  const request = state.pending[frame.conn];
  let next: TemporalState = request ? { ...state, pending: withoutKey(state.pending, frame.conn) } : state;
  const body: HttpResponseBody | undefined = message.body;
  if (message.status === 304) return { ...next, counts: { ...next.counts, notModified: next.counts.notModified + 1 } };
  if (message.status >= 400) next = { ...next, counts: { ...next.counts, errors: next.counts.errors + 1 } };
  if (!body) return next;
  const ref = httpRef(message.target, body.idString);
  let entity = entityOf(next, ref, frame);
  if (body.meta) entity = withVersion(entity, body.value, body.meta, frame);
  next = putEntity(next, entity);
  if (message.status === 412) {
    next = addConflict(next, {
      entity: entityKeyOf(ref),
      local: request?.diff,
      remote: body.value,
      winner: 'remote',
      rule: 'precondition-412',
      detail: `If-Unmodified-Since ${request?.base ?? 'none'} is older than the entity (${body.meta?.validFrom ?? 'unknown'})`,
      frames: request ? [request.frame, frame.seq] : [frame.seq],
    });
  }
  return next;
}
