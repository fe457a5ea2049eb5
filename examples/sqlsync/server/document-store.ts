/**
 * One document on the server, durable on disk (one SQLite file per document, better-sqlite3, WAL, synchronous
 * FULL): the client timelines it received, its storage journal, and the application's tables, all in the same
 * file so that "apply a mutation and append it to storage" is one transaction. A crash or restart at any point
 * leaves either the whole step or none of it; what was acknowledged (a timeline-range or storage entry sent after
 * its commit) is never lost.
 *
 * The receive queue is the note's priority heap of {timestamp, journal_id, LsnRange}: timestamps are a
 * per-document receive counter stored with each timeline entry, so the heap is rebuilt as it was after a restart.
 */
import { join } from 'node:path';
import type { LsnRange, Mutation, StorageEntry } from '@syncscope/protocols/sqlsync';
import Database from 'better-sqlite3';
import { applyMutation, SCHEMA_SQL, type SqlDatabase } from '../shared/mutations.ts';
import { nodeSql } from '../shared/sqlite-node.ts';

export class DuplicateTimelineError extends Error {}
export class LsnGapError extends Error {}

interface QueueItem {
  timestamp: number;
  timeline: string;
  range: LsnRange;
}

/** A small binary heap ordered by receive timestamp. */
class ReceiveQueue {
  private items: QueueItem[] = [];
  get size(): number {
    return this.items.length;
  }
  push(item: QueueItem): void {
    this.items.push(item);
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.items[parent] as QueueItem).timestamp <= item.timestamp) break;
      this.items[i] = this.items[parent] as QueueItem;
      i = parent;
    }
    this.items[i] = item;
  }
  pop(): QueueItem | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (!top || !last || this.items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      const at = (k: number) => (k === i ? last : (this.items[k] as QueueItem));
      if (left < this.items.length && at(left).timestamp < at(smallest).timestamp) smallest = left;
      if (right < this.items.length && at(right).timestamp < at(smallest).timestamp) smallest = right;
      if (smallest === i) break;
      this.items[i] = this.items[smallest] as QueueItem;
      i = smallest;
    }
    this.items[i] = last;
    return top;
  }
}

export class DocumentStore {
  private readonly db: Database.Database;
  private readonly sql: SqlDatabase;
  private readonly queue = new ReceiveQueue();
  private clock: number;

  constructor(
    readonly doc: string,
    dataDir: string,
  ) {
    this.db = new Database(join(dataDir, `${doc}.sqlite`));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS sqlsync_timeline (timeline TEXT NOT NULL, lsn INTEGER NOT NULL, mutation TEXT NOT NULL,
        received INTEGER NOT NULL, PRIMARY KEY (timeline, lsn));
      CREATE TABLE IF NOT EXISTS sqlsync_timeline_state (timeline TEXT PRIMARY KEY, last INTEGER NOT NULL, applied INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS sqlsync_storage (lsn INTEGER PRIMARY KEY, timeline TEXT NOT NULL, tlsn INTEGER NOT NULL,
        mutation TEXT NOT NULL, rejected TEXT);
    `);
    // The application's schema exists from the start, so reads of an empty document work.
    this.db.exec(SCHEMA_SQL);
    this.sql = nodeSql(this.db);
    this.clock = (this.db.prepare('SELECT COALESCE(MAX(received), 0) AS c FROM sqlsync_timeline').get() as { c: number }).c;
    this.rebuildQueue();
  }

  /** After a restart: every timeline with received-but-unapplied entries goes back into the heap. */
  private rebuildQueue(): void {
    const rows = this.db
      .prepare(
        `SELECT s.timeline, s.applied, s.last, MIN(t.received) AS ts FROM sqlsync_timeline_state s
         JOIN sqlsync_timeline t ON t.timeline = s.timeline AND t.lsn > s.applied WHERE s.applied < s.last GROUP BY s.timeline`,
      )
      .all() as Array<{ timeline: string; applied: number; last: number; ts: number }>;
    for (const row of rows)
      this.queue.push({ timestamp: row.ts, timeline: row.timeline, range: { first: row.applied + 1, last: row.last } });
  }

  timelineRange(timeline: string): LsnRange | null {
    const row = this.db.prepare('SELECT last FROM sqlsync_timeline_state WHERE timeline = ?').get(timeline) as { last: number } | undefined;
    return row && row.last >= 0 ? { first: 0, last: row.last } : null;
  }

  storageRange(): LsnRange | null {
    const row = this.db.prepare('SELECT MIN(lsn) AS first, MAX(lsn) AS last FROM sqlsync_storage').get() as {
      first: number | null;
      last: number | null;
    };
    return row.first === null || row.last === null ? null : { first: row.first, last: row.last };
  }

  /**
   * sync_receive of a client timeline partial: stores the entries that continue the timeline (durably, before the
   * caller acknowledges), skips ones already held if identical, refuses different content at a held LSN (two
   * clients generated the same timeline id) and gaps. Schedules a step by queueing the new range.
   */
  receiveTimeline(timeline: string, first: number, entries: readonly Mutation[]): LsnRange | null {
    const receive = this.db.transaction(() => {
      const state = this.db.prepare('SELECT last FROM sqlsync_timeline_state WHERE timeline = ?').get(timeline) as
        | { last: number }
        | undefined;
      let last = state?.last ?? -1;
      if (first > last + 1) throw new LsnGapError(`timeline ${timeline} continues at LSN ${last + 1}, received ${first}`);
      const existing = this.db.prepare('SELECT mutation FROM sqlsync_timeline WHERE timeline = ? AND lsn = ?');
      const insert = this.db.prepare('INSERT INTO sqlsync_timeline (timeline, lsn, mutation, received) VALUES (?, ?, ?, ?)');
      const added: number[] = [];
      entries.forEach((mutation, i) => {
        const lsn = first + i;
        const text = JSON.stringify(mutation);
        if (lsn <= last) {
          const held = existing.get(timeline, lsn) as { mutation: string } | undefined;
          if (held && held.mutation !== text) {
            throw new DuplicateTimelineError(
              `timeline ${timeline} already holds a different entry at LSN ${lsn}: is the id shared by two clients?`,
            );
          }
          return;
        }
        insert.run(timeline, lsn, text, ++this.clock);
        last = lsn;
        added.push(lsn);
      });
      this.db
        .prepare(
          'INSERT INTO sqlsync_timeline_state (timeline, last, applied) VALUES (?, ?, -1) ON CONFLICT(timeline) DO UPDATE SET last = excluded.last',
        )
        .run(timeline, last);
      return added;
    });
    const added = receive();
    const firstAdded = added[0];
    const lastAdded = added[added.length - 1];
    if (firstAdded !== undefined && lastAdded !== undefined) {
      this.queue.push({ timestamp: this.clock - added.length + 1, timeline, range: { first: firstAdded, last: lastAdded } });
    }
    return this.timelineRange(timeline);
  }

  get hasWork(): boolean {
    return this.queue.size > 0;
  }

  /**
   * remote.step: takes the earliest received range off the heap and applies its entries in order, each in one
   * transaction with its storage entry. A mutation the reducer refuses is rolled back and recorded as rejected.
   * Returns how many storage entries were appended.
   */
  step(): number {
    const item = this.queue.pop();
    if (!item) return 0;
    // The whole range in one transaction (one commit, one fsync, instead of one per mutation); each mutation still
    // runs in its own savepoint, so a refusal rolls back only that mutation. A crash keeps all of it or none.
    const applyRange = this.db.transaction(() => {
      let applied = (this.sql.all('SELECT applied FROM sqlsync_timeline_state WHERE timeline = ?', [item.timeline])[0]?.applied ??
        -1) as number;
      let next = (this.storageRange()?.last ?? -1) + 1;
      let appended = 0;
      for (let lsn = item.range.first; lsn <= item.range.last; lsn++) {
        if (lsn !== applied + 1) continue; // already applied (a re-queued range after restart), or out of order
        const row = this.sql.all('SELECT mutation FROM sqlsync_timeline WHERE timeline = ? AND lsn = ?', [item.timeline, lsn])[0] as
          | { mutation: string }
          | undefined;
        if (!row) break;
        const mutation = JSON.parse(row.mutation) as unknown;
        this.db.exec('SAVEPOINT reducer');
        let rejected: string | null = null;
        try {
          const outcome = applyMutation(this.sql, mutation);
          if (!outcome.ok) rejected = outcome.reason;
        } catch (thrown) {
          rejected = `reducer failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`;
        }
        this.db.exec(rejected === null ? 'RELEASE reducer' : 'ROLLBACK TO reducer; RELEASE reducer');
        this.sql.run('INSERT INTO sqlsync_storage (lsn, timeline, tlsn, mutation, rejected) VALUES (?, ?, ?, ?, ?)', [
          next++,
          item.timeline,
          lsn,
          row.mutation,
          rejected,
        ]);
        applied = lsn;
        appended++;
      }
      if (appended) this.sql.run('UPDATE sqlsync_timeline_state SET applied = ? WHERE timeline = ?', [applied, item.timeline]);
      return appended;
    });
    return applyRange();
  }

  /** Storage entries from `first`, at most `max` of them. */
  storageEntries(first: number, max: number): StorageEntry[] {
    const rows = this.db
      .prepare('SELECT timeline, tlsn, mutation, rejected FROM sqlsync_storage WHERE lsn >= ? ORDER BY lsn LIMIT ?')
      .all(first, max) as Array<{ timeline: string; tlsn: number; mutation: string; rejected: string | null }>;
    return rows.map((row) => ({
      timeline: row.timeline,
      lsn: row.tlsn,
      mutation: JSON.parse(row.mutation) as Mutation,
      ...(row.rejected !== null ? { rejected: row.rejected } : {}),
    }));
  }

  query(sql: string): Array<Record<string, unknown>> {
    return this.sql.all(sql);
  }

  close(): void {
    this.db.close();
  }
}
