import { describe, expect, it } from 'vitest';
import { Journal, JournalError } from './journal.ts';

describe('Journal', () => {
  it('prepares byte-sized batches from a peer range and receives them', () => {
    const source = new Journal<string>('t');
    for (const entry of ['aaaa', 'bb', 'cccccc', 'd']) source.append(entry);
    const batch = source.prepareBatch(null, 6, (e) => e.length);
    expect(batch).toEqual({ id: 't', range: { first: 0, last: 1 }, entries: ['aaaa', 'bb'] });
    // A single entry larger than the budget still moves.
    expect(source.prepareBatch({ first: 0, last: 1 }, 3, (e) => e.length)?.entries).toEqual(['cccccc']);
    const target = new Journal<string>('t');
    expect(target.syncReceive(batch as NonNullable<typeof batch>)).toEqual({ first: 0, last: 1 });
    expect(() => target.syncReceive({ id: 't', range: { first: 3, last: 3 }, entries: ['d'] })).toThrow(JournalError);
    expect(source.prepareBatch({ first: 0, last: 3 }, 10, (e) => e.length)).toBeNull();
  });

  it('compaction drops a prefix and keeps LSNs stable', () => {
    const journal = new Journal<string>('t');
    for (const entry of ['a', 'b', 'c']) journal.append(entry);
    journal.compactThrough(1);
    expect(journal.range).toEqual({ first: 2, last: 2 });
    expect(journal.get(2)).toBe('c');
    expect(journal.append('d')).toBe(3);
    expect(() => journal.syncPrepare({ first: 0, max_length: 5 })).toThrow(/compacted/);
    journal.compactThrough(10);
    expect(journal.range).toBeNull();
    expect(journal.next).toBe(4);
  });
});
