/**
 * Reliability: every registered dissector and every codec meets at least 100,000 random and mutated frames.
 * Nothing may throw, and every frame must come out classified (decoded, or a typed error with a reason).
 * Mutations start from the protocols' own recorded fixtures, so they reach deep into each decoder.
 * Seeded: a failure prints the seed and the shrunk frame, and the same seed replays it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fold } from './core/fold.ts';
import { base64ToBytes, bytesToBase64, decodeCbor, decodeJson, decodeMsgpack, decodeNdjson, type RawFrame } from './core/index.ts';
import { createRegistry } from './index.ts';

const SEED = Number(process.env.SYNCSCOPE_FUZZ_SEED ?? 20261122);
const FRAMES_PER_DISSECTOR = 100_000;

function fixtureFrames(): RawFrame[] {
  const frames: RawFrame[] = [];
  for (const protocol of readdirSync(import.meta.dirname, { withFileTypes: true })) {
    if (!protocol.isDirectory() || protocol.name === 'core') continue;
    const dir = join(import.meta.dirname, protocol.name, 'fixtures');
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.syncscope.jsonl'));
    } catch {
      continue;
    }
    for (const file of files) {
      for (const line of readFileSync(join(dir, file), 'utf8').split('\n').slice(1)) {
        if (!line.trim()) continue;
        const frame = JSON.parse(line) as RawFrame;
        if (frame.text !== undefined || frame.b64 !== undefined) frames.push(frame);
      }
    }
  }
  return frames;
}

const seeds = fixtureFrames();

/** Bytes of a frame's payload, as the decoder would see them. */
const bytesOf = (frame: RawFrame) => (frame.b64 !== undefined ? base64ToBytes(frame.b64) : new TextEncoder().encode(frame.text ?? ''));

const mutation = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = bytes.length ? m.at % (bytes.length + 1) : 0;
  switch (m.op) {
    case 'flip': {
      const copy = bytes.slice();
      if (copy.length) copy[at % copy.length] = (copy[at % copy.length] as number) ^ (1 << m.bit);
      return copy;
    }
    case 'truncate':
      return bytes.subarray(0, at);
    case 'insert':
      return Uint8Array.from([...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at)]);
    default:
      return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + m.length)]);
  }
}

const randomFrame = fc.record({
  bytes: fc.uint8Array({ maxLength: 96 }),
  asText: fc.boolean(),
  transport: fc.constantFrom('websocket', 'http', 'broadcast', 'worker', 'idb'),
  kind: fc.constantFrom('message', 'request', 'response', 'write'),
  dir: fc.constantFrom('out', 'in', 'local'),
});

const mutatedFrame = seeds.length
  ? fc.record({ seed: fc.constantFrom(...seeds), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }), asText: fc.boolean() })
  : fc.constant(null);

function toFrame(bytes: Uint8Array, asText: boolean, base: Partial<RawFrame>): RawFrame {
  const payload = asText ? { text: new TextDecoder().decode(bytes) } : { b64: bytesToBase64(bytes) };
  return {
    seq: 0,
    t: 0,
    transport: 'websocket',
    dir: 'in',
    kind: 'message',
    ...base,
    // Always the fuzz connection, whose protocol the test fixes: a seed's own conn id would leave the frame
    // waiting for a protocol choice instead of reaching the dissector under test.
    conn: 'fuzz',
    text: undefined,
    b64: undefined,
    ...payload,
  } as RawFrame;
}

describe('fuzzing', () => {
  const registry = createRegistry();
  const fold = new Fold(registry);
  const ids = registry.ids();

  it.each(ids)(`dissector %s classifies ${FRAMES_PER_DISSECTOR} random and mutated frames without throwing`, (id) => {
    let classified = 0;
    const check = (frame: RawFrame) => {
      const conn = { id: 'fuzz', transport: frame.transport, url: frame.meta?.url };
      // Through the fold, the path every frame takes: decode, then reduce, each guarded into a classification.
      const step = fold.step({ conns: new Map([['fuzz', { info: conn, protocol: id, pending: [] }]]), states: {} }, frame);
      const info = step.settled[0]?.info;
      if (!info || info.protocol !== id || (!info.ok && !info.error?.reason))
        throw new Error(`unclassified frame: ${JSON.stringify(frame)}`);
      if (info.error?.reason.startsWith(`dissector ${id} threw`)) throw new Error(`${info.error.reason} on ${JSON.stringify(frame)}`);
      classified++;
    };
    const half = FRAMES_PER_DISSECTOR / 2;
    fc.assert(
      fc.property(randomFrame, (r) =>
        check(
          toFrame(r.bytes, r.asText, {
            transport: r.transport as RawFrame['transport'],
            kind: r.kind as RawFrame['kind'],
            dir: r.dir as RawFrame['dir'],
          }),
        ),
      ),
      { numRuns: seeds.length ? half : FRAMES_PER_DISSECTOR, seed: SEED },
    );
    if (seeds.length) {
      fc.assert(
        fc.property(mutatedFrame, (m) => {
          if (!m) return;
          let bytes = bytesOf(m.seed);
          for (const one of m.mutations) bytes = mutate(bytes, one);
          check(toFrame(bytes, m.seed.text !== undefined && m.asText, m.seed));
        }),
        { numRuns: half, seed: SEED + 1 },
      );
    }
    expect(classified).toBe(FRAMES_PER_DISSECTOR);
  });

  it(`every codec takes ${FRAMES_PER_DISSECTOR} random and mutated payloads without throwing`, () => {
    let count = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
        const text = new TextDecoder().decode(bytes);
        for (const result of [decodeCbor(bytes), decodeMsgpack(bytes), decodeJson(text), decodeNdjson(text)]) {
          // Classified: a decoded value, or an error that names its codec and a reason.
          if (!result.ok && !result.error.reason) throw new Error(`${result.error.codec} error without a reason`);
        }
        count++;
      }),
      { numRuns: FRAMES_PER_DISSECTOR, seed: SEED },
    );
    expect(count).toBe(FRAMES_PER_DISSECTOR);
  });
});
