/**
 * The client side of one document (the note's `local`): a timeline journal of local mutations, a storage journal
 * of what the server applied, the cached server range of the timeline, and a SQLite database that is always
 * "storage + still-unapplied local mutations". Shared by the Node client and the browser SharedWorker; it knows
 * no socket and no SQLite binding, only the `ClientDatabase` surface and the protocol's messages.
 *
 * Rebase: local mutations run inside an open SAVEPOINT `pending`; a storage sync rolls it back, applies the new
 * storage entries, compacts the timeline through the entries the server applied (LSNs unchanged), opens the
 * savepoint again and re-applies what is left of the timeline.
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
    for (const [, mutation] of this.timeline.iterate()) this.applyInSavepoint(mutation);
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
    this.db.exec('ROLLBACK TO pending; RELEASE pending');
    let ownApplied = -1;
    partial.entries.forEach((entry, i) => {
      if (partial.range.first + i < from) return;
      if (entry.timeline === this.timeline.id) ownApplied = Math.max(ownApplied, entry.lsn);
      this.applyStorageEntry(partial.range.first + i, entry);
    });
    this.storage.syncReceive(partial);
    if (ownApplied >= 0) this.timeline.compactThrough(ownApplied);
    this.db.exec('SAVEPOINT pending');
    for (const [, mutation] of this.timeline.iterate()) this.applyInSavepoint(mutation);
  }

  /** Everything written here is applied into storage this client holds. */
  get settled(): boolean {
    return this.timeline.range === null && !this.timelineInFlight;
  }
}
