import { describe, expect, it } from 'vitest';
import type { RawFrame } from './frame.ts';
import { DecodeHandOver } from './hand-over.ts';

const frame = (seq: number): RawFrame =>
  ({ seq, t: 0, transport: 'websocket', conn: 'c1', dir: 'in', kind: 'message', text: `{"n":${seq}}` }) as RawFrame;

/** A hand-over whose decode counts its calls, so a test can tell a kept result from a fresh decode. */
function counting(capacity?: number) {
  const calls: number[] = [];
  const handOver = new DecodeHandOver((f: RawFrame) => {
    calls.push(f.seq);
    return { seq: f.seq, decoded: JSON.parse(f.text as string) };
  }, capacity);
  return { handOver, calls };
}

describe('DecodeHandOver', () => {
  it('gives the dissector the very result a heuristic peeked, decoding once', () => {
    const { handOver, calls } = counting();
    const f = frame(1);
    const peeked = handOver.peek(f);
    expect(handOver.peek(f)).toBe(peeked);
    expect(handOver.take(f)).toBe(peeked);
    expect(calls).toEqual([1]);
  });

  it('forgets a result once taken: a second take decodes afresh and nothing is kept', () => {
    const { handOver, calls } = counting();
    const f = frame(2);
    const peeked = handOver.peek(f);
    handOver.take(f);
    expect(handOver.size).toBe(0);
    const again = handOver.take(f);
    expect(again).not.toBe(peeked);
    expect(again).toEqual(peeked);
    expect(calls).toEqual([2, 2]);
  });

  it('keys by frame identity: an equal but different frame object is decoded afresh', () => {
    const { handOver, calls } = counting();
    handOver.peek(frame(3));
    handOver.take(frame(3));
    expect(calls).toEqual([3, 3]);
    expect(handOver.size).toBe(1);
  });

  it('keeps at most its capacity, dropping the oldest peek first', () => {
    const { handOver, calls } = counting(4);
    const frames = Array.from({ length: 10 }, (_, i) => frame(i));
    for (const f of frames) handOver.peek(f);
    expect(handOver.size).toBe(4);
    calls.length = 0;
    for (const f of frames.slice(6)) handOver.take(f);
    expect(calls).toEqual([]);
    handOver.take(frames[0] as RawFrame);
    expect(calls).toEqual([0]);
    expect(handOver.size).toBe(0);
  });

  it('keeps an undefined result too (a peeked miss is not decoded twice)', () => {
    let decodes = 0;
    const handOver = new DecodeHandOver<undefined>(() => {
      decodes++;
      return undefined;
    });
    const f = frame(5);
    handOver.peek(f);
    handOver.peek(f);
    handOver.take(f);
    expect(decodes).toBe(1);
  });
});
