/**
 * installHook(): one call installs every tap in this global scope (a page's main world, a worker, or Node) and
 * returns a handle whose `uninstall()` restores everything. Installing twice returns the first handle.
 *
 * Sinks: `subscribe(listener)` delivers events in this context (the overlay, a test, the Node remote sink); with
 * `bridge: true` (default in a page) events also go to the extension's content script, on a MessagePort the relay
 * hands over (see bridge.ts), once the panel says it listens. A page hook also gathers what worker hooks forward on
 * the worker bridge channel.
 */
import { BRIDGE_VERSION, SOURCE, WORKER_BRIDGE_CHANNEL } from '../bridge/constants.ts';
import type { HookCommand, HookEvent, RedactionConfig } from '../bridge/messages.ts';
import { installBridge, portNatives } from './bridge.ts';
import { Capture, type HookListener } from './capture.ts';
import { Patches } from './patch.ts';
import { snapshotIndexedDb, snapshotOpfs } from './snapshots.ts';
import { tapBroadcastChannel, tapWorkers } from './taps/channels.ts';
import { tapFetch } from './taps/fetch.ts';
import { tapIndexedDb } from './taps/idb.ts';
import { tapWebSocket } from './taps/websocket.ts';
import { tapXhr } from './taps/xhr.ts';

export interface HookOptions {
  /** Which taps to install (all by default). */
  taps?: Partial<Record<'websocket' | 'fetch' | 'xhr' | 'broadcast' | 'worker' | 'idb', boolean>>;
  redaction?: RedactionConfig;
  /** Frames held while nobody drains them; older ones are dropped and counted. Default 10,000. */
  bufferSize?: number;
  /** Bytes of a non-streamed HTTP body kept. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Send events to the extension's content script (on its MessagePort, see bridge.ts). Default: true in a window. */
  bridge?: boolean;
  /** Capture even with nobody listening (frames wait in the buffer). */
  record?: boolean;
  /** Gather frames forwarded by worker hooks. Default: true in a window. */
  workers?: boolean;
  /** Where to install (default globalThis). */
  global?: typeof globalThis;
  context?: 'page' | 'worker' | 'node';
  schedule?: (run: () => void) => void;
}

export interface HookHandle {
  readonly capture: Capture;
  /** Events of this hook: a hello first, then frames in batches, snapshots, status, tap errors. Subscribing turns capture on. */
  subscribe(listener: HookListener): () => void;
  /** What the panel can ask: listen, record, snapshots, redaction, ping. */
  command(command: HookCommand): void;
  /** Redaction list for the recording header. */
  redactions(): string[];
  /** Delivers buffered frames now instead of at the end of the task. */
  flush(): void;
  uninstall(): void;
}

const INSTALLED = Symbol.for('syncscope.hook');

export function installHook(options: HookOptions = {}): HookHandle {
  const g = options.global ?? globalThis;
  const existing = (g as unknown as Record<symbol, HookHandle | undefined>)[INSTALLED];
  if (existing) return existing;

  const isWindow = typeof (g as { window?: unknown }).window === 'object' && typeof g.postMessage === 'function' && 'document' in g;
  const context = options.context ?? (isWindow ? 'page' : 'worker');
  const capture = new Capture({ bufferSize: options.bufferSize, redaction: options.redaction, schedule: options.schedule });
  const patches = new Patches();
  // Before the taps: the worker tap wraps MessagePort.prototype.postMessage, and the bridge's port is not the app's.
  const natives = portNatives(g);
  const taps = options.taps ?? {};
  const on = (name: keyof NonNullable<HookOptions['taps']>, install: () => void) => {
    if (taps[name] !== false) capture.guard(name, install);
  };
  on('websocket', () => tapWebSocket(g, capture, patches));
  on('fetch', () => tapFetch(g, capture, patches, { maxBodyBytes: options.maxBodyBytes }));
  on('xhr', () => tapXhr(g, capture, patches));
  on('broadcast', () => tapBroadcastChannel(g, capture, patches));
  on('worker', () => tapWorkers(g, capture, patches));
  on('idb', () => tapIndexedDb(g, capture, patches));
  if (options.record) capture.setRecording(true);

  const status = () => capture.send({ type: 'status', status: capture.status() });
  const hello = (): HookEvent => ({
    type: 'hello',
    url: String((g as { location?: { href?: string } }).location?.href ?? ''),
    context,
    redactions: capture.redactor.list,
    status: capture.status(),
  });

  const command = (cmd: HookCommand) => {
    switch (cmd.type) {
      case 'listen':
        capture.setListening(cmd.on);
        return status();
      case 'record':
        capture.setRecording(cmd.on);
        return status();
      case 'snapshot-idb':
        return void snapshotIndexedDb(g, capture, cmd.requestId, cmd.maxRecords);
      case 'snapshot-opfs':
        return void snapshotOpfs(g, capture, cmd.requestId, cmd.path, cmd.maxBytes);
      case 'redaction':
        capture.redactor.configure(cmd.config);
        return capture.send(hello());
      case 'ping':
        return capture.send(hello());
    }
  };

  // ---- the extension bridge: a MessagePort to and from the content script (the window only for the handshake) ----
  if (options.bridge ?? isWindow) installBridge(g, { capture, patches, natives, command, hello });

  // ---- frames forwarded by worker hooks ----
  if ((options.workers ?? isWindow) && typeof g.BroadcastChannel === 'function') {
    // The BroadcastChannel tap ignores this channel by name.
    const channel = new g.BroadcastChannel(WORKER_BRIDGE_CHANNEL);
    const tell = () => channel.postMessage({ source: SOURCE.hook, v: BRIDGE_VERSION, command: { type: 'listen', on: capture.active } });
    channel.onmessage = (message) =>
      capture.guard('worker-bridge', () => {
        const data = message.data as { source?: unknown; v?: unknown; worker?: unknown; event?: HookEvent } | null;
        if (data?.source !== SOURCE.worker || data.v !== BRIDGE_VERSION || typeof data.worker !== 'string' || !data.event) return;
        if (data.event.type === 'hello') return tell();
        if (data.event.type === 'frames' && Array.isArray(data.event.frames)) {
          for (const frame of data.event.frames) capture.forward(frame, data.worker);
        } else capture.send(data.event);
      });
    capture.onStateChange(tell);
    patches.onUndo(() => channel.close());
  }

  const handle: HookHandle = {
    capture,
    subscribe(listener) {
      // A new listener first learns who it listens to (context, redactions for the recording header).
      capture.guard('subscribe', () => listener(hello()));
      return capture.subscribe(listener);
    },
    command,
    redactions: () => capture.redactor.list,
    flush: () => capture.flush(),
    uninstall() {
      patches.undo();
      capture.close();
      delete (g as unknown as Record<symbol, unknown>)[INSTALLED];
    },
  };
  (g as unknown as Record<symbol, HookHandle>)[INSTALLED] = handle;
  return handle;
}
