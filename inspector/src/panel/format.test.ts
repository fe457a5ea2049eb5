import { describe, expect, it } from 'vitest';
import { diffValues, hexDump, toDisplayJson } from './format.ts';

describe('panel formatting', () => {
  it('hex dumps with offsets and printable ASCII', () => {
    expect(hexDump(new Uint8Array([0x48, 0x69, 0x00, 0xff]))).toBe(`00000000  ${'48 69 00 ff'.padEnd(47)}  Hi..`);
  });
  it('diffs entity values field by field', () => {
    expect(diffValues({ a: 1, b: { c: 2 }, gone: true }, { a: 1, b: { c: 3 }, added: 'x' })).toEqual([
      { path: 'b.c', kind: 'changed', before: 2, after: 3 },
      { path: 'gone', kind: 'removed', before: true },
      { path: 'added', kind: 'added', after: 'x' },
    ]);
    expect(diffValues(undefined, { a: 1 })).toEqual([{ path: '(value)', kind: 'added', after: { a: 1 } }]);
  });
  it('prints any decoded value without throwing', () => {
    const cyclic: Record<string, unknown> = { n: 1n, bytes: new Uint8Array(3), map: new Map([['k', 1]]) };
    cyclic.self = cyclic;
    expect(toDisplayJson(cyclic, 0)).toBe('{"n":"1n","bytes":"<3 bytes>","map":{"k":1},"self":"[cycle]"}');
  });
});
