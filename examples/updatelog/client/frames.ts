/** Frames the client reports to an observer, shaped like the taps' (see the conventions in the task notes). */
import type { RawFrame } from '@syncscope/protocols/core';

/** A frame without seq/t: the Recorder numbers and stamps it (same shape as @syncscope/inspector's FrameInput). */
export type FrameInput = Omit<RawFrame, 'seq' | 't'> & { t?: number };
export type FrameObserver = (frame: FrameInput) => void;
