/**
 * The protocol state the dissector folds sqlsync traffic into, and the pure reducer. Every update copies only the
 * records it touches (checkpoints keep references to older states, so nothing here is mutated in place).
 *
 * What it tracks, all as seen from the client side of the wire (where taps and the engine's observer sit):
 * - per timeline: the range the client has sent, the server's range of it (timeline-range), the entries not yet
 *   acknowledged (the queue) and the entries not yet applied into storage (what a rebase re-applies);
 * - per document: the server's storage range, and each client's storage range (storage-range);
 * - conflicts: each rebase that re-applied local entries over other timelines' storage entries, and each
 *   mutation the server's reducer rejected;
 * - phases per connection; the tab <-> worker requests awaiting their Reply; sqlsync 0.3 replication journals.
 */

import {
  AppendLog,
  type Conflict,
  type DissectorEvent,
  dropThrough,
  type Entity,
  findSorted,
  insertSorted,
  type LsnRange,
  type Phase,
  type PhaseName,
  type RawFrame,
} from '@syncscope/protocols/core';
import { Map as ImmutableMap, List } from 'immutable';
import { mutationSize } from './codec.ts';
import type { EngineMessage, LocalWrite, PublicLsnRange, ReplicationMsg, SqlsyncMessage, StorageEntry, WorkerMessage } from './schemas.ts';

export interface PendingEntry {
  lsn: number;
  tag: string;
  /** The object the mutation names (its `id` field), when it has one: how concurrent edits are matched. */
  object?: string;
  mutation: unknown;
  frame: number;
  t: number;
  size: number;
  attempts: number;
}

export interface TimelineView {
  doc: string;
  side: 'client';
  /** The range of this timeline the client has put on the wire. */
  sent: LsnRange | null;
  /** The server's range of this timeline, from its last timeline-range. */
  serverRange: LsnRange | null;
  /**
   * Sent, not yet acknowledged by a timeline-range; sorted by LSN. Both lists are persistent and searched by
   * bisection: an offline client resends thousands of entries, and arrays copied, searched and re-sorted per batch
   * folded them quadratically.
   */
  pending: List<PendingEntry>;
  /** Sent, not yet seen applied in a storage sync: what each rebase re-applies; sorted by LSN. */
  unapplied: List<PendingEntry>;
  lastFrame: number;
  serverFrame?: number;
}

export interface RangeView {
  range: LsnRange | null;
  cursor?: number;
  lastFrame: number;
  peer?: string;
}

export interface ConnView {
  /** doc -> timeline the connection opened it with. */
  timelines: Readonly<Record<string, string>>;
  phase?: PhaseName;
  /** sqlsync 0.3: the journal this side streams out, and the one it receives. */
  outJournal?: string;
  inJournal?: string;
}

export interface SqlsyncState {
  /** Per connection: a persistent map, so a session of many connections does not copy them all per frame. */
  conns: ImmutableMap<string, ConnView>;
  timelines: Readonly<Record<string, TimelineView>>;
  /** Named journals other than client timelines: server timelines are derived; these are storage and public ones. */
  journals: Readonly<Record<string, RangeView & { side: 'client' | 'server' }>>;
  /**
   * Queue name -> pending items: public replication frames (sorted by LSN) and worker requests (in the order they
   * were made). A persistent map, one queue per worker port among them, so a session of many ports does not copy
   * them all per frame.
   */
  queues: ImmutableMap<string, List<PendingEntry>>;
  /**
   * A persistent map: storage syncs put an entity per mutation and every frame would otherwise copy all of them
   * (the fold keeps old states as checkpoints, so nothing is changed in place).
   */
  entities: ImmutableMap<string, Entity>;
  conflicts: AppendLog<Conflict>;
  /** `${timeline}#${lsn}` of rejections already reported (every client's storage sync carries them). */
  rejectionsSeen: Readonly<Record<string, true>>;
  phases: AppendLog<Phase>;
}

export const initSqlsync = (): SqlsyncState => ({
  conns: ImmutableMap(),
  timelines: {},
  journals: {},
  queues: ImmutableMap(),
  entities: ImmutableMap(),
  conflicts: AppendLog.empty(),
  rejectionsSeen: {},
  phases: AppendLog.empty(),
});

// ---------------------------------------------------------------------------------------------------------------
// small pure helpers

const union = (a: LsnRange | null | undefined, b: LsnRange): LsnRange =>
  a ? { first: Math.min(a.first, b.first), last: Math.max(a.last, b.last) } : { first: b.first, last: b.last };

function objectOf(mutation: unknown): string | undefined {
  const id = mutation && typeof mutation === 'object' ? (mutation as { id?: unknown }).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

function tagOf(mutation: unknown): string {
  const tag = mutation && typeof mutation === 'object' ? (mutation as { tag?: unknown }).tag : undefined;
  return typeof tag === 'string' ? tag : 'mutation';
}

const byLsn = (entry: PendingEntry): number => entry.lsn;

function entryOf(lsn: number, mutation: unknown, frame: RawFrame, attempts = 1): PendingEntry {
  const object = objectOf(mutation);
  return {
    lsn,
    tag: tagOf(mutation),
    ...(object !== undefined ? { object } : {}),
    mutation,
    frame: frame.seq,
    t: frame.t,
    size: mutationSize(mutation),
    attempts,
  };
}

function withPhase(state: SqlsyncState, conn: string, phase: PhaseName, frame: RawFrame): SqlsyncState {
  const view = state.conns.get(conn) ?? { timelines: {} };
  if (view.phase === phase) return state;
  return {
    ...state,
    conns: state.conns.set(conn, { ...view, phase }),
    phases: state.phases.append({ phase, conn, frame: frame.seq, t: frame.t }),
  };
}

function setJournal(state: SqlsyncState, name: string, view: RangeView & { side: 'client' | 'server' }): SqlsyncState {
  return { ...state, journals: { ...state.journals, [name]: view } };
}

export const journalNames = {
  clientTimeline: (timeline: string) => `client timeline ${timeline}`,
  serverTimeline: (timeline: string) => `server timeline ${timeline}`,
  serverStorage: (doc: string) => `server storage ${doc}`,
  clientStorage: (doc: string, timeline: string) => `client storage ${doc}@${timeline}`,
  publicClient: (id: string) => `client journal ${id}`,
  publicServer: (id: string) => `server journal ${id}`,
  /** What the browser client saved of a document's timeline and storage in its IndexedDB database `db`. */
  savedTimeline: (db: string, doc: string) => `saved timeline ${doc} in ${db}`,
  savedStorage: (db: string, doc: string) => `saved storage ${doc} in ${db}`,
};

// ---------------------------------------------------------------------------------------------------------------
// the engine's protocol

function timelineOf(state: SqlsyncState, timeline: string, doc: string, frame: RawFrame): TimelineView {
  return (
    state.timelines[timeline] ?? {
      doc,
      side: 'client',
      sent: null,
      serverRange: null,
      pending: List(),
      unapplied: List(),
      lastFrame: frame.seq,
    }
  );
}

function putTimeline(state: SqlsyncState, timeline: string, view: TimelineView): SqlsyncState {
  return { ...state, timelines: { ...state.timelines, [timeline]: view } };
}

function connTimeline(state: SqlsyncState, conn: string, doc: string): string | undefined {
  return state.conns.get(conn)?.timelines[doc];
}

function reduceEngine(state: SqlsyncState, msg: EngineMessage, frame: RawFrame): SqlsyncState {
  const conn = frame.conn;
  switch (msg.type) {
    case 'open': {
      const view = state.conns.get(conn) ?? { timelines: {} };
      const timelines = { ...view.timelines };
      let next = state;
      for (const open of msg.docs) {
        timelines[open.doc] = open.timeline;
        next = putTimeline(next, open.timeline, { ...timelineOf(next, open.timeline, open.doc, frame), lastFrame: frame.seq });
        next = setJournal(next, journalNames.clientStorage(open.doc, open.timeline), {
          side: 'client',
          range: open.storageRange,
          lastFrame: frame.seq,
          peer: journalNames.serverStorage(open.doc),
        });
      }
      next = { ...next, conns: next.conns.set(conn, { ...(next.conns.get(conn) ?? view), timelines }) };
      return withPhase(next, conn, 'connecting', frame);
    }
    case 'timeline-sync': {
      const { partial } = msg;
      const current = timelineOf(state, partial.id, msg.doc, frame);
      let pending = current.pending;
      let unapplied = current.unapplied;
      partial.entries.forEach((mutation, i) => {
        const lsn = partial.range.first + i;
        const [previous, at] = findSorted(pending, lsn, byLsn);
        // A resend keeps the time the entry was first queued, so its age stays honest.
        const entry = previous ? { ...previous, attempts: previous.attempts + 1, frame: frame.seq } : entryOf(lsn, mutation, frame);
        if (previous) pending = pending.set(at, entry);
        else if (!current.serverRange || lsn > current.serverRange.last) pending = insertSorted(pending, entry, byLsn);
        if (findSorted(unapplied, lsn, byLsn)[0] === undefined) unapplied = insertSorted(unapplied, entry, byLsn);
      });
      const next = putTimeline(state, partial.id, {
        ...current,
        sent: union(current.sent, partial.range),
        pending,
        unapplied,
        lastFrame: frame.seq,
      });
      return withPhase(next, conn, 'timeline-sync', frame);
    }
    case 'timeline-range': {
      const current = timelineOf(state, msg.timeline, msg.doc, frame);
      const acked = msg.range;
      const pending = acked ? dropThrough(current.pending, acked.last, byLsn) : current.pending;
      const next = putTimeline(state, msg.timeline, { ...current, serverRange: acked, pending, serverFrame: frame.seq });
      const phase = state.conns.get(conn)?.phase;
      return pending.size === 0 && phase !== 'storage-sync' ? withPhase(next, conn, 'idle', frame) : next;
    }
    case 'storage-sync':
      return reduceStorageSync(state, msg.doc, msg.partial.range, msg.partial.entries, frame);
    case 'storage-range': {
      const timeline = connTimeline(state, conn, msg.doc) ?? conn;
      const next = setJournal(state, journalNames.clientStorage(msg.doc, timeline), {
        side: 'client',
        range: msg.range,
        lastFrame: frame.seq,
        peer: journalNames.serverStorage(msg.doc),
      });
      const pending = state.timelines[timeline]?.pending.size ?? 0;
      return withPhase(next, conn, pending > 0 ? 'timeline-sync' : 'idle', frame);
    }
    case 'error': {
      if (msg.code !== 'duplicate-timeline') return state;
      const conflict: Conflict = {
        entity: `timeline ${msg.doc ?? ''}`.trim(),
        field: msg.field,
        local: msg.message,
        remote: 'the server already holds different entries for this timeline id',
        winner: 'remote',
        rule: 'validation',
        detail: msg.message,
        frames: [frame.seq],
      };
      return { ...state, conflicts: state.conflicts.append(conflict) };
    }
  }
}

function reduceStorageSync(
  state: SqlsyncState,
  doc: string,
  range: LsnRange,
  entries: readonly StorageEntry[],
  frame: RawFrame,
): SqlsyncState {
  const conn = frame.conn;
  const serverName = journalNames.serverStorage(doc);
  const server = state.journals[serverName];
  let next = setJournal(state, serverName, { side: 'server', range: union(server?.range, range), lastFrame: frame.seq });

  // Entities: the document, and each object a storage entry's mutation names.
  const entities = next.entities.withMutations((draft) => {
    entries.forEach((entry, i) => {
      const lsn = range.first + i;
      const object = objectOf(entry.mutation);
      if (entry.rejected !== undefined || object === undefined) return;
      draft.set(`${doc}/${object}`, {
        type: 'object',
        value: entry.mutation,
        version: lsn,
        deleted: /^(Delete|Remove)/.test(tagOf(entry.mutation)) || undefined,
        lastFrame: frame.seq,
      });
    });
    draft.set(`doc ${doc}`, {
      type: 'document',
      value: { storage: union(server?.range, range) },
      version: range.last,
      lastFrame: frame.seq,
    });
  });
  next = { ...next, entities };

  // Which of every timeline's sent entries this partial applies (or rejects): they leave the rebase set.
  const highestByTimeline = new Map<string, number>();
  for (const entry of entries) highestByTimeline.set(entry.timeline, Math.max(highestByTimeline.get(entry.timeline) ?? -1, entry.lsn));
  const timelines = { ...next.timelines };
  for (const [timeline, highest] of highestByTimeline) {
    const view = timelines[timeline];
    if (view) timelines[timeline] = { ...view, unapplied: dropThrough(view.unapplied, highest, byLsn) };
  }
  next = { ...next, timelines };

  const conflicts: Conflict[] = [];
  const rejectionsSeen = { ...next.rejectionsSeen };
  entries.forEach((entry) => {
    if (entry.rejected === undefined) return;
    const key = `${entry.timeline}#${entry.lsn}`;
    if (rejectionsSeen[key]) return;
    rejectionsSeen[key] = true;
    const object = objectOf(entry.mutation);
    conflicts.push({
      entity: object !== undefined ? `${doc}/${object}` : `${doc}/${key}`,
      field: tagOf(entry.mutation),
      local: entry.mutation,
      remote: entry.rejected,
      winner: 'none',
      rule: 'validation',
      detail: `the reducer rejected ${key}: ${entry.rejected}`,
      frames: [frame.seq],
    });
  });

  // The rebase this storage sync causes on the receiving client: its still-unapplied entries go back on top of
  // other timelines' new entries. That is a conflict worth showing when both sides are non-empty.
  const own = connTimeline(next, conn, doc);
  const local = own ? (next.timelines[own]?.unapplied.toArray() ?? []) : [];
  const remote = entries.filter((entry) => entry.timeline !== own && entry.rejected === undefined);
  if (own && local.length > 0 && remote.length > 0) {
    const touched = new Set(remote.map((entry) => objectOf(entry.mutation)).filter((o): o is string => o !== undefined));
    const overlap = [...new Set(local.map((l) => l.object).filter((o): o is string => o !== undefined && touched.has(o)))];
    conflicts.push({
      entity: overlap.length === 1 ? `${doc}/${overlap[0]}` : `doc ${doc}`,
      ...(overlap.length > 0 ? { field: overlap.join(',') } : {}),
      local: local.map((l) => ({ lsn: l.lsn, mutation: l.mutation })),
      remote: remote.map((entry) => ({ timeline: entry.timeline, lsn: entry.lsn, mutation: entry.mutation })),
      winner: 'local',
      rule: 'rebase',
      detail: `rebase: ${local.length} local mutation(s) of ${own} re-applied over storage ${range.first}..${range.last}`,
      frames: [frame.seq, ...local.map((l) => l.frame)],
    });
  }
  next = { ...next, conflicts: next.conflicts.append(...conflicts), rejectionsSeen };
  return withPhase(next, conn, 'storage-sync', frame);
}

// ---------------------------------------------------------------------------------------------------------------
// sqlsync 0.3 replication

function rangeView(range: PublicLsnRange): { range: LsnRange | null; cursor: number } {
  if ('Empty' in range) return { range: null, cursor: range.Empty.nextlsn };
  return { range: { first: range.NonEmpty.first, last: range.NonEmpty.last }, cursor: range.NonEmpty.last + 1 };
}

function reduceReplication(state: SqlsyncState, msg: ReplicationMsg, frame: RawFrame): SqlsyncState {
  const conn = frame.conn;
  const view = state.conns.get(conn) ?? { timelines: {} };
  const outbound = frame.dir === 'out';
  if ('RangeRequest' in msg) {
    const { id, source_range } = msg.RangeRequest;
    const name = outbound ? journalNames.publicClient(id) : journalNames.publicServer(id);
    const peer = outbound ? journalNames.publicServer(id) : journalNames.publicClient(id);
    const next = setJournal(state, name, { side: outbound ? 'client' : 'server', ...rangeView(source_range), lastFrame: frame.seq, peer });
    const conns = next.conns.set(conn, { ...view, ...(outbound ? { outJournal: id } : { inJournal: id }) });
    return withPhase({ ...next, conns }, conn, 'connecting', frame);
  }
  if ('Range' in msg) {
    // A Range answers about the journal the other side streams: ours when it comes in, theirs when we send it.
    const id = outbound ? view.inJournal : view.outJournal;
    if (!id) return state;
    const name = outbound ? journalNames.publicClient(id) : journalNames.publicServer(id);
    const peer = outbound ? journalNames.publicServer(id) : journalNames.publicClient(id);
    const ranged = rangeView(msg.Range.range);
    let next = setJournal(state, name, { side: outbound ? 'client' : 'server', ...ranged, lastFrame: frame.seq, peer });
    if (!outbound) {
      const queue = `timeline ${id}`;
      const acked = ranged.cursor - 1;
      const left = dropThrough(next.queues.get(queue) ?? List<PendingEntry>(), acked, byLsn);
      next = { ...next, queues: next.queues.set(queue, left) };
      return left.size === 0 ? withPhase(next, conn, 'idle', frame) : next;
    }
    return withPhase(next, conn, 'idle', frame);
  }
  const { id, lsn, payload } = msg.Frame;
  if (outbound) {
    const queue = `timeline ${id}`;
    const items = state.queues.get(queue) ?? List();
    const [previous, at] = findSorted(items, lsn, byLsn);
    const mutation = payload.kind === 'mutation' ? payload.mutation : null;
    const item = previous ? { ...previous, attempts: previous.attempts + 1, frame: frame.seq } : entryOf(lsn, mutation, frame);
    const queues = state.queues.set(queue, previous ? items.set(at, item) : insertSorted(items, item, byLsn));
    const name = journalNames.publicClient(id);
    const journal = state.journals[name];
    const next = setJournal({ ...state, queues }, name, {
      side: 'client',
      range: union(journal?.range, { first: lsn, last: lsn }),
      cursor: Math.max(journal?.cursor ?? 0, lsn + 1),
      lastFrame: frame.seq,
      peer: journalNames.publicServer(id),
    });
    return withPhase(next, conn, 'timeline-sync', frame);
  }
  const pages = payload.kind === 'pages' ? payload.pages.map((p) => p.index) : [];
  const entities = state.entities.set(`journal ${id}`, {
    type: 'storage-journal',
    value: { lsn, pages },
    version: lsn,
    lastFrame: frame.seq,
  });
  return withPhase({ ...state, entities }, conn, 'storage-sync', frame);
}

// ---------------------------------------------------------------------------------------------------------------
// tab <-> worker

const STATUS_PHASE: Record<string, PhaseName> = {
  connecting: 'connecting',
  connected: 'live',
  disconnected: 'offline',
  disabled: 'offline',
  error: 'offline',
};

function reduceWorker(state: SqlsyncState, msg: WorkerMessage, frame: RawFrame): SqlsyncState {
  // Per port (conn), not per channel: every tab numbers its handler ids from 1 on the same channel name.
  const queue = `worker ${frame.conn}`;
  // Requests awaiting their Reply: a tab has a handful in flight, so a scan per request is cheap here.
  const items = state.queues.get(queue) ?? List<PendingEntry>();
  switch (msg.tag) {
    case 'Boot':
    case 'Close':
    case 'Doc': {
      const label = msg.tag === 'Doc' ? `${msg.req.tag}${msg.req.tag === 'Mutate' ? ` ${tagOf(msg.req.mutation)}` : ''}` : msg.tag;
      const item: PendingEntry = { ...entryOf(msg.handlerId, msg.tag === 'Doc' ? msg.req : msg, frame), tag: label };
      return { ...state, queues: state.queues.set(queue, items.filter((p) => p.lsn !== msg.handlerId).push(item)) };
    }
    case 'Reply':
      return {
        ...state,
        queues: state.queues.set(
          queue,
          items.filter((p) => p.lsn !== msg.handlerId),
        ),
      };
    case 'Event': {
      const evt = msg.evt;
      if (evt.tag === 'ConnectionStatus') return withPhase(state, `${frame.conn} ${msg.docId}`, STATUS_PHASE[evt.status] ?? 'idle', frame);
      const key = `subscription ${msg.docId}/${evt.key}`;
      const value = evt.tag === 'SubscriptionChanged' ? { columns: evt.columns, rows: evt.rows } : { error: evt.err };
      return { ...state, entities: state.entities.set(key, { type: 'subscription', value, lastFrame: frame.seq }) };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// the browser client's saved journals (IndexedDB)

/** A saved journal as a range view: entries sit at first, first + 1, ...; the cursor is where it continues. */
function savedView(journal: { first: number; entries: readonly unknown[] }, peer: string, frame: RawFrame) {
  const range = journal.entries.length ? { first: journal.first, last: journal.first + journal.entries.length - 1 } : null;
  return { side: 'client' as const, range, cursor: journal.first + journal.entries.length, peer, lastFrame: frame.seq };
}

/** Whether an IndexedDB key (or key range, as the tap records it) covers the document id `doc`. */
function keyCovers(key: Extract<LocalWrite, { op: 'delete' }>['key'], doc: string): boolean {
  if (typeof key === 'string' || typeof key === 'number') return String(key) === doc;
  const { lower, upper, lowerOpen, upperOpen } = key as { lower?: unknown; upper?: unknown; lowerOpen?: unknown; upperOpen?: unknown };
  if (typeof lower === 'string' && (lowerOpen ? doc <= lower : doc < lower)) return false;
  if (typeof upper === 'string' && (upperOpen ? doc >= upper : doc > upper)) return false;
  return typeof lower === 'string' || typeof upper === 'string';
}

/**
 * A snapshot saved is the client's durable copy of both journals of one document: shown as two client journals
 * beside the ones the wire shows (its timeline against the server's copy of it, its storage against the server's).
 */
function reduceLocal(state: SqlsyncState, msg: LocalWrite, frame: RawFrame): SqlsyncState {
  if (msg.op === 'put' || msg.op === 'add') {
    const { doc, timeline, storage } = msg.snapshot;
    const next = setJournal(
      state,
      journalNames.savedTimeline(msg.db, doc),
      savedView(timeline, journalNames.serverTimeline(timeline.id), frame),
    );
    return setJournal(next, journalNames.savedStorage(msg.db, doc), savedView(storage, journalNames.serverStorage(doc), frame));
  }
  const suffix = ` in ${msg.db}`;
  const dropped = (name: string): boolean => {
    if (!name.endsWith(suffix) || !/^saved (timeline|storage) /.test(name)) return false;
    const doc = name.slice(name.indexOf(' ', 6) + 1, -suffix.length);
    return msg.op === 'clear' || keyCovers(msg.key, doc);
  };
  const names = Object.keys(state.journals).filter(dropped);
  if (!names.length) return state;
  return { ...state, journals: Object.fromEntries(Object.entries(state.journals).filter(([name]) => !names.includes(name))) };
}

// ---------------------------------------------------------------------------------------------------------------

export function reduceSqlsync(state: SqlsyncState, event: DissectorEvent<SqlsyncMessage>, frame: RawFrame): SqlsyncState {
  if (event.lifecycle) {
    if (frame.transport !== 'websocket') return state;
    return withPhase(state, frame.conn, event.type === 'open' ? 'connecting' : 'offline', frame);
  }
  const message = event.message;
  switch (message.family) {
    case 'engine':
      return reduceEngine(state, message.msg, frame);
    case 'replication':
      return reduceReplication(state, message.msg, frame);
    case 'worker':
      return reduceWorker(state, message.msg, frame);
    case 'local':
      return reduceLocal(state, message.msg, frame);
  }
}
