import { describe, expect, it } from 'vitest';
import { applyDiff, changedPaths, overlappingPaths } from './diff.ts';

describe('deep-object-diff diffs applied', () => {
  it('sets, deletes, recurses and shortens arrays without touching the base', () => {
    const base = { a: 1, b: { c: 2, d: 3 }, list: [1, 2, 3], gone: true };
    const next = applyDiff(base, { a: 5, b: { d: undefined, e: 4 }, list: { 2: undefined, 0: 9 }, gone: undefined });
    expect(next).toEqual({ a: 5, b: { c: 2, e: 4 }, list: [9, 2] });
    expect(base).toEqual({ a: 1, b: { c: 2, d: 3 }, list: [1, 2, 3], gone: true });
  });

  it('replaces a non-object with the diff value', () => {
    expect(applyDiff({ a: 1 }, { a: { x: 1 } })).toEqual({ a: { x: 1 } });
  });

  it('finds overlapping fields', () => {
    expect(changedPaths({ a: { b: 1, c: undefined }, d: 2 })).toEqual([['a', 'b'], ['a', 'c'], ['d']]);
    expect(overlappingPaths({ a: { b: 1 } }, { a: 2 })).toEqual([['a', 'b']]);
    expect(overlappingPaths({ a: { b: 1 } }, { a: { c: 2 } })).toEqual([]);
  });
});
