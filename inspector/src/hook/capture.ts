/**
 * The core every tap feeds: numbers and stamps frames, redacts them, holds them in a bounded buffer (counting what
 * it drops), and delivers them in batches — at most one delivery per task — to whoever listens. With nobody
 * listening and no recording asked for, `active` is false and taps skip all work.
 */
import type { RawFrame } from '@syncscope/protocols/core';
import type { HookEvent, HookStatus, RedactionConfig } from '../bridge/messages.ts';
import { Redactor } from './redact.ts';

export type FramePart = Omit<RawFrame, 'seq' | 't'>;
export type HookListener = (event: HookEvent) => void;

export interface CaptureOptions {
  /** Frames held while nobody drains them (recording with no listener, or a burst); older ones are dropped. */
  bufferSize?: number;
  redaction?: RedactionConfig;
  /**
   * Schedules a delivery. Default: the next task when the last delivery is DELIVERY_INTERVAL_MS old, else when it
   * will be, so a burst of frames in one task is one batch and a stream of one frame per task is one batch per
   * interval.
   */
  schedule?: (run: () => void) => void;
  now?: () => number;
}

interface Entry {
  frame: RawFrame;
  /** False while an async payload (a Blob) is being read; delivery stops at the first entry not ready. */
  ready: boolean;
}

const MAX_TAP_ERRORS = 20;
/**
 * Least time between two deliveries while frames keep coming. A socket delivers each message in a task of its own,
 * and a delivery per message (a timer, a post to the relay, its clone read in the relay's world) cost the app about
 * a tenth of its receive throughput in the tap benchmark; one delivery per 10 ms is well under what a person notices.
 */
export const DELIVERY_INTERVAL_MS = 10;

export class Capture {
  readonly redactor: Redactor;
  private readonly bufferSize: number;
  private readonly schedule: (run: () => void) => void;
  private readonly now: () => number;
  /** Pending entries are entries[head..]; dropping the oldest moves `head` instead of shifting the array. */
  private entries: Entry[] = [];
  private head = 0;
  private seq = 0;
  private droppedCount = 0;
  private scheduled = false;
  private readonly hits = new Set<string>();
  /** When the last delivery ran (the clock of `schedule`'s default), for the default's pacing. */
  private lastDelivery = Number.NEGATIVE_INFINITY;
  private tapErrors = 0;
  private readonly listeners = new Set<HookListener>();
  /** Receive every event too, but do not make capture active by themselves (the extension bridge). */
  private readonly sinks = new Set<HookListener>();
  private readonly stateWatchers = new Set<() => void>();
  private readonly activation = new Set<() => void>();
  private connCounter = 0;
  /** A sink that is listening (e.g. the extension panel said so); direct subscribers count by themselves. */
  listening = false;
  recording = false;

  constructor(options: CaptureOptions = {}) {
    this.bufferSize = options.bufferSize ?? 10_000;
    this.redactor = new Redactor(options.redaction);
    const perf = globalThis.performance;
    const clock = perf ? () => perf.now() : Date.now;
    this.schedule =
      options.schedule ??
      ((run) =>
        setTimeout(
          () => {
            this.lastDelivery = clock();
            run();
          },
          Math.max(0, this.lastDelivery + DELIVERY_INTERVAL_MS - clock()),
        ));
    // timeOrigin is fixed for the context; reading it per frame cost about as much as performance.now() itself.
    const origin = perf?.timeOrigin;
    this.now = options.now ?? (origin ? () => origin + perf.now() : Date.now);
  }

  get delivering(): boolean {
    return this.listening || this.listeners.size > 0;
  }

  /** Whether taps should record anything at all. */
  get active(): boolean {
    return this.delivering || this.recording;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  status(): HookStatus {
    return { capturing: this.active, recording: this.recording, buffered: this.entries.length - this.head, dropped: this.droppedCount };
  }

  /** A connection id unique in this hook. */
  connId(prefix: string): string {
    return `${prefix}-${++this.connCounter}`;
  }

  /** Receives every event (frames, snapshots, status, tap errors). A listener makes the capture active. */
  subscribe(listener: HookListener): () => void {
    this.change(() => this.listeners.add(listener));
    return () => this.change(() => this.listeners.delete(listener));
  }

  addSink(sink: HookListener): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /** Detaches every listener and sink and forgets buffered frames: capture is off for good (uninstall). */
  close(): void {
    this.change(() => {
      this.listeners.clear();
      this.listening = false;
      this.recording = false;
    });
    this.sinks.clear();
    this.stateWatchers.clear();
    this.activation.clear();
    this.entries = [];
    this.head = 0;
  }

  /** Called whenever `active` may have changed. */
  onStateChange(run: () => void): void {
    this.stateWatchers.add(run);
  }

  /** Called when capture goes from paused to active: taps announce connections opened meanwhile. */
  onActivate(run: () => void): void {
    this.activation.add(run);
  }

  setListening(on: boolean): void {
    this.change(() => {
      this.listening = on;
    });
  }

  setRecording(on: boolean): void {
    this.change(() => {
      this.recording = on;
    });
  }

  private change(apply: () => void): void {
    const wasActive = this.active;
    apply();
    if (!wasActive && this.active) this.activated();
    if (wasActive !== this.active) for (const run of this.stateWatchers) this.guard('state', run);
    this.scheduleFlush();
  }

  /** A frame another context captured (a worker's hook): renumbered here, its connection named after its source. */
  forward(frame: RawFrame, source: string): void {
    if (!this.active || typeof frame !== 'object' || frame === null) return;
    this.append({ frame: { ...frame, seq: this.seq++, conn: `${source}|${frame.conn}` }, ready: true });
    this.scheduleFlush();
  }

  emit(part: FramePart): void {
    if (!this.active) return;
    this.push(part, true);
    this.scheduleFlush();
  }

  /** Takes a frame's place in the order now and fills its payload later; `complete(undefined)` drops it. */
  reserve(part: FramePart): (payload: Pick<RawFrame, 'text' | 'b64' | 'json' | 'size'> | undefined) => void {
    if (!this.active) return () => {};
    const entry = this.push(part, false);
    return (payload) => {
      if (payload) Object.assign(entry.frame, payload, this.redactPayload(payload, entry.frame));
      else entry.frame.meta = { ...entry.frame.meta, error: 'payload could not be read' };
      entry.ready = true;
      this.scheduleFlush();
    };
  }

  /** Sends a non-frame event (snapshot chunk, status, hello) to the listeners now. */
  send(event: HookEvent): void {
    for (const listener of [...this.listeners, ...this.sinks]) {
      try {
        listener(event);
      } catch {
        // A listener's bug stays with the listener.
      }
    }
  }

  /** Runs tap code; a bug in it is reported, never thrown into the app. */
  guard<T>(tap: string, run: () => T): T | undefined {
    try {
      return run();
    } catch (thrown) {
      this.report(tap, thrown);
      return undefined;
    }
  }

  report(tap: string, thrown: unknown): void {
    if (this.tapErrors++ >= MAX_TAP_ERRORS) return;
    const message = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
    this.send({ type: 'tap-error', tap, message });
  }

  /** Delivers the ready frames now (the batch scheduler calls this). */
  flush(): void {
    this.scheduled = false;
    if (!this.delivering || this.entries.length === this.head) return;
    let ready = this.head;
    while (ready < this.entries.length && (this.entries[ready] as Entry).ready) ready++;
    if (ready === this.head) return;
    const frames = this.entries.slice(this.head, ready).map((e) => e.frame);
    this.entries = this.entries.slice(ready);
    this.head = 0;
    this.send({ type: 'frames', frames, dropped: this.droppedCount });
  }

  /** Redacts a frame built outside the batch path (snapshots); it is the tap's own object. */
  redact(frame: RawFrame): RawFrame {
    return this.redactFrame(frame);
  }

  /** Frames the redactor touched carry meta.redacted. */
  private push(part: FramePart, ready: boolean): Entry {
    const frame = this.redactFrame({ ...part, seq: this.seq++, t: this.now() } as RawFrame);
    const entry = { frame, ready };
    this.append(entry);
    return entry;
  }

  private append(entry: Entry): void {
    if (this.entries.length - this.head >= this.bufferSize) {
      // The oldest frame goes; a reserved one still being read goes too (its completion then writes nowhere).
      this.head++;
      this.droppedCount++;
      if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
        this.entries = this.entries.slice(this.head);
        this.head = 0;
      }
    }
    this.entries.push(entry);
  }

  private redactFrame(frame: RawFrame): RawFrame {
    // One set for every frame (this runs per frame, and almost every frame has no hit).
    const hits = this.hits;
    hits.clear();
    const meta = frame.meta;
    if (meta) {
      if (meta.headers) meta.headers = this.redactor.headerRecord(meta.headers, hits);
      if (meta.url) meta.url = this.redactor.url(meta.url, hits);
    }
    if (typeof frame.text === 'string') frame.text = this.redactor.text(frame.text, hits);
    if (frame.json !== undefined) frame.json = this.redactor.value(frame.json, hits);
    if (hits.size) this.markRedacted(frame, hits);
    return frame;
  }

  private markRedacted(frame: RawFrame, hits: ReadonlySet<string>): void {
    frame.meta = { ...frame.meta, redacted: [...new Set([...(frame.meta?.redacted ?? []), ...hits])] };
  }

  /** Redacted text/json of a payload (only those fields); frames the redactor touched get meta.redacted. */
  private redactPayload(
    payload: Pick<RawFrame, 'text' | 'json'>,
    frame: RawFrame,
    hits = new Set<string>(),
  ): Pick<RawFrame, 'text' | 'json'> {
    const out: Pick<RawFrame, 'text' | 'json'> = {};
    if (typeof payload.text === 'string') out.text = this.redactor.text(payload.text, hits);
    if (payload.json !== undefined) out.json = this.redactor.value(payload.json, hits);
    if (hits.size) this.markRedacted(frame, hits);
    return out;
  }

  private scheduleFlush(): void {
    if (this.scheduled || !this.delivering) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  private activated(): void {
    for (const run of this.activation) this.guard('activate', run);
  }
}
