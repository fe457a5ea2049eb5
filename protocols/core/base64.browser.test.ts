import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64 } from './base64.ts';

// In Chromium the engine's own Uint8Array base64 is used; it must give what btoa/atob give (Node runs the other path).
describe('base64 in the browser', () => {
  it('matches the RFC 4648 vectors', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [text, b64] of vectors) {
      const bytes = new TextEncoder().encode(text);
      expect(bytesToBase64(bytes)).toBe(b64);
      expect(base64ToBytes(b64)).toEqual(bytes);
    }
  });

  it('agrees with btoa/atob on random bytes, both ways (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const viaBinary = btoa(String.fromCharCode(...bytes));
        expect(bytesToBase64(bytes)).toBe(viaBinary);
        expect([...base64ToBytes(viaBinary)]).toEqual([...bytes]);
      }),
      { seed: 4648, numRuns: 300 },
    );
  });
});
