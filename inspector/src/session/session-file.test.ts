import type { RawFrame } from '@syncscope/protocols/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSessionLines, SessionLineError, sessionHeader, splitLines, writeSession } from './session-file.ts';

const structured = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: false }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt(),
    fc.date({ noInvalidDate: true }),
    fc.uint8Array({ maxLength: 8 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', '$sc', 'v'), tie('value'), { maxKeys: 3 }),
    fc.array(tie('value'), { maxLength: 3 }).map((items) => new Set(items)),
    fc.array(fc.tuple(fc.string({ maxLength: 3 }), tie('value')), { maxLength: 3 }).map((pairs) => new Map(pairs)),
  ),
})).value;

const frameArbitrary = fc
  .record({
    t: fc.double({ min: 0, max: 4e12, noNaN: true }),
    transport: fc.constantFrom('websocket', 'http', 'broadcast', 'worker', 'idb', 'opfs'),
    conn: fc.string({ minLength: 1, maxLength: 6 }),
    dir: fc.constantFrom('out', 'in', 'local'),
    payload: fc.oneof(
      fc.string().map((text) => ({ text })),
      fc.uint8Array({ maxLength: 32 }).map((b) => ({ b64: Buffer.from(b).toString('base64') })),
      structured.filter((v) => v !== undefined).map((json) => ({ json })),
    ),
    meta: fc.option(fc.record({ url: fc.webUrl(), status: fc.integer({ min: 100, max: 599 }) }), { nil: undefined }),
  })
  .map(({ payload, meta, ...rest }) => ({ ...rest, kind: 'message', ...payload, ...(meta ? { meta } : {}) }));

describe('session files', () => {
  it('write then read is the identity, whatever the chunking of the stream', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frameArbitrary, { maxLength: 20 }), fc.integer({ min: 1, max: 64 }), async (partial, chunkSize) => {
        const frames = partial.map((f, seq) => ({ seq, ...f }) as RawFrame);
        const text = writeSession(sessionHeader({ origin: 'http://127.0.0.1' }), frames);
        async function* chunks() {
          for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
        }
        const read = await readSessionLines(splitLines(chunks()));
        expect(read.frames).toEqual(frames);
        expect(read.header.origin).toBe('http://127.0.0.1');
      }),
      { numRuns: 200, seed: 5 },
    );
  });

  it('names the file, line and field of a bad line, and loads the rest when lenient', async () => {
    const lines = [
      JSON.stringify(sessionHeader()),
      JSON.stringify({ seq: 0, t: 1, transport: 'websocket', conn: 'a', dir: 'in', kind: 'message', text: 'ok' }),
      '{"seq": 1, "t": 2, "transport": "carrier-pigeon", "conn": "a", "dir": "in", "kind": "message", "text": "x"}',
      'not json at all',
      JSON.stringify({ seq: 3, t: 4, transport: 'websocket', conn: 'a', dir: 'in', kind: 'message', text: 'ok' }),
    ];
    await expect(readSessionLines(lines, { file: 's.jsonl' })).rejects.toThrow(/^s\.jsonl:3: not a frame: transport: Invalid option/);
    const lenient = await readSessionLines(lines, { file: 's.jsonl', lenient: true });
    expect(lenient.frames.map((f) => f.seq)).toEqual([0, 3]);
    expect(lenient.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^s\.jsonl:3: not a frame: transport/),
      expect.stringMatching(/^s\.jsonl:4: not JSON/),
    ]);
  });

  it('refuses a file without a valid header, saying why', async () => {
    await expect(readSessionLines([], { file: 'e.jsonl' })).rejects.toThrow('e.jsonl:1: the file is empty: no session header');
    await expect(readSessionLines(['{"format":"other"}'], { file: 'o.jsonl' })).rejects.toThrow(
      'o.jsonl:1: the first line has format "other", expected "syncscope-session"',
    );
    await expect(
      readSessionLines(['{"format":"syncscope-session","version":2,"createdAt":"2026-01-01T00:00:00Z"}']),
    ).rejects.toBeInstanceOf(SessionLineError);
  });
});
