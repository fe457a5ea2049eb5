/**
 * What every shell hands the panel: the session store plus the live-capture state around it (recording on/off, the
 * hook's own dropped count, storage snapshots, connection status) and a way to send commands to whoever captures.
 * The extension feeds it from its runtime port, the overlay from the page hook, the standalone page from a WebSocket;
 * a file-only panel has no `send` and shows no capture controls.
 */

import type { CommonModel, RawFrame } from '@syncscope/protocols/core';
import type { HookCommand, HookEvent } from '../bridge/messages.ts';
import { SessionStore } from '../store/index.ts';

export interface StorageSnapshot {
  kind: 'idb' | 'opfs';
  /** Local receive time (ms). */
  t: number;
  frames: RawFrame[];
  error?: string;
}

export interface PanelSessionOptions {
  store?: SessionStore;
  /** Sends a command to the capturing side; absent for a panel that only shows files. */
  send?: (command: HookCommand) => void;
  /** Bound on kept snapshots per kind. */
  maxSnapshots?: number;
}

let snapshotCounter = 0;

/**
 * Most characters of a tap error kept for the banner. The page reports tap errors and can make them any size; a
 * banner of megabytes would push every view out of the panel.
 */
export const MAX_ERROR_CHARS = 2000;

const clip = (text: string): string =>
  text.length <= MAX_ERROR_CHARS ? text : `${text.slice(0, MAX_ERROR_CHARS)}… (${text.length - MAX_ERROR_CHARS} more characters)`;

export class PanelSession {
  readonly store: SessionStore;
  readonly live: boolean;
  recording = true;
  /** Frames the capturing side dropped before they reached us (its running total). */
  hookDropped = 0;
  connected = false;
  origin: string | undefined;
  lastError: string | undefined;
  readonly snapshots: StorageSnapshot[] = [];
  /** Bumped when earlier frames' protocol/type may have changed (decode-as, a settled backlog, clear): caches keyed by it. */
  epoch = 0;
  private readonly pendingSnapshots = new Map<string, StorageSnapshot>();
  private readonly listeners = new Set<() => void>();
  /** Derived models by position: a past position's models never change until a refold (epoch), so views share them. */
  private readonly modelCache = new Map<string, Record<string, CommonModel>>();
  private readonly sendCommand: ((command: HookCommand) => void) | undefined;
  private readonly maxSnapshots: number;

  constructor(options: PanelSessionOptions = {}) {
    this.store = options.store ?? new SessionStore();
    this.sendCommand = options.send;
    this.live = options.send !== undefined;
    this.maxSnapshots = options.maxSnapshots ?? 8;
    this.store.subscribe((change) => {
      if (change.refolded || change.cleared) this.epoch++;
    });
  }

  /** Total frames lost: evicted by the store's cap plus dropped by the capturing side. */
  get dropped(): number {
    return this.store.dropped + this.hookDropped;
  }

  /** The common models after the frame at `position` (the latest when undefined), memoized. */
  modelsAt(position?: number): Record<string, CommonModel> {
    const store = this.store;
    if (store.size === 0) return {};
    const live = position === undefined || position >= store.end - 1;
    const key = live ? `${this.epoch}:live:${store.end}` : `${this.epoch}:${position}`;
    let models = this.modelCache.get(key);
    if (!models) {
      models = live ? store.models() : store.modelsAt(position as number);
      if (this.modelCache.size >= 256) this.modelCache.delete(this.modelCache.keys().next().value as string);
      this.modelCache.set(key, models);
    }
    return models;
  }

  /** Feeds one event from the capturing side (already validated by the shell). */
  accept(event: HookEvent): void {
    switch (event.type) {
      case 'hello':
        this.origin = event.url;
        this.connected = true;
        this.store.addRedactions(event.redactions);
        this.hookDropped = Math.max(this.hookDropped, event.status.dropped);
        break;
      case 'frames':
        this.connected = true;
        this.hookDropped = Math.max(this.hookDropped, event.dropped);
        if (this.recording) this.store.addMany(event.frames);
        break;
      case 'status':
        this.hookDropped = Math.max(this.hookDropped, event.status.dropped);
        break;
      case 'snapshot':
        this.acceptSnapshot(event);
        break;
      case 'tap-error':
        this.lastError = clip(`tap ${event.tap}: ${event.message}`);
        break;
    }
    this.changed();
  }

  setConnected(connected: boolean, origin?: string): void {
    this.connected = connected;
    if (origin !== undefined) this.origin = origin;
    this.changed();
  }

  /** Stop keeps what was captured and ignores new frames; record resumes. The capturing side is told either way. */
  setRecording(on: boolean): void {
    this.recording = on;
    this.sendCommand?.({ type: 'record', on });
    this.changed();
  }

  clear(): void {
    this.store.clear();
    this.hookDropped = 0;
    this.snapshots.length = 0;
    this.changed();
  }

  /** Asks the capturing side for a storage snapshot; it arrives as `snapshot` events. */
  requestSnapshot(kind: 'idb' | 'opfs'): void {
    const requestId = `${kind}-${Date.now().toString(36)}-${snapshotCounter++}`;
    this.pendingSnapshots.set(requestId, { kind, t: Date.now(), frames: [] });
    this.sendCommand?.(kind === 'idb' ? { type: 'snapshot-idb', requestId } : { type: 'snapshot-opfs', requestId });
    this.changed();
  }

  get canSnapshot(): boolean {
    return this.sendCommand !== undefined;
  }

  send(command: HookCommand): void {
    this.sendCommand?.(command);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private acceptSnapshot(event: Extract<HookEvent, { type: 'snapshot' }>): void {
    let pending = this.pendingSnapshots.get(event.requestId);
    if (!pending) {
      pending = { kind: event.kind, t: Date.now(), frames: [] };
      this.pendingSnapshots.set(event.requestId, pending);
    }
    for (const frame of event.frames) pending.frames.push(frame);
    if (event.error) pending.error = event.error;
    if (!event.done) return;
    this.pendingSnapshots.delete(event.requestId);
    this.snapshots.push(pending);
    const sameKind = this.snapshots.filter((s) => s.kind === pending.kind);
    if (sameKind.length > this.maxSnapshots) this.snapshots.splice(this.snapshots.indexOf(sameKind[0] as StorageSnapshot), 1);
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A broken view must not stop the others.
      }
    }
  }
}
