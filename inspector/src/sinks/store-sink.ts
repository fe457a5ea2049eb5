/**
 * A listener that puts a hook's events into a SessionStore: frames (renumbered by the store), the redaction list
 * for the recording header, and the hook's dropped count. The overlay and in-page recording use it as it is.
 */
import type { RawFrame } from '@syncscope/protocols/core';
import type { HookEvent } from '../bridge/messages.ts';
import type { SessionStore } from '../store/store.ts';

export interface StoreSinkOptions {
  /** Prefixes every connection id (several clients into one store). */
  connPrefix?: string;
  onEvent?: (event: HookEvent) => void;
}

export interface StoreSink {
  (event: HookEvent): void;
  /** Frames the source reported dropped before they reached us (its own ring buffer), latest total. */
  readonly sourceDropped: number;
}

export function storeSink(store: SessionStore, options: StoreSinkOptions = {}): StoreSink {
  let sourceDropped = 0;
  const prefix = options.connPrefix;
  const sink = ((event: HookEvent) => {
    if (event.type === 'frames') {
      sourceDropped = Math.max(sourceDropped, event.dropped);
      for (const frame of event.frames) store.add(prefix ? ({ ...frame, conn: `${prefix}|${frame.conn}` } as RawFrame) : frame);
    } else if (event.type === 'hello') store.addRedactions(event.redactions);
    options.onEvent?.(event);
  }) as StoreSink;
  Object.defineProperty(sink, 'sourceDropped', { get: () => sourceDropped });
  return sink;
}

/**
 * Records a hook into a store until `stop()`: the one-call way to run an app (or an engine's tests) with the taps
 * and keep what they saw. `stop()` delivers what is still buffered, detaches and settles undecided connections.
 */
export function recordHook(hook: { subscribe(listener: (event: HookEvent) => void): () => void; flush(): void }, store: SessionStore) {
  const off = hook.subscribe(storeSink(store));
  return {
    store,
    stop(): SessionStore {
      hook.flush();
      off();
      store.finish();
      return store;
    },
  };
}
