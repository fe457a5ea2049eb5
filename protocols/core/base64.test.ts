import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64 } from './base64.ts';

/** atob's answer as bytes, or the error it throws. */
function viaAtob(text: string): number[] | 'throws' {
  try {
    return [...atob(text)].map((c) => c.charCodeAt(0));
  } catch {
    return 'throws';
  }
}

function viaOurs(text: string): number[] | 'throws' {
  try {
    return [...base64ToBytes(text)];
  } catch {
    return 'throws';
  }
}

// Node runs the Buffer path (base64.browser.test.ts checks the engine's own in Chromium): it must answer as atob does.
describe('base64 in Node', () => {
  it('round-trips random bytes, padded and unpadded (fast-check, seeded)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const b64 = bytesToBase64(bytes);
        expect([...base64ToBytes(b64)]).toEqual([...bytes]);
        expect([...base64ToBytes(b64.replace(/=+$/, ''))]).toEqual([...bytes]);
      }),
      { seed: 20261204, numRuns: 2000 },
    );
  });

  it('accepts and rejects what atob does: whitespace, bad padding, characters outside the alphabet', () => {
    for (const text of ['Zg==', 'Zg', 'Zg=', 'Z', 'Zm9v YmFy', ' Zm9v\n', 'Zm9v=', 'Zm=9v', 'Zm9v*', '====', '', 'AB==', 'AB'])
      expect(viaOurs(text), JSON.stringify(text)).toEqual(viaAtob(text));
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ABCabc019+/= \n-_*'.split('')), maxLength: 24 }), (text) => {
        expect(viaOurs(text)).toEqual(viaAtob(text));
      }),
      { seed: 4, numRuns: 5000 },
    );
  });
});
