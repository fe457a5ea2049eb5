/**
 * Decodes a heuristic made, kept for the dissector's own decode of the same frame. Choosing a connection's protocol
 * means decoding its first frames, and the fold then decodes those frames again: a linear bootstrap body of 100,000
 * lines was parsed twice, and a pending connection's frames once more per frame it waited for.
 *
 * Keyed by frame identity, which is sound only for a decode that depends on the frame alone. Bounded, and a result is
 * forgotten once taken: a store keeps every frame, and must not keep every decoded message with it.
 */
import type { RawFrame } from './frame.ts';

export const HAND_OVER_CAPACITY = 64;

export class DecodeHandOver<T> {
  private readonly kept = new Map<RawFrame, T>();

  constructor(
    private readonly decode: (frame: RawFrame) => T,
    private readonly capacity = HAND_OVER_CAPACITY,
  ) {}

  /** For heuristics: the frame decoded, kept for `take` (a frame peeked twice is decoded once). */
  peek(frame: RawFrame): T {
    const kept = this.kept.get(frame);
    if (kept !== undefined || this.kept.has(frame)) return kept as T;
    const result = this.decode(frame);
    if (this.kept.size >= this.capacity) this.kept.delete(this.kept.keys().next().value as RawFrame);
    this.kept.set(frame, result);
    return result;
  }

  /** For the dissector: the result a heuristic kept for this frame, forgotten now, else a fresh decode. */
  take(frame: RawFrame): T {
    if (this.kept.size === 0) return this.decode(frame);
    const kept = this.kept.get(frame);
    if (kept === undefined && !this.kept.has(frame)) return this.decode(frame);
    this.kept.delete(frame);
    return kept as T;
  }

  get size(): number {
    return this.kept.size;
  }
}
