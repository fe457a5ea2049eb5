/**
 * The client side of one document (the note's `local`): a timeline journal of local mutations, a storage journal
 * of what the server applied, the cached server range of the timeline, and a SQLite database that is always
 * "storage + still-unapplied local mutations". Shared by the Node client and the browser SharedWorker; it knows
 * no socket and no SQLite binding, only the `ClientDatabase` surface and the protocol's messages.
 *
 * Rebase: local mutations run inside an open SAVEPOINT `pending`; a storage sync rolls it back, applies the new
 * storage entries, compacts the timeline through the entries the server applied (LSNs unchanged), opens the
 * savepoint again and re-applies what is left of the timeline.
 *
 * Fast-forward: when the new storage entries are exactly the oldest of our own pending mutations, in order, all
 * accepted by the server and all applied here too, rolling back and re-applying would rebuild the very same
 * database (the reducer is deterministic and ran on the same state). Then only the journals move: those entries
 * stay applied inside `pending` (counted in `fastForwarded`), and the next real rebase applies them below it again
 * before anything else. A long offline queue thus rebases in O(batch) per storage sync, not O(queue).
 */
import type { ClientMessage, LsnRange, Mutation, ServerMessage, StorageEntry, StoragePartial } from '@syncscope/protocols/sqlsync';
import { mutationSize } from '@syncscope/protocols/sqlsync';
import { MAX_BATCH_BYTES } from './constants.ts';
import { Journal } from './journal.ts';
import { applyMutation, type ReduceOutcome, SCHEMA_SQL, type SqlDatabase } from './mutations.ts';

/** The client's record of its mutations the server's reducer refused. */
export const REJECTIONS_SQL =
  'CREATE TABLE IF NOT EXISTS sqlsync_rejections (storage_lsn INTEGER PRIMARY KEY, timeline_lsn INTEGER NOT NULL, mutation TEXT NOT NULL, reason TEXT NOT NULL)';

export interface ClientDatabase extends SqlDatabase {
  exec(sql: string): void;
}

/** What survives a reload: both journals. The database is rebuilt from them. */
export interface DocumentSnapshot {
  doc: string;
  timeline: { id: string; first: number; entries: Mutation[] };
  storage: { id: string; first: number; entries: StorageEntry[] };
}

export class ClientDocument {
  readonly timeline: Journal<Mutation>;
  readonly storage: Journal<StorageEntry>;
  serverTimeline: LsnRange | null = null;
  connected = false;
  readonly rejections: StorageEntry[] = [];
  readonly errors: Array<Extract<ServerMessage, { type: 'error' }>> = [];
  private timelineInFlight = false;
  /** The newest storage entries that are applied inside `pending` rather than below it (see fast-forward). */
  private fastForwarded = 0;
  /**
   * Timeline LSNs whose last local application the reducer refused (they changed nothing here). With one
   * deterministic reducer a mutation the server accepted on the same state is never among them; the check guards
   * against two SQLite builds (sqlite-wasm here, better-sqlite3 there) disagreeing.
   */
  private refusedHere = new Set<number>();

  constructor(
    readonly doc: string,
    timelineId: string,
    private readonly db: ClientDatabase,
    snapshot?: DocumentSnapshot,
  ) {
    this.timeline = snapshot
      ? new Journal(snapshot.timeline.id, snapshot.timeline.first, snapshot.timeline.entries)
      : new Journal<Mutation>(timelineId);
    this.storage = snapshot ? new Journal(doc, snapshot.storage.first, snapshot.storage.entries) : new Journal<StorageEntry>(doc);
    // The schema exists before any savepoint, so queries work on an empty document and no rollback drops it.
    this.db.run(SCHEMA_SQL);
    this.db.run(REJECTIONS_SQL);
    // Rebuild the database from the journals: storage first, then the pending local mutations on top.
    for (const [lsn, entry] of this.storage.iterate()) this.applyStorageEntry(lsn, entry);
    this.db.exec('SAVEPOINT pending');
    this.reapplyTimeline();
  }

  /** Replays the timeline inside `pending`, noting which mutations the reducer refuses on this state. */
  private reapplyTimeline(): void {
    this.refusedHere = new Set();
    for (const [lsn, mutation] of this.timeline.iterate()) if (!this.applyInSavepoint(mutation).ok) this.refusedHere.add(lsn);
  }

  snapshot(): DocumentSnapshot {
    return { doc: this.doc, timeline: this.timeline.toJSON(), storage: this.storage.toJSON() };
  }

  private applyInSavepoint(mutation: unknown): ReduceOutcome {
    this.db.exec('SAVEPOINT mutation');
    let outcome: ReduceOutcome;
    try {
      outcome = applyMutation(this.db, mutation);
    } catch (thrown) {
      outcome = { ok: false, reason: thrown instanceof Error ? thrown.message : String(thrown) };
    }
    this.db.exec(outcome.ok ? 'RELEASE mutation' : 'ROLLBACK TO mutation; RELEASE mutation');
    return outcome;
  }

  /**
   * One storage entry onto the database (outside the `pending` savepoint). A rejection of one of our own
   * mutations is recorded in `sqlsync_rejections`, so the app shows it with an ordinary query and it survives
   * every rebase.
   */
  private applyStorageEntry(lsn: number, entry: StorageEntry): void {
    if (entry.rejected === undefined) {
      this.applyInSavepoint(entry.mutation);
      return;
    }
    if (entry.timeline !== this.timeline.id) return;
    this.rejections.push(entry);
    this.db.run('INSERT OR IGNORE INTO sqlsync_rejections (storage_lsn, timeline_lsn, mutation, reason) VALUES (?, ?, ?, ?)', [
      lsn,
      entry.lsn,
      JSON.stringify(entry.mutation),
      entry.rejected,
    ]);
  }

  /** Runs a mutation locally; accepted ones join the timeline. Returns the messages to send now, if connected. */
  mutate(mutation: Mutation): { outcome: ReduceOutcome; send: ClientMessage[] } {
    const outcome = this.applyInSavepoint(mutation);
    if (!outcome.ok) return { outcome, send: [] };
    this.timeline.append(mutation);
    return { outcome, send: this.syncTimeline() };
  }

  /** Connection open: the documents message. */
  open(): ClientMessage {
    this.timelineInFlight = false;
    return { type: 'open', docs: [{ doc: this.doc, storageRange: this.storage.range, timeline: this.timeline.id }] };
  }

  disconnected(): void {
    this.connected = false;
    this.timelineInFlight = false;
  }

  /** Timeline sync: prepared from the cached server range, one partial in flight, sized by bytes. */
  syncTimeline(): ClientMessage[] {
    if (!this.connected || this.timelineInFlight) return [];
    const partial = this.timeline.prepareBatch(this.serverTimeline, MAX_BATCH_BYTES, mutationSize);
    if (!partial) return [];
    this.timelineInFlight = true;
    return [{ type: 'timeline-sync', doc: this.doc, partial }];
  }

  /** Handles one server message; returns the replies and whether the database changed. */
  receive(message: ServerMessage): { send: ClientMessage[]; changed: boolean } {
    switch (message.type) {
      case 'timeline-range': {
        if (message.timeline !== this.timeline.id) return { send: [], changed: false };
        const wasConnected = this.connected;
        this.serverTimeline = message.range;
        this.timelineInFlight = false;
        this.connected = true;
        return { send: this.syncTimeline(), changed: !wasConnected };
      }
      case 'storage-sync':
        this.receiveStorage(message.partial);
        return { send: [{ type: 'storage-range', doc: this.doc, range: this.storage.range }], changed: true };
      case 'error':
        this.errors.push(message);
        if (message.code === 'lsn-gap') this.timelineInFlight = false;
        return { send: [], changed: false };
    }
  }

  private receiveStorage(partial: StoragePartial): void {
    const from = this.storage.next;
    if (partial.range.first > from) return; // a gap: our storage-range reply makes the server resend from `from`
    const fresh = partial.entries.slice(from - partial.range.first);
    if (fresh.length && this.isFastForward(fresh)) {
      this.storage.syncReceive(partial);
      this.timeline.compactThrough((fresh.at(-1) as StorageEntry).lsn);
      this.fastForwarded += fresh.length;
      return;
    }
    this.db.exec('ROLLBACK TO pending; RELEASE pending');
    // Fast-forwarded entries were applied inside `pending`: put them below it again, in their order, first.
    for (const [lsn, entry] of this.storage.iterate(this.storage.next - this.fastForwarded)) this.applyStorageEntry(lsn, entry);
    this.fastForwarded = 0;
    let ownApplied = -1;
    fresh.forEach((entry, i) => {
      if (entry.timeline === this.timeline.id) ownApplied = Math.max(ownApplied, entry.lsn);
      this.applyStorageEntry(from + i, entry);
    });
    this.storage.syncReceive(partial);
    if (ownApplied >= 0) this.timeline.compactThrough(ownApplied);
    this.db.exec('SAVEPOINT pending');
    this.reapplyTimeline();
  }

  /** The entries are our oldest pending mutations, in order, accepted there and applied here: nothing to redo. */
  private isFastForward(entries: readonly StorageEntry[]): boolean {
    let expected = this.timeline.range?.first;
    if (expected === undefined) return false;
    for (const entry of entries) {
      if (entry.timeline !== this.timeline.id || entry.rejected !== undefined || entry.lsn !== expected) return false;
      const mine = this.timeline.get(expected);
      if (mine === undefined || this.refusedHere.has(expected) || JSON.stringify(mine) !== JSON.stringify(entry.mutation)) return false;
      expected++;
    }
    return true;
  }

  /** Everything written here is applied into storage this client holds. */
  get settled(): boolean {
    return this.timeline.range === null && !this.timelineInFlight;
  }
}
