import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppendLog } from './append-log.ts';

describe('AppendLog', () => {
  it('keeps every older version intact when a newer one or a branch appends', () => {
    const base = AppendLog.empty<number>().append(1, 2);
    const newer = base.append(3);
    const branch = base.append(9);
    expect(base.toArray()).toEqual([1, 2]);
    expect(newer.toArray()).toEqual([1, 2, 3]);
    expect(branch.toArray()).toEqual([1, 2, 9]);
    expect(JSON.stringify(base)).toBe('[1,2]');
    expect([...branch]).toEqual([1, 2, 9]);
    expect(newer.at(-1)).toBe(3);
    expect(newer.at(3)).toBeUndefined();
  });

  it('behaves as an immutable array under any sequence of appends to any version (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer()), { maxLength: 60 }), (ops) => {
        const logs = [AppendLog.empty<number>()];
        const arrays: number[][] = [[]];
        for (const [pick, value] of ops) {
          const from = pick % logs.length;
          logs.push((logs[from] as AppendLog<number>).append(value));
          arrays.push([...(arrays[from] as number[]), value]);
        }
        logs.forEach((log, i) => {
          expect(log.toArray()).toEqual(arrays[i]);
        });
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});
