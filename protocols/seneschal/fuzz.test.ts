/**
 * Robustness of the seneschal dissector on its own: message-shaped random values and byte-mutated fixture frames
 * go through decode, reduce, summarize and model. Nothing may throw; every frame decodes or is a typed error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DissectorEvent, RawFrame } from '../core/index.ts';
import { seneschalDissector } from './dissector.ts';
import type { SeneschalMessage } from './schemas.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
const seeds: RawFrame[] = readdirSync(fixtures)
  .filter((f) => f.endsWith('.syncscope.jsonl'))
  .flatMap((f) =>
    readFileSync(join(fixtures, f), 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as RawFrame),
  )
  .filter((f) => f.text !== undefined);

const scalar = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(1e20));
const envelope = fc.record({
  timestamp: fc.oneof(fc.nat(), fc.constant(8.64e15 + 1), fc.constant(Number.MAX_SAFE_INTEGER)),
  clientID: fc.string({ minLength: 1, maxLength: 4 }),
  dispatch: fc.record({
    action: fc.constantFrom('items/upsert', 'items/delete', 'lists/upsert', 'x/y'),
    payload: fc.tuple(
      fc.string({ minLength: 1, maxLength: 3 }),
      fc.dictionary(fc.constantFrom('name', 'qty', '$deleted', '__proto__', 'listID'), scalar),
    ),
  }),
});
const message = fc.oneof(
  fc.record({
    type: fc.constant('dispatch'),
    id: fc.string({ minLength: 1, maxLength: 3 }),
    envelope,
    reason: fc.constantFrom('live', 'reduced', 'grant', 'revoke', 'correction'),
  }),
  fc.record({
    type: fc.constant('rehydrate'),
    dispatches: fc.array(fc.record({ id: fc.string({ minLength: 1, maxLength: 3 }), envelope }), { maxLength: 3 }),
  }),
  fc.record({ type: fc.constantFrom('rehydrateEnd'), accepted: fc.array(fc.string({ maxLength: 3 })), queued: fc.nat() }),
  fc.record({
    type: fc.constantFrom('received', 'ack', 'hello', 'welcome', 'share', 'teleport'),
    id: fc.string(),
    ids: fc.array(fc.string()),
  }),
  envelope,
  fc.anything(),
);

function run(frames: RawFrame[]): void {
  let state = seneschalDissector.init();
  const conn = { id: 'c', transport: 'websocket' as const };
  for (const frame of frames) {
    const decoded = seneschalDissector.decode(frame, conn);
    if (!decoded.ok) {
      expect(decoded.error.reason.length).toBeGreaterThan(0);
      continue;
    }
    seneschalDissector.summarize(decoded.message, decoded.type);
    const event: DissectorEvent<SeneschalMessage> = { lifecycle: false, type: decoded.type, message: decoded.message };
    state = seneschalDissector.reduce(state, event, frame, conn);
  }
  seneschalDissector.model(state);
}

describe('seneschal dissector under fuzzing', () => {
  it('takes message-shaped random values in both directions', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(message, fc.constantFrom('in', 'out') as fc.Arbitrary<'in' | 'out'>), { maxLength: 6 }), (items) => {
        run(
          items.map(([value, dir], seq) => ({
            seq,
            t: seq,
            transport: 'websocket',
            conn: 'c',
            dir,
            kind: 'message',
            text: JSON.stringify(value) ?? 'null',
          })),
        );
      }),
      { numRuns: 1500, seed: 2026 },
    );
  });

  it('takes byte-mutated fixture frames', () => {
    expect(seeds.length).toBeGreaterThan(50);
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.nat(), fc.integer({ min: 0, max: 65535 }), (index, at, code) => {
        const seed = seeds[index] as RawFrame;
        const text = seed.text ?? '';
        const cut = at % (text.length + 1);
        const mutated = [`${text.slice(0, cut)}${String.fromCharCode(code)}${text.slice(cut + 1)}`, text.slice(0, cut)];
        run(mutated.map((t, i) => ({ ...seed, seq: i, text: t })));
      }),
      { numRuns: 1500, seed: 2027 },
    );
  });
});
