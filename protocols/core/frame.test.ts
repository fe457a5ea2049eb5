import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRawFrame, RawFrame } from './frame.ts';

const jsonValue = fc.jsonValue({ maxDepth: 2 });
/** Values of every sort a field may hold in a hostile or broken file. */
const anyValue = fc.oneof(
  jsonValue,
  fc.integer(),
  fc.nat(),
  fc.double(),
  fc.constant(2 ** 60),
  fc.constant(-1),
  fc.constant(''),
  fc.string(),
  fc.base64String(),
  fc.boolean(),
  fc.array(fc.string()),
  fc.dictionary(fc.string(), fc.string()),
  fc.constantFrom('websocket', 'http', 'out', 'in', 'message', 'open', 'ping'),
);
const validMeta = fc.record(
  {
    url: fc.webUrl(),
    method: fc.constantFrom('GET', 'PUT'),
    status: fc.integer({ min: 100, max: 599 }),
    headers: fc.dictionary(fc.string(), fc.string()),
    chunk: fc.boolean(),
    redacted: fc.array(fc.string()),
    code: fc.integer(),
    extra: jsonValue,
  },
  { requiredKeys: [] },
);
const validFrame = fc.record(
  {
    seq: fc.nat(),
    t: fc.double({ noNaN: true, noDefaultInfinity: true }),
    transport: fc.constantFrom('websocket', 'http', 'broadcast', 'worker', 'idb', 'opfs'),
    conn: fc.string({ minLength: 1 }),
    dir: fc.constantFrom('out', 'in', 'local'),
    kind: fc.constantFrom('open', 'close', 'error', 'request', 'response'),
    size: fc.nat(),
    meta: validMeta,
  },
  { requiredKeys: ['seq', 't', 'transport', 'conn', 'dir', 'kind'] },
);
const payload = fc.oneof(
  fc.record({ text: fc.string() }),
  fc.record({ b64: fc.base64String() }),
  fc.record({ json: jsonValue }),
  fc.constant({}),
);
const TOP_KEYS = ['seq', 't', 'transport', 'conn', 'dir', 'kind', 'text', 'b64', 'json', 'size', 'meta', 'stray'];
const META_KEYS = ['url', 'status', 'headers', 'chunk', 'redacted', 'code', 'requestSeq', 'error', 'extra'];
/** A valid frame with one or two fields (top-level or in meta) set to anything: the verdict hinges on them. */
const mutatedFrame = fc
  .tuple(
    validFrame,
    payload,
    fc.array(fc.tuple(fc.boolean(), fc.nat(), anyValue), { minLength: 0, maxLength: 2 }),
    fc.constantFrom('message', 'write', 'snapshot', undefined),
  )
  .map(([frame, body, mutations, kind]) => {
    const out: Record<string, unknown> = { ...frame, ...body, ...(kind ? { kind } : {}) };
    for (const [inMeta, index, value] of mutations) {
      if (inMeta) out.meta = { ...(out.meta as object), [META_KEYS[index % META_KEYS.length] as string]: value };
      else out[TOP_KEYS[index % TOP_KEYS.length] as string] = value;
    }
    return out;
  });

describe('parseRawFrame', () => {
  it('agrees with RawFrame.safeParse on random and mutated frames: same verdict, same frame (fast-check)', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedFrame, mutatedFrame, jsonValue), (raw) => {
        // Through JSON, as a session line arrives: no undefined values, JSON's own objects.
        const input = JSON.parse(JSON.stringify(raw) ?? 'null') as unknown;
        const fast = parseRawFrame(input);
        const zod = RawFrame.safeParse(input);
        expect(fast.success).toBe(zod.success);
        if (fast.success && zod.success) expect(fast.data).toEqual(zod.data);
      }),
      { seed: 20261122, numRuns: 5000 },
    );
  });

  it('takes every frame of the recorded fixtures by its fast path (the input object itself comes back)', () => {
    const root = join(import.meta.dirname, '..');
    let checked = 0;
    for (const protocol of ['linear', 'sqlsync', 'seneschal', 'updatelog', 'temporal']) {
      const dir = join(root, protocol, 'fixtures');
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.syncscope.jsonl'))) {
        for (const line of readFileSync(join(dir, file), 'utf8').trimEnd().split('\n').slice(1)) {
          const raw = JSON.parse(line) as unknown;
          const parsed = parseRawFrame(raw);
          expect(parsed.success, `${file}: ${line.slice(0, 80)}`).toBe(true);
          expect(parsed.data).toBe(raw);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
