import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deriver, foldAll } from './derive.ts';
import { RawFrame } from './frame.ts';
import { HEURISTIC_WINDOW, Registry } from './registry.ts';
import { testDissector } from './test-dissector.ts';

const frame = (over: Partial<RawFrame>): RawFrame =>
  ({ seq: 0, t: 0, transport: 'websocket', conn: 'c1', dir: 'in', kind: 'message', text: '{}', ...over }) as RawFrame;

describe('RawFrame', () => {
  it('accepts each payload form and lifecycle frames without one', () => {
    expect(RawFrame.safeParse(frame({ text: 'x' })).success).toBe(true);
    expect(RawFrame.safeParse(frame({ text: undefined, b64: 'AAE=' })).success).toBe(true);
    expect(RawFrame.safeParse(frame({ text: undefined, json: { a: 1 } })).success).toBe(true);
    expect(RawFrame.safeParse(frame({ text: undefined, kind: 'open', meta: { url: 'ws://x/' } })).success).toBe(true);
  });

  it('names what is wrong', () => {
    const two = RawFrame.safeParse(frame({ text: 'x', b64: 'AA==' }));
    expect(two.success).toBe(false);
    expect(two.error?.issues[0]?.message).toBe('a frame carries one payload field, found text and b64');
    const none = RawFrame.safeParse(frame({ text: undefined }));
    expect(none.error?.issues[0]?.message).toBe('a message frame needs one of text, b64 or json');
    const badB64 = RawFrame.safeParse(frame({ text: undefined, b64: 'not base64!' }));
    expect(badB64.error?.issues[0]?.path).toEqual(['b64']);
    const badDir = RawFrame.safeParse(frame({ dir: 'sideways' as never }));
    expect(badDir.error?.issues[0]?.path).toEqual(['dir']);
  });
});

describe('Registry', () => {
  const registry = () => new Registry([testDissector]);

  it('matches exactly by URL path or channel name, before any frame', () => {
    expect(registry().choose({ id: 'a', transport: 'websocket', url: 'ws://127.0.0.1:1/test-sync?x=1' }, [])).toEqual({
      id: 'test',
      how: 'exact',
    });
    expect(registry().choose({ id: 'b', transport: 'broadcast', channel: 'test-doc' }, [])).toEqual({ id: 'test', how: 'exact' });
  });

  it('falls back to heuristics, then to unknown after the window', () => {
    const conn = { id: 'c', transport: 'websocket' as const, url: 'ws://h/other' };
    expect(registry().choose(conn, [frame({ text: '{"op":"set"}' })])).toEqual({ id: 'test', how: 'heuristic' });
    expect(registry().choose(conn, [frame({ text: 'hello' })])).toBeUndefined();
    const many = Array.from({ length: HEURISTIC_WINDOW }, () => frame({ text: 'hello' }));
    expect(registry().choose(conn, many)).toEqual({ id: 'unknown', how: 'fallback' });
    expect(registry().choose(conn, [frame({ text: 'hello' })], true)).toEqual({ id: 'unknown', how: 'fallback' });
  });

  it('asks the protocol an endpoint was found to speak first, and all heuristics again when it no longer matches', () => {
    const asked: string[] = [];
    const prefixed = (id: string) => ({
      ...testDissector,
      id,
      exact: undefined,
      match: (_conn: unknown, frames: readonly RawFrame[]) => {
        asked.push(id);
        return frames.some((f) => f.text?.startsWith(`${id}:`)) ? 0.9 : 0;
      },
    });
    const r = new Registry([prefixed('a'), prefixed('b')]);
    const exchange = (id: string, url: string, text: string) => {
      asked.length = 0;
      const choice = r.choose({ id, transport: 'http', url }, [frame({ transport: 'http', conn: id, text })]);
      return { choice: choice?.id, asked: [...asked] };
    };
    expect(exchange('h1', 'http://h/sync?n=1', 'a:1')).toEqual({ choice: 'a', asked: ['a', 'b'] });
    // The same endpoint (another query): only the learned protocol is asked.
    expect(exchange('h2', 'http://h/sync?n=2', 'a:2')).toEqual({ choice: 'a', asked: ['a'] });
    // It no longer matches (a, the learned one, is asked first): the others are asked, and the endpoint is learned anew.
    expect(exchange('h3', 'http://h/sync?n=3', 'b:3')).toEqual({ choice: 'b', asked: ['a', 'b'] });
    expect(exchange('h4', 'http://h/sync', 'b:4')).toEqual({ choice: 'b', asked: ['b'] });
    // Another endpoint, or the same path on another origin, learned nothing yet.
    expect(exchange('h5', 'http://h/other', 'b:5')).toEqual({ choice: 'b', asked: ['a', 'b'] });
    expect(exchange('h6', 'http://elsewhere/sync', 'b:6')).toEqual({ choice: 'b', asked: ['a', 'b'] });
    // An undecided exchange teaches nothing.
    expect(exchange('h7', 'http://h/third', 'c:7')).toEqual({ choice: undefined, asked: ['a', 'b'] });
    expect(exchange('h8', 'http://h/third', 'c:8')).toEqual({ choice: undefined, asked: ['a', 'b'] });
  });

  it('lets "decode as" win, and refuses an unknown id clearly', () => {
    const r = registry();
    r.decodeAs('c', 'unknown');
    expect(r.choose({ id: 'c', transport: 'websocket', url: 'ws://h/test-sync' }, [])).toEqual({ id: 'unknown', how: 'override' });
    expect(() => r.decodeAs('c', 'nope')).toThrow('no dissector "nope" (known: unknown, test)');
  });
});

describe('fold', () => {
  it('keeps a connection on the protocol chosen first and folds a pending backlog in order', () => {
    const deriver = new Deriver(new Registry([testDissector]), 2);
    deriver.push(frame({ seq: 0, conn: 'x', text: 'hello' }));
    expect(deriver.info(0)).toBeUndefined();
    deriver.push(frame({ seq: 1, conn: 'x', text: '{"op":"set","key":"a","value":1}' }));
    expect(deriver.info(0)).toEqual({
      protocol: 'test',
      type: 'undecodable',
      ok: false,
      error: expect.objectContaining({ codec: 'json' }),
    });
    expect(deriver.info(1)).toEqual({ protocol: 'test', type: 'set', ok: true });
    deriver.push(frame({ seq: 2, conn: 'x', text: '{"op":"set","key":"a","value":"two"}' }));
    expect(deriver.info(2)?.error).toEqual({ reason: 'value: Invalid input: expected number, received string', path: ['value'] });
    const model = deriver.fold.models(deriver.latest()).test;
    expect(model?.entities.a?.value).toBe(1);
    expect(model?.queues.sets).toHaveLength(1);
  });

  it('turns a throwing dissector into a typed error instead of an exception', () => {
    const broken = {
      ...testDissector,
      id: 'broken',
      exact: { urlPath: /^\/broken/ },
      decode: () => {
        throw new Error('boom');
      },
    };
    const deriver = new Deriver(new Registry([broken]));
    deriver.push(frame({ seq: 0, kind: 'open', text: undefined, meta: { url: 'ws://h/broken' } }));
    deriver.push(frame({ seq: 1, text: 'x' }));
    expect(deriver.info(1)).toEqual({
      protocol: 'broken',
      type: 'undecodable',
      ok: false,
      error: { reason: 'dissector broken threw: boom' },
    });
  });
});

// Random sessions over a few connections, some speaking the test protocol (by URL or by heuristic), some not.
const sessionArbitrary = fc
  .array(
    fc.record({
      conn: fc.constantFrom('a', 'b', 'c', 'd'),
      kind: fc.constantFrom('message', 'message', 'message', 'open', 'close'),
      op: fc.constantFrom('set', 'ack', 'junk', 'text'),
      key: fc.constantFrom('k1', 'k2', 'k3'),
      value: fc.integer({ min: 0, max: 3 }),
    }),
    { maxLength: 80 },
  )
  .map((events) =>
    events.map((e, seq): RawFrame => {
      const url = e.conn === 'a' ? 'ws://h/test-sync' : `ws://h/${e.conn}`;
      if (e.kind !== 'message')
        return { seq, t: seq * 10, transport: 'websocket', conn: e.conn, dir: 'out', kind: e.kind as 'open', meta: { url } };
      const text =
        e.op === 'set'
          ? JSON.stringify({ op: 'set', key: e.key, value: e.value })
          : e.op === 'ack'
            ? JSON.stringify({ op: 'ack', key: e.key })
            : e.op === 'junk'
              ? '{"op":'
              : 'plain text';
      return { seq, t: seq * 10, transport: 'websocket', conn: e.conn, dir: 'in', kind: 'message', text, meta: { url } };
    }),
  );

describe('time travel', () => {
  it('state at any frame through checkpoints equals a fresh fold of frames 0..i', () => {
    fc.assert(
      fc.property(sessionArbitrary, fc.integer({ min: 1, max: 7 }), (frames, every) => {
        const registry = new Registry([testDissector]);
        const deriver = new Deriver(registry, every);
        for (const f of frames) deriver.push(f);
        for (let i = -1; i < frames.length; i++) {
          const viaCheckpoints = deriver.stateAt(i);
          const fresh = foldAll(registry, frames, i);
          expect(deriver.fold.models(viaCheckpoints)).toEqual(deriver.fold.models(fresh));
          expect([...viaCheckpoints.conns.entries()]).toEqual([...fresh.conns.entries()]);
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});
