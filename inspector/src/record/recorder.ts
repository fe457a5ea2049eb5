/**
 * Collects frames from any source (a tap, a proxy, an engine's own observer) into a session: numbers them in
 * arrival order, stamps the time, and writes the session file. Taps and engines build frames without seq/t.
 */
import { bytesToBase64, type RawFrame } from '@syncscope/protocols/core';
import { type SessionHeader, sessionHeader, writeSession } from '../session/session-file.ts';

export type FrameInput = Omit<RawFrame, 'seq' | 't'> & { t?: number };

export class Recorder {
  private readonly frames: RawFrame[] = [];
  private nextSeq = 0;

  constructor(private readonly now: () => number = Date.now) {}

  add(input: FrameInput): RawFrame {
    const frame = { ...input, seq: this.nextSeq++, t: input.t ?? this.now() } as RawFrame;
    this.frames.push(frame);
    return frame;
  }

  /** A payload as the right field: strings as text, bytes as base64, anything else as a structured value. */
  static payload(data: unknown): Pick<RawFrame, 'text' | 'b64' | 'json'> {
    if (typeof data === 'string') return { text: data };
    if (data instanceof Uint8Array) return { b64: bytesToBase64(data) };
    if (data instanceof ArrayBuffer) return { b64: bytesToBase64(new Uint8Array(data)) };
    if (ArrayBuffer.isView(data)) return { b64: bytesToBase64(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) };
    return { json: data };
  }

  all(): readonly RawFrame[] {
    return this.frames;
  }

  toSessionFile(header: Partial<Omit<SessionHeader, 'format' | 'version'>> = {}): string {
    return writeSession(sessionHeader(header), this.frames);
  }
}
