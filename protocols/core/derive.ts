/**
 * Derived state over a growing list of frames, with checkpoints every N frames: the state at any frame is the
 * nearest checkpoint plus at most N-1 steps, so time travel costs the same at frame 10 and at frame 1,000,000,
 * and no state is deep-copied per frame.
 */
import { Fold, type FoldState, type FrameInfo, initialFoldState } from './fold.ts';
import type { RawFrame } from './frame.ts';
import type { CommonModel } from './model.ts';
import type { Registry } from './registry.ts';

export const DEFAULT_CHECKPOINT_EVERY = 1024;

export class Deriver {
  readonly fold: Fold;
  private readonly frames: RawFrame[] = [];
  private readonly infos: Array<FrameInfo | undefined> = [];
  private readonly indexBySeq = new Map<number, number>();
  /** checkpoints[k] = state after frames[0 .. k*every - 1] (checkpoints[0] is the initial state). */
  private readonly checkpoints: FoldState[] = [initialFoldState()];
  private current: FoldState = initialFoldState();

  constructor(
    registry: Registry,
    readonly checkpointEvery = DEFAULT_CHECKPOINT_EVERY,
  ) {
    this.fold = new Fold(registry);
  }

  get length(): number {
    return this.frames.length;
  }

  frame(index: number): RawFrame | undefined {
    return this.frames[index];
  }

  /** Protocol, type and decode result of a frame; undefined while its connection's protocol is undecided. */
  info(index: number): FrameInfo | undefined {
    return this.infos[index];
  }

  push(frame: RawFrame): void {
    const index = this.frames.length;
    this.frames.push(frame);
    this.infos.push(undefined);
    this.indexBySeq.set(frame.seq, index);
    const result = this.fold.step(this.current, frame);
    this.current = result.state;
    this.record(result.settled);
    if ((index + 1) % this.checkpointEvery === 0) this.checkpoints.push(this.current);
  }

  /** Settles connections still undecided (end of a recording). Live sessions leave them pending. */
  finish(): void {
    const result = this.fold.finish(this.current);
    this.current = result.state;
    this.record(result.settled);
  }

  /** State after frames[0..index]; -1 is the state before any frame. */
  stateAt(index: number): FoldState {
    if (index >= this.frames.length - 1) return this.current;
    const next = index + 1;
    const k = Math.floor(next / this.checkpointEvery);
    let state = this.checkpoints[k] as FoldState;
    for (let i = k * this.checkpointEvery; i < next; i++) state = this.fold.step(state, this.frames[i] as RawFrame).state;
    return state;
  }

  latest(): FoldState {
    return this.current;
  }

  modelsAt(index: number): Record<string, CommonModel> {
    return this.fold.models(this.stateAt(index));
  }

  private record(settled: Array<{ seq: number; info: FrameInfo }>): void {
    for (const { seq, info } of settled) {
      const index = this.indexBySeq.get(seq);
      if (index !== undefined) this.infos[index] = info;
    }
  }
}

/** A fresh fold of frames from the start, with no checkpoints: the reference the checkpointed path must equal. */
export function foldAll(registry: Registry, frames: readonly RawFrame[], upTo = frames.length - 1): FoldState {
  const fold = new Fold(registry);
  let state = initialFoldState();
  for (let i = 0; i <= upTo; i++) state = fold.step(state, frames[i] as RawFrame).state;
  return state;
}
