import { describe, expect, it } from 'vitest';
import { RecordTable, StampTable } from './persistent-tables.ts';

describe('StampTable', () => {
  it('sets and gets slots without changing the table it came from', () => {
    const empty = StampTable.empty();
    const one = empty.with([['teams/t1/name', 's1']]);
    const two = one.with([
      ['teams/t1/name', 's2'],
      ['teams/t1', 's1'],
    ]);
    expect(empty.get('teams/t1/name')).toBeUndefined();
    expect(one.get('teams/t1/name')).toBe('s1');
    expect(two.get('teams/t1/name')).toBe('s2');
    expect([empty.size, one.size, two.size]).toEqual([0, 1, 2]);
    expect(two.with([])).toBe(two);
  });

  it('holds thousands of slots, and round-trips through its record (keys sorted, "__proto__" an own key)', () => {
    const entries = Array.from({ length: 5_000 }, (_, i): [string, string] => [`matches/match-${i}/date`, `stamp-${i}`]);
    entries.push(['__proto__', 'odd']);
    const table = StampTable.empty().with(entries);
    for (const [slot, stamp] of entries) expect(table.get(slot)).toBe(stamp);
    const record = table.toRecord();
    expect(Object.keys(record)).toEqual(entries.map(([slot]) => slot).sort());
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.hasOwn(record, '__proto__')).toBe(true);
    const back = StampTable.from(record);
    expect(back.size).toBe(entries.length);
    expect(back.toRecord()).toEqual(record);
  });

  it('RecordTable keeps first-insertion order (a key set again keeps its place), as a spread object did', () => {
    let table = RecordTable.from<number>({ b: 1, a: 2 });
    const before = table;
    table = table.set('c', 3).set('b', 10).set('__proto__', 4).set('7', 5);
    const plain: Record<string, number> = { b: 1, a: 2 };
    const spread = { ...plain, c: 3, b: 10, ['__proto__']: 4, '7': 5 };
    expect(Object.entries(table.toRecord())).toEqual(Object.entries(spread));
    expect(table.get('b')).toBe(10);
    expect(before.get('b')).toBe(1);
    expect(before.get('c')).toBeUndefined();
    expect([before.size, table.size]).toEqual([2, 5]);
    const many = Array.from({ length: 3_000 }, (_, i) => `match-${(i * 7919) % 3_000}`);
    const big = many.reduce((t, key, i) => t.set(key, i), RecordTable.empty<number>());
    expect(Object.keys(big.toRecord())).toEqual(many);
  });
});
