/**
 * The session store: a bounded ring of frames, indexes over it, and the derived model folded through the registry
 * with checkpoints. See index.ts for the API in one place.
 *
 * The fold's connection records are kept here, one short history per connection, rather than in one FoldState
 * map: Fold.step copies its map whenever a connection is added, which is quadratic in the number of connections
 * (every HTTP exchange is one). Each step gets a one-entry map; time travel reads the history.
 *
 * Eviction and checkpoints go together: a checkpoint is kept every `checkpointEvery` positions, and frames leave in
 * whole blocks of that size, so the oldest retained frame always starts at a checkpoint — the state before it is
 * known without keeping what was evicted, and any retained position is at most one block of steps away.
 */

import { createRegistry } from '@syncscope/protocols';
import {
  type ConnRecord,
  type DecodeResult,
  Fold,
  type FoldState,
  type FrameInfo,
  type LifecycleMessage,
  type RawFrame,
  type Registry,
} from '@syncscope/protocols/core';
import { exportHar, type HarExport, importHar } from '../session/har.ts';
import { readSessionLines, type SessionHeader, sessionHeader, writeSession } from '../session/session-file.ts';
import { PositionList } from './index-list.ts';
import { SearchTexts } from './search-text.ts';

export const DEFAULT_STORE_CAP = 1_000_000;
const MAX_CHECKPOINT_EVERY = 1024;
/** How often views hear about a file import in progress. */
const IMPORT_NOTIFY_EVERY_MS = 400;
/** A background fold's slice: short enough that input and painting stay smooth between slices. */
const DERIVE_SLICE_MS = 12;

/**
 * Lets a page paint (two frames: one for what changed, one for what its scroll handlers then re-rendered, such as a
 * table following its tail), or 80 ms when it is hidden and frames do not come; elsewhere, just yields.
 */
function yieldForPaint(): Promise<void> {
  if (typeof requestAnimationFrame !== 'function') return yieldToEventLoop();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, 80);
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0)));
  });
}

/** Lets the event loop run (input, painting, timers) before continuing; a message port is not clamped like timers. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}

/** A frame as a tap sends it: seq and t are stamped by the store when absent. */
export type FrameInput = Omit<RawFrame, 'seq' | 't'> & { seq?: number; t?: number };

export interface StoreOptions {
  /** Most frames kept; older ones are evicted in blocks and counted in `dropped`. Default 1,000,000. */
  cap?: number;
  registry?: Registry;
  /** Positions between checkpoints (and the eviction block). Default min(1024, cap / 4). */
  checkpointEvery?: number;
  /** How a batched notification is scheduled. Default queueMicrotask: one notification per synchronous burst. */
  schedule?: (run: () => void) => void;
  now?: () => number;
}

/** What changed since the last notification. Positions are absolute and never reused (until `clear`). */
export interface StoreChange {
  /** Frames added since the last notification. */
  added: number;
  /** Frames evicted since the last notification. */
  evicted: number;
  /** Protocol/type of earlier frames changed (decode-as, finish, a backlog settled) or the store was cleared. */
  refolded: boolean;
  cleared: boolean;
  start: number;
  end: number;
  dropped: number;
}

export type StoreListener = (change: StoreChange) => void;

export interface StoreQuery {
  conn?: string;
  protocol?: string;
  /** A message type within `protocol` (or "protocol/type"). */
  type?: string;
  /** Absolute positions, [from, to). */
  from?: number;
  to?: number;
  /** Frame times (ms), [fromTime, toTime). */
  fromTime?: number;
  toTime?: number;
}

export type FrameDecode =
  | { protocol: string; ok: true; type: string; message: unknown; lifecycle: boolean; summary: string }
  | { protocol: string; ok: false; error: { reason: string; path?: ReadonlyArray<string | number>; offset?: number } };

type States = FoldState['states'];

/** A connection's fold record over time: records[i] holds after the frame at position at[i]. */
interface ConnHistory {
  at: number[];
  records: ConnRecord[];
  /** Its last frame ended it (a close, an error, a final HTTP response): forgotten once its frames are evicted. */
  ended: boolean;
}

export class SessionStore {
  readonly cap: number;
  readonly checkpointEvery: number;
  readonly registry: Registry;
  private readonly fold: Fold;
  private readonly now: () => number;
  private readonly schedule: (run: () => void) => void;

  private slots: RawFrame[] = [];
  private infos: Array<FrameInfo | undefined> = [];
  /** Running maximum of t, so a time lookup is a binary search even when a few frames arrive out of order. */
  private tMax: number[] = [];
  private first = 0;
  private next = 0;
  /** One past the last folded position: frames in [folded, next) wait for the background fold (a file import). */
  private folded = 0;
  /** While true, added frames are kept but not folded (an import that derives its state in the background). */
  private deferring = false;
  /** Bumped by clear(): a background fold of an older session stops. */
  private generation = 0;
  private droppedCount = 0;
  private lastSeq = -1;
  private states: States = {};
  private conns = new Map<string, ConnHistory>();
  /** k -> protocol states before position k * checkpointEvery (connection records come from `conns`). */
  private checkpoints = new Map<number, States>([[0, {}]]);
  private byConn = new Map<string, PositionList>();
  private readonly scratchConns = new Map<string, ConnRecord>();
  private byProtocol = new Map<string, PositionList>();
  private byType = new Map<string, PositionList>();
  /** Index key of each shared info (see typeKey); as many entries as protocol/type pairs that decoded. */
  private readonly typeKeys = new Map<FrameInfo, string>();
  private readonly searchTexts = new SearchTexts();
  private readonly redactionSet = new Set<string>();

  private readonly listeners = new Set<StoreListener>();
  private pending: { added: number; evicted: number; refolded: boolean; cleared: boolean } | undefined;
  /** Notifications are collected but not scheduled (a file import in progress). */
  private holding = false;

  constructor(options: StoreOptions = {}) {
    const cap = options.cap ?? DEFAULT_STORE_CAP;
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`store cap must be a positive integer, got ${cap}`);
    this.cap = cap;
    const every = options.checkpointEvery ?? Math.max(1, Math.min(MAX_CHECKPOINT_EVERY, Math.floor(cap / 4)));
    if (!Number.isInteger(every) || every < 1 || every > cap) {
      throw new RangeError(`checkpointEvery must be an integer in 1..cap (${cap}), got ${every}`);
    }
    this.checkpointEvery = every;
    this.registry = options.registry ?? createRegistry();
    this.fold = new Fold(this.registry);
    this.now = options.now ?? Date.now;
    // Wrapped: browsers throw "Illegal invocation" when queueMicrotask is called as a method of another object.
    this.schedule = options.schedule ?? ((run) => queueMicrotask(run));
  }

  // ---- size and positions ----

  /** First retained absolute position. */
  get start(): number {
    return this.first;
  }
  /** One past the last absolute position. */
  get end(): number {
    return this.next;
  }
  get size(): number {
    return this.next - this.first;
  }
  /** Frames evicted since the store was created or cleared: exact. */
  get dropped(): number {
    return this.droppedCount;
  }

  frame(position: number): RawFrame | undefined {
    return this.has(position) ? this.slots[position % this.cap] : undefined;
  }

  /** Protocol, type and decode status; undefined while the frame's connection is still undecided. */
  info(position: number): FrameInfo | undefined {
    return this.has(position) ? this.infos[position % this.cap] : undefined;
  }

  /**
   * What a text search looks at in the payload: its text, or its JSON as the views print it, cut to the first
   * 4,096 characters; undefined for binary payloads and positions not retained.
   */
  searchText(position: number): string | undefined {
    if (!this.has(position)) return undefined;
    const slot = position % this.cap;
    return this.searchTexts.get(slot, this.slots[slot] as RawFrame);
  }

  /** Position of the frame with this seq (seqs are strictly increasing in a store). */
  positionOfSeq(seq: number): number | undefined {
    let lo = this.first;
    let hi = this.next;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.slots[mid % this.cap] as RawFrame).seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.next && (this.slots[lo % this.cap] as RawFrame).seq === seq ? lo : undefined;
  }

  /** First position whose frame time is >= t (end if none). */
  positionAtTime(t: number): number {
    let lo = this.first;
    let hi = this.next;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.tMax[mid % this.cap] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  *frames(from = this.first, to = this.next): Generator<RawFrame> {
    for (let p = Math.max(from, this.first); p < Math.min(to, this.next); p++) yield this.slots[p % this.cap] as RawFrame;
  }

  // ---- input ----

  /** Adds a frame (seq renumbered when not above the last one, the original kept in meta.originalSeq). */
  add(input: FrameInput | RawFrame): RawFrame {
    const frame = this.stamp(input);
    if (this.next - this.first >= this.cap) this.evictBlock();
    const position = this.next++;
    const slot = position % this.cap;
    this.slots[slot] = frame;
    this.infos[slot] = undefined;
    const previousMax = position > this.first ? (this.tMax[(position - 1) % this.cap] as number) : Number.NEGATIVE_INFINITY;
    this.tMax[slot] = Math.max(previousMax, frame.t);
    listFor(this.byConn, frame.conn).add(position);
    if (!this.deferring) {
      // A live frame behind a backlog still being derived: the backlog goes first, frames fold in order.
      this.foldUpTo(position);
      this.step(position, frame);
      this.folded = position + 1;
    }
    this.notify({ added: 1 });
    return frame;
  }

  addMany(inputs: Iterable<FrameInput | RawFrame>): void {
    for (const input of inputs) this.add(input);
  }

  /** End of a recording: connections still undecided are decided now (live sessions leave them pending). */
  finish(): void {
    this.foldUpTo(this.next);
    const before = this.materialize(this.next);
    const result = this.fold.finish({ conns: before, states: this.states });
    this.states = result.state.states;
    for (const [conn, record] of result.state.conns) {
      if (before.get(conn) !== record) this.pushRecord(conn, this.next - 1, record);
    }
    this.record(result.settled);
    if (result.settled.length) this.notify({ refolded: true });
  }

  clear(): void {
    this.slots = [];
    this.infos = [];
    this.tMax = [];
    this.first = 0;
    this.next = 0;
    this.folded = 0;
    this.deferring = false;
    this.generation++;
    this.droppedCount = 0;
    this.lastSeq = -1;
    this.states = {};
    this.conns = new Map();
    this.checkpoints = new Map([[0, {}]]);
    this.byConn = new Map();
    this.byProtocol = new Map();
    this.byType = new Map();
    this.searchTexts.clear();
    this.redactionSet.clear();
    this.notify({ cleared: true, refolded: true });
  }

  /** What the taps redacted (listed in an exported session's header). */
  addRedactions(names: Iterable<string>): void {
    for (const name of names) this.redactionSet.add(name);
  }
  get redactions(): string[] {
    return [...this.redactionSet];
  }

  // ---- derived model ----

  /** Fold state after the frame at `position` (clamped to the retained range; start - 1 is the state before it). */
  stateAt(position: number): FoldState {
    const before = Math.min(Math.max(position + 1, this.first), this.next);
    this.foldUpTo(before);
    return { conns: this.materialize(before), states: this.statesBefore(before) };
  }

  modelsAt(position: number) {
    const before = Math.min(Math.max(position + 1, this.first), this.next);
    this.foldUpTo(before);
    return this.fold.models({ conns: new Map(), states: this.statesBefore(before) });
  }

  /** While a file's state is still being derived in the background: how far it got. */
  get deriving(): { done: number; total: number } | undefined {
    return this.folded < this.next ? { done: this.folded - this.first, total: this.next - this.first } : undefined;
  }

  models() {
    return this.fold.models({ conns: new Map(), states: this.states });
  }

  /** Protocol chosen for each connection so far. */
  protocolOf(conn: string): string | undefined {
    return this.latestRecord(conn)?.protocol;
  }

  /**
   * Decodes one retained frame for a detail view (its connection's protocol, or `unknown` while undecided). Undefined
   * for a loaded frame the background derivation has not reached while its connection is still undecided.
   */
  decode(position: number): FrameDecode | undefined {
    const frame = this.frame(position);
    if (!frame) return undefined;
    const record = this.latestRecord(frame.conn);
    // Not derived yet and its connection undecided: any protocol named now would be a guess.
    if (position >= this.folded && record?.protocol === undefined) return undefined;
    const protocol = this.info(position)?.protocol ?? record?.protocol ?? 'unknown';
    const info = record?.info ?? { id: frame.conn, transport: frame.transport };
    const result = this.fold.decode(frame, protocol, info) as
      | DecodeResult<unknown>
      | { ok: true; type: string; message: LifecycleMessage; lifecycle: true };
    if (!result.ok) return { protocol, ok: false, error: result.error };
    const lifecycle = 'lifecycle' in result;
    let summary = result.type;
    if (!lifecycle) {
      try {
        summary = this.registry.get(protocol)?.summarize(result.message, result.type) ?? result.type;
      } catch {
        // A summarize() bug leaves the type as the summary rather than breaking the list.
      }
    }
    return { protocol, ok: true, type: result.type, message: result.message, lifecycle, summary };
  }

  /**
   * "Decode as": fixes a connection's protocol (undefined removes the override) and refolds the retained frames
   * from the oldest checkpoint. Frames of that connection already evicted stay in the old protocol's state.
   */
  decodeAs(conn: string, protocol: string | undefined): void {
    this.foldUpTo(this.next);
    this.registry.decodeAs(conn, protocol);
    const baseK = this.first / this.checkpointEvery;
    // Forget what the retained frames did to connection records; keep what evicted frames left.
    for (const [id, history] of this.conns) {
      let keep = history.at.length;
      while (keep > 0 && (history.at[keep - 1] as number) >= this.first) keep--;
      if (keep === 0) this.conns.delete(id);
      else {
        history.at.length = keep;
        history.records.length = keep;
      }
    }
    const history = this.conns.get(conn);
    const last = history?.records.at(-1);
    if (history && last?.protocol !== undefined && protocol !== undefined) {
      history.records[history.records.length - 1] = { ...last, protocol } as ConnRecord;
    }
    this.states = this.checkpoints.get(baseK) as States;
    this.checkpoints = new Map([[baseK, this.states]]);
    this.byProtocol = new Map();
    this.byType = new Map();
    for (let p = this.first; p < this.next; p++) {
      this.infos[p % this.cap] = undefined;
      this.step(p, this.slots[p % this.cap] as RawFrame);
    }
    this.notify({ refolded: true });
  }

  // ---- indexes ----

  /** Positions matching every given criterion, in order. */
  query(query: StoreQuery = {}): number[] {
    let from = Math.max(query.from ?? this.first, this.first);
    let to = Math.min(query.to ?? this.next, this.next);
    if (query.fromTime !== undefined) from = Math.max(from, this.positionAtTime(query.fromTime));
    if (query.toTime !== undefined) to = Math.min(to, this.positionAtTime(query.toTime));
    const typeKey = query.type === undefined ? undefined : query.type.includes('/') ? query.type : `${query.protocol ?? ''}/${query.type}`;
    const lists: PositionList[] = [];
    for (const [map, key] of [
      [this.byConn, query.conn],
      [this.byProtocol, query.protocol],
      [this.byType, typeKey],
    ] as const) {
      if (key === undefined) continue;
      const list = map.get(key);
      if (!list) return [];
      lists.push(list);
    }
    if (lists.length === 0) {
      const out: number[] = [];
      for (let p = from; p < to; p++) out.push(p);
      return out;
    }
    lists.sort((a, b) => a.length - b.length);
    let result = (lists[0] as PositionList).range(from, to);
    for (const other of lists.slice(1)) {
      const wanted = new Set(other.range(from, to));
      result = result.filter((p) => wanted.has(p));
    }
    return result;
  }

  /** Retained frame counts by connection / protocol / "protocol/type". */
  connections(): Map<string, number> {
    return counts(this.byConn);
  }
  protocols(): Map<string, number> {
    return counts(this.byProtocol);
  }
  types(): Map<string, number> {
    return counts(this.byType);
  }

  // ---- files ----

  /** The retained frames as a session file; the header lists protocols, redactions and the dropped count. */
  exportSession(header: Partial<Omit<SessionHeader, 'format' | 'version'>> = {}): string {
    const protocols = [...this.protocols().keys()].filter((id) => id !== 'unknown');
    return writeSession(
      sessionHeader({ protocols, redactions: this.redactions, ...(this.droppedCount ? { dropped: this.droppedCount } : {}), ...header }),
      this.frames(),
    );
  }

  /** Replaces the contents with a session file (text or its lines as they stream in). Bad lines throw unless lenient. */
  async importSession(
    source: string | Iterable<string> | AsyncIterable<string | readonly string[]>,
    options: {
      lenient?: boolean;
      file?: string;
      /**
       * Return once the frames are in, and derive protocols, types and state in slices while the page stays
       * responsive (`deriving` tells how far it got; stateAt() of a later position folds up to it at once). A
       * million frames list in seconds; their state follows. Without it the import returns fully derived.
       */
      background?: boolean;
    } = {},
  ) {
    this.clear();
    const lines = typeof source === 'string' ? source.split(/\r?\n/) : source;
    // While a file loads, views hear about it a few times a second rather than after every chunk: each notification
    // re-renders the panel, and a million frames arrive in thousands of chunks.
    this.holding = true;
    this.deferring = options.background === true;
    let lastRelease = performance.now();
    const onBatch = () => {
      if (performance.now() - lastRelease < IMPORT_NOTIFY_EVERY_MS) return undefined;
      this.releaseNotifications();
      this.holding = true;
      // Chunks that are already there arrive as microtasks, so the page would not paint until the file ends:
      // let it paint what it has (and follow its scroll) now.
      return yieldForPaint().then(() => {
        lastRelease = performance.now();
      });
    };
    try {
      const result = await readSessionLines(lines, { ...options, onFrame: (frame) => this.add(frame), onBatch });
      if (result.header.redactions) this.addRedactions(result.header.redactions);
      this.deferring = false;
      if (options.background) this.derived = this.deriveInBackground();
      else this.finish();
      return { header: result.header, errors: result.errors };
    } catch (error) {
      this.deferring = false;
      throw error;
    } finally {
      this.releaseNotifications();
    }
  }

  /** Settles once a background import's state is derived (at once when there is none). */
  derived: Promise<void> = Promise.resolve();

  /** Folds the deferred frames in slices of a few milliseconds, yielding to the page between them. */
  private async deriveInBackground(): Promise<void> {
    const generation = this.generation;
    let lastNotice = performance.now();
    // The listed frames paint first.
    await yieldToEventLoop();
    while (this.generation === generation && this.folded < this.next) {
      const sliceEnd = performance.now() + DERIVE_SLICE_MS;
      while (this.folded < this.next && performance.now() < sliceEnd) this.foldUpTo(Math.min(this.next, this.folded + 256));
      if (performance.now() - lastNotice >= IMPORT_NOTIFY_EVERY_MS) {
        lastNotice = performance.now();
        this.notify({ refolded: true });
      }
      await yieldToEventLoop();
    }
    if (this.generation !== generation) return;
    this.finish();
    this.notify({ refolded: true });
  }

  /** Folds deferred frames up to (not including) `position`. */
  private foldUpTo(position: number): void {
    const end = Math.min(position, this.next);
    while (this.folded < end) {
      const p = this.folded;
      this.step(p, this.slots[p % this.cap] as RawFrame);
      this.folded = p + 1;
    }
  }

  exportHar(): HarExport {
    return exportHar([...this.frames()]);
  }

  /** Replaces the contents with a HAR document (parsed JSON); unusable entries are returned, not thrown. */
  importHar(document: unknown): { errors: Array<{ entry: number; reason: string }> } {
    const { frames, errors } = importHar(document);
    this.clear();
    this.addMany(frames);
    this.finish();
    return { errors };
  }

  // ---- notifications ----

  /** Calls `listener` at most once per scheduled batch with what changed. Returns the unsubscribe. */
  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- internals ----

  private has(position: number): boolean {
    return Number.isInteger(position) && position >= this.first && position < this.next;
  }

  private stamp(input: FrameInput | RawFrame): RawFrame {
    // A complete frame in order is kept as it is (no copy per frame; do not mutate it after adding). Otherwise a
    // shallow copy gets its seq and t.
    if (input.seq !== undefined && input.seq > this.lastSeq && input.t !== undefined) {
      this.lastSeq = input.seq;
      return input as RawFrame;
    }
    const frame = { ...input } as RawFrame;
    if (input.t === undefined) frame.t = this.now();
    if (input.seq === undefined || input.seq <= this.lastSeq) {
      if (input.seq !== undefined) frame.meta = { ...input.meta, originalSeq: input.seq };
      frame.seq = this.lastSeq + 1;
    }
    this.lastSeq = frame.seq;
    return frame;
  }

  private evictBlock(): void {
    const newFirst = this.first + this.checkpointEvery;
    // Eviction keeps the checkpoint at the new first position: it must have been folded to.
    this.foldUpTo(newFirst);
    for (let p = this.first; p < newFirst; p++) {
      const slot = p % this.cap;
      const frame = this.slots[slot] as RawFrame;
      trim(this.byConn, frame.conn, newFirst);
      if (!this.byConn.has(frame.conn)) this.forgetConn(frame.conn);
      const info = this.infos[slot];
      if (info) {
        trim(this.byProtocol, info.protocol, newFirst);
        trim(this.byType, this.typeKey(info), newFirst);
      }
      this.infos[slot] = undefined;
      this.searchTexts.forget(slot);
    }
    this.checkpoints.delete(this.first / this.checkpointEvery);
    const evicted = newFirst - this.first;
    this.droppedCount += evicted;
    this.first = newFirst;
    this.notify({ evicted });
  }

  /** Folds the frame at `position` with a one-entry connection map, and keeps what changed. */
  private step(position: number, frame: RawFrame): void {
    this.searchTexts.keep(position % this.cap, frame);
    const history = this.conns.get(frame.conn);
    const record = history?.records.at(-1);
    // Most frames belong to a connection whose protocol is known and add nothing to its record: folded without the
    // one-entry map and step result (this runs for every frame).
    const decided = record && this.fold.stepDecided(this.states, record, frame);
    if (decided) {
      this.states = decided.states;
      (history as ConnHistory).ended = endsConnection(frame);
      this.settle(position, decided.info);
      if ((position + 1) % this.checkpointEvery === 0) this.checkpoints.set((position + 1) / this.checkpointEvery, this.states);
      return;
    }
    // One scratch map for every step: the fold reads it and returns a new map if it changes anything, and the
    // result is read right here.
    const conns = this.scratchConns;
    conns.clear();
    if (record) conns.set(frame.conn, record);
    const result = this.fold.step({ conns, states: this.states }, frame);
    this.states = result.state.states;
    const next = result.state.conns.get(frame.conn);
    if (next && next !== record) this.pushRecord(frame.conn, position, next);
    const updated = this.conns.get(frame.conn);
    if (updated) updated.ended = endsConnection(frame);
    this.record(result.settled, { seq: frame.seq, position });
    if ((position + 1) % this.checkpointEvery === 0) this.checkpoints.set((position + 1) / this.checkpointEvery, this.states);
  }

  private pushRecord(conn: string, position: number, record: ConnRecord): void {
    let history = this.conns.get(conn);
    if (!history) {
      history = { at: [], records: [], ended: false };
      this.conns.set(conn, history);
    }
    history.at.push(position);
    history.records.push(record);
  }

  private latestRecord(conn: string): ConnRecord | undefined {
    return this.conns.get(conn)?.records.at(-1);
  }

  /** The connection's record before the frame at `position`: the last one set at an earlier position. */
  private recordBefore(conn: string, position: number): ConnRecord | undefined {
    const history = this.conns.get(conn);
    if (!history) return undefined;
    let lo = 0;
    let hi = history.at.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((history.at[mid] as number) < position) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? history.records[lo - 1] : undefined;
  }

  /** Every connection's record before `position`, as the Fold's map (for stateAt and finish). */
  private materialize(position: number): Map<string, ConnRecord> {
    const out = new Map<string, ConnRecord>();
    for (const conn of this.conns.keys()) {
      const record = this.recordBefore(conn, position);
      if (record) out.set(conn, record);
    }
    return out;
  }

  /** Protocol states before `position`: the checkpoint at or below it, then at most one block of steps. */
  private statesBefore(position: number): States {
    if (position >= this.next) return this.states;
    const k = Math.floor(position / this.checkpointEvery);
    let states = this.checkpoints.get(k) as States;
    for (let p = k * this.checkpointEvery; p < position; p++) {
      const frame = this.slots[p % this.cap] as RawFrame;
      const record = this.recordBefore(frame.conn, p);
      const decided = record && this.fold.stepDecided(states, record, frame);
      if (decided) {
        states = decided.states;
        continue;
      }
      const conns = new Map<string, ConnRecord>();
      if (record) conns.set(frame.conn, record);
      states = this.fold.step({ conns, states }, frame).state.states;
    }
    return states;
  }

  /**
   * A connection none of whose frames is retained: an ended one is forgotten (an HTTP exchange, a closed socket);
   * a live one keeps only its latest record, so its next frame still knows its protocol.
   */
  private forgetConn(conn: string): void {
    const history = this.conns.get(conn);
    if (!history) return;
    if (history.ended) this.conns.delete(conn);
    else if (history.at.length > 1) {
      history.at = history.at.slice(-1);
      history.records = history.records.slice(-1);
    }
  }

  private record(settled: ReadonlyArray<{ seq: number; info: FrameInfo }>, stepped?: { seq: number; position: number }): void {
    const lastPosition = stepped?.position ?? this.next - 1;
    const lastSeq = stepped?.seq ?? (this.next > this.first ? (this.slots[lastPosition % this.cap] as RawFrame).seq : undefined);
    for (const { seq, info } of settled) {
      // Usually the frame just folded settles itself: no search needed.
      const position = seq === lastSeq ? lastPosition : this.positionOfSeq(seq);
      if (position === undefined) continue;
      this.settle(position, info);
    }
  }

  /** The frame at `position` got its protocol and type (the first answer stands): kept and indexed. */
  private settle(position: number, info: FrameInfo): void {
    const slot = position % this.cap;
    if (this.infos[slot]) return;
    this.infos[slot] = info;
    listFor(this.byProtocol, info.protocol).add(position);
    listFor(this.byType, this.typeKey(info)).add(position);
  }

  /**
   * "protocol/type" of an info. The fold shares one info object per protocol/type that decoded, so its key is kept
   * by that object: a key built per frame was a new string to hash per frame.
   */
  private typeKey(info: FrameInfo): string {
    if (!info.ok) return `${info.protocol}/${info.type}`;
    let key = this.typeKeys.get(info);
    if (key === undefined) {
      key = `${info.protocol}/${info.type}`;
      this.typeKeys.set(info, key);
    }
    return key;
  }

  private notify(change: Partial<NonNullable<SessionStore['pending']>>): void {
    if (this.listeners.size === 0) return;
    const first = !this.pending;
    if (!this.pending) this.pending = { added: 0, evicted: 0, refolded: false, cleared: false };
    const pending = this.pending;
    pending.added += change.added ?? 0;
    pending.evicted += change.evicted ?? 0;
    pending.refolded ||= change.refolded ?? false;
    pending.cleared ||= change.cleared ?? false;
    // Counted before scheduling, so a synchronous scheduler sees this change too.
    if (first && !this.holding) this.schedule(() => this.flush());
  }

  private releaseNotifications(): void {
    this.holding = false;
    if (this.pending) this.schedule(() => this.flush());
  }

  private flush(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    const change: StoreChange = { ...pending, start: this.first, end: this.next, dropped: this.droppedCount };
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // One broken view must not stop the others from updating.
      }
    }
  }
}

function endsConnection(frame: RawFrame): boolean {
  if (frame.kind === 'close' || frame.kind === 'error') return true;
  return frame.transport === 'http' && frame.kind === 'response' && frame.meta?.chunk !== true;
}

function listFor(map: Map<string, PositionList>, key: string): PositionList {
  let list = map.get(key);
  if (!list) {
    list = new PositionList();
    map.set(key, list);
  }
  return list;
}

function trim(map: Map<string, PositionList>, key: string, first: number): void {
  const list = map.get(key);
  if (!list) return;
  list.trimBelow(first);
  if (list.length === 0) map.delete(key);
}

function counts(map: Map<string, PositionList>): Map<string, number> {
  return new Map([...map].map(([key, list]) => [key, list.length]));
}
