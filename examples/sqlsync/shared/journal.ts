/**
 * An append-only journal addressed by LSN (design note 001): `syncPrepare(RequestedLsnRange)` gives the slice to
 * send, `syncReceive(JournalPartial)` takes a slice in and answers the range now held.
 *
 * Batches are sized by bytes, not by a fixed count (one of the note's own observations): `prepareBatch` asks for
 * as many entries as fit in a byte budget, and always at least one so a large entry still moves.
 *
 * Compaction keeps LSNs stable: `compactThrough(lsn)` drops a prefix and moves `first` forward; nothing is ever
 * renumbered, so a peer's cached range stays meaningful, and a request for a dropped LSN is an explicit error.
 */
import type { LsnRange, RequestedLsnRange } from '@syncscope/protocols/sqlsync';

export interface Partial<T> {
  id: string;
  range: LsnRange;
  entries: T[];
}

export class JournalError extends Error {}

export class Journal<T> {
  /** LSN of entries[0]. An empty journal still knows where it continues (`next`). */
  private first: number;
  private entries: T[];

  constructor(
    readonly id: string,
    first = 0,
    entries: T[] = [],
  ) {
    this.first = first;
    this.entries = [...entries];
  }

  get range(): LsnRange | null {
    return this.entries.length === 0 ? null : { first: this.first, last: this.first + this.entries.length - 1 };
  }

  /** The LSN the next append gets. */
  get next(): number {
    return this.first + this.entries.length;
  }

  append(entry: T): number {
    this.entries.push(entry);
    return this.next - 1;
  }

  get(lsn: number): T | undefined {
    return lsn >= this.first ? this.entries[lsn - this.first] : undefined;
  }

  /** Entries with their LSNs, from `from` on. */
  *iterate(from = this.first): Generator<[number, T]> {
    for (let lsn = Math.max(from, this.first); lsn < this.next; lsn++) yield [lsn, this.entries[lsn - this.first] as T];
  }

  syncPrepare(request: RequestedLsnRange): Partial<T> | null {
    if (request.first < this.first) {
      throw new JournalError(`${this.id}: LSN ${request.first} was compacted away (journal starts at ${this.first})`);
    }
    if (request.first >= this.next) return null;
    const last = Math.min(this.next - 1, request.first + request.max_length - 1);
    return {
      id: this.id,
      range: { first: request.first, last },
      entries: this.entries.slice(request.first - this.first, last - this.first + 1),
    };
  }

  /** The request that fits `maxBytes` starting after what the peer has (`peerRange`), or null when nothing to send. */
  prepareBatch(peerRange: LsnRange | null, maxBytes: number, sizeOf: (entry: T) => number): Partial<T> | null {
    const from = Math.max(peerRange ? peerRange.last + 1 : 0, this.first);
    let bytes = 0;
    let count = 0;
    for (const [, entry] of this.iterate(from)) {
      bytes += sizeOf(entry);
      if (count > 0 && bytes > maxBytes) break;
      count++;
    }
    return count === 0 ? null : this.syncPrepare({ first: from, max_length: count });
  }

  /** Appends the part of `partial` that continues this journal; entries already held are skipped, a gap refused. */
  syncReceive(partial: Partial<T>): LsnRange | null {
    if (partial.range.first > this.next) {
      throw new JournalError(`${this.id}: received LSN ${partial.range.first} but the journal continues at ${this.next}`);
    }
    if (this.entries.length === 0 && this.first < partial.range.first) this.first = partial.range.first;
    partial.entries.forEach((entry, i) => {
      if (partial.range.first + i === this.next) this.entries.push(entry);
    });
    return this.range;
  }

  /** Drops every entry up to and including `lsn`; LSNs of the rest do not change. */
  compactThrough(lsn: number): void {
    const drop = Math.min(Math.max(0, lsn - this.first + 1), this.entries.length);
    this.entries = this.entries.slice(drop);
    this.first += drop;
  }

  toJSON(): { id: string; first: number; entries: T[] } {
    return { id: this.id, first: this.first, entries: this.entries };
  }
}
