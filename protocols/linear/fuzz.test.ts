/**
 * decode never throws: the linear fixtures' frames, mutated (bit flips, truncation, insertion), always come out
 * decoded or as a typed error with a reason. Seeded, so a failure replays.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, type RawFrame } from '../core/index.ts';
import { decodeFrame } from './decode.ts';

const dir = join(import.meta.dirname, 'fixtures');
const seeds: RawFrame[] = readdirSync(dir)
  .filter((f) => f.endsWith('.syncscope.jsonl'))
  .flatMap((f) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as RawFrame),
  )
  .filter((f) => f.text !== undefined || f.b64 !== undefined);

describe('linear decode under mutation', () => {
  it('classifies 10,000 mutated fixture frames without throwing', () => {
    let classified = 0;
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 2 }), (seed, at, bit, op) => {
        const bytes = seed.b64 !== undefined ? base64ToBytes(seed.b64) : new TextEncoder().encode(seed.text ?? '');
        const i = bytes.length ? at % bytes.length : 0;
        const mutated =
          op === 0
            ? bytes.subarray(0, i)
            : op === 1
              ? Uint8Array.from([...bytes.subarray(0, i), bit % 256, ...bytes.subarray(i)])
              : bytes.map((b, j) => (j === i ? b ^ (1 << (bit % 8)) : b));
        const frame = {
          ...seed,
          text: undefined,
          b64: undefined,
          ...(seed.text !== undefined ? { text: new TextDecoder().decode(mutated) } : { b64: bytesToBase64(mutated) }),
        } as RawFrame;
        const result = decodeFrame(frame);
        if (!result.ok && !result.error.reason) throw new Error(`error without a reason for ${JSON.stringify(frame)}`);
        classified++;
      }),
      { numRuns: 10_000, seed: 20261122 },
    );
    expect(classified).toBe(10_000);
  });
});
