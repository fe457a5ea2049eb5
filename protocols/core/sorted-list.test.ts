import fc from 'fast-check';
import { List } from 'immutable';
import { describe, expect, it } from 'vitest';
import { bisect, dropThrough, findSorted, insertSorted } from './sorted-list.ts';

const byLsn = (item: { lsn: number }) => item.lsn;

describe('sorted lists', () => {
  it('bisect finds the first index at or above a key, or strictly above it', () => {
    const list = List([1, 3, 3, 5]);
    const id = (n: number) => n;
    expect([0, 1, 3, 4, 6].map((key) => bisect(list, key, id))).toEqual([0, 0, 1, 3, 4]);
    expect([0, 1, 3, 4, 6].map((key) => bisect(list, key, id, true))).toEqual([0, 1, 3, 3, 4]);
    expect(bisect(List<number>(), 1, id)).toBe(0);
  });

  it('findSorted returns the item and its index, or -1', () => {
    const list = List([
      { lsn: 2, v: 'a' },
      { lsn: 4, v: 'b' },
    ]);
    expect(findSorted(list, 4, byLsn)).toEqual([{ lsn: 4, v: 'b' }, 1]);
    expect(findSorted(list, 3, byLsn)).toEqual([undefined, -1]);
    expect(findSorted(list, 9, byLsn)).toEqual([undefined, -1]);
  });

  it('insertSorted and dropThrough agree with sorting and filtering an array (seeded)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 60 }), fc.integer({ min: -1, max: 51 }), (keys, through) => {
        let list = List<{ lsn: number; order: number }>();
        keys.forEach((lsn, order) => {
          list = insertSorted(list, { lsn, order }, byLsn);
        });
        // Stable: equal keys stay in the order they were inserted, as Array.prototype.sort keeps them.
        const expected = keys.map((lsn, order) => ({ lsn, order })).sort((a, b) => a.lsn - b.lsn);
        expect(list.toArray()).toEqual(expected);
        expect(dropThrough(list, through, byLsn).toArray()).toEqual(expected.filter((item) => item.lsn > through));
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});
