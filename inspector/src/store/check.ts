/**
 * What a recording failed to explain: frames whose connection no protocol claimed (`unknown`), frames that did not
 * decode, and frames still undecided. Used by tests that run an engine with the taps and expect every frame of it
 * to decode; `ignore` leaves out traffic that is not the engine's (a test runner's own sockets, a dev server).
 */
import type { FrameInfo, RawFrame } from '@syncscope/protocols/core';
import type { SessionStore } from './store.ts';

export interface DecodeProblem {
  position: number;
  frame: RawFrame;
  /** Undefined while the connection's protocol is undecided (call store.finish() first to settle them). */
  info: FrameInfo | undefined;
}

export function decodeProblems(store: SessionStore, ignore: (frame: RawFrame) => boolean = () => false): DecodeProblem[] {
  const problems: DecodeProblem[] = [];
  for (let position = store.start; position < store.end; position++) {
    const frame = store.frame(position) as RawFrame;
    if (ignore(frame)) continue;
    const info = store.info(position);
    if (!info?.ok || info.protocol === 'unknown') problems.push({ position, frame, info });
  }
  return problems;
}
