/**
 * @syncscope/inspector/worker — taps inside a Worker or SharedWorker. Call `installWorkerHook({ name })` first
 * thing in the worker script: it taps the worker's own sockets, fetches, channels and IndexedDB, and forwards the
 * frames to the page's hook on the worker bridge channel (a BroadcastChannel, so the app's own postMessage traffic
 * between page and worker is untouched). Capture follows the page: it runs while someone listens there (and,
 * until the page has answered, records into its bounded buffer so that nothing the worker does first is lost).
 */
import { BRIDGE_VERSION, SOURCE, WORKER_BRIDGE_CHANNEL } from '../bridge/constants.ts';
import type { HookEvent } from '../bridge/messages.ts';
import { type HookHandle, type HookOptions, installHook } from '../hook/install.ts';

export interface WorkerHookOptions extends Omit<HookOptions, 'bridge' | 'workers' | 'context'> {
  /** How this worker's connections are prefixed in the page (default: the worker's name or script URL). */
  name?: string;
}

export function installWorkerHook(options: WorkerHookOptions = {}): HookHandle {
  const g = options.global ?? globalThis;
  // Until the page answers whether anyone listens, record (bounded): a socket the worker opens right away must not
  // lose its first frames to that round trip.
  const hook = installHook({ ...options, bridge: false, workers: false, context: 'worker', record: true });
  let answered = false;
  const name = options.name || (g as { name?: string }).name || String((g as { location?: { href?: string } }).location?.href ?? 'worker');
  if (typeof g.BroadcastChannel !== 'function') return hook;
  const channel = new g.BroadcastChannel(WORKER_BRIDGE_CHANNEL);
  const post = (event: HookEvent) => channel.postMessage({ source: SOURCE.worker, v: BRIDGE_VERSION, worker: name, event });
  hook.capture.addSink((event) => {
    if (hook.capture.listening) post(event);
  });
  channel.onmessage = (message) => {
    const data = message.data as { source?: unknown; v?: unknown; command?: { type?: unknown; on?: unknown } } | null;
    if (data?.source !== SOURCE.hook || data.v !== BRIDGE_VERSION) return;
    if (data.command?.type === 'listen' && typeof data.command.on === 'boolean') {
      hook.capture.setListening(data.command.on);
      if (!answered) {
        answered = true;
        hook.capture.setRecording(options.record ?? false);
      }
    }
  };
  // Ask the page whether anyone listens.
  post({ type: 'hello', url: name, context: 'worker', redactions: hook.redactions(), status: hook.capture.status() });
  const uninstall = hook.uninstall;
  return {
    ...hook,
    uninstall() {
      channel.close();
      uninstall();
    },
  };
}
