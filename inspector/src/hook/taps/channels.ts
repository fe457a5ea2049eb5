/**
 * BroadcastChannel (every channel, by name) and postMessage to/from Worker, SharedWorker and MessagePort. Messages
 * are structured-cloned at the moment they are sent or received, so later changes the app makes are not seen.
 * The tap's own listeners do not start a MessagePort (only `onmessage` or `start()` do), so delivery is unchanged.
 */
import { WORKER_BRIDGE_CHANNEL } from '../../bridge/constants.ts';
import type { Capture } from '../capture.ts';
import type { Patches } from '../patch.ts';
import { structuredPayload } from '../payload.ts';

export function tapBroadcastChannel(g: typeof globalThis, capture: Capture, patches: Patches): void {
  const Native = g.BroadcastChannel;
  if (typeof Native !== 'function') return;
  const addListener = g.EventTarget.prototype.addEventListener;
  const names = new WeakMap<BroadcastChannel, string>();
  const frame = (name: string, op: 'post' | 'receive', data: unknown) =>
    capture.emit({
      transport: 'broadcast',
      conn: `broadcast:${name}`,
      dir: 'local',
      kind: 'message',
      ...structuredPayload(data),
      meta: { channel: name, op },
    });

  patches.constructor_(g, 'BroadcastChannel', (target, args, newTarget) => {
    const channel = Reflect.construct(target, args, newTarget) as BroadcastChannel;
    capture.guard('broadcast', () => {
      const name = channel.name;
      if (name === WORKER_BRIDGE_CHANNEL) return;
      names.set(channel, name);
      addListener.call(channel, 'message', (event: Event) => {
        if (capture.active) capture.guard('broadcast', () => frame(name, 'receive', (event as MessageEvent).data));
      });
    });
    return channel;
  });

  patches.method(Native.prototype, 'postMessage', (target, self, args) => {
    const result = Reflect.apply(target, self, args);
    const name = capture.active ? names.get(self as BroadcastChannel) : undefined;
    if (name !== undefined) capture.guard('broadcast', () => frame(name, 'post', args[0]));
    return result;
  });
}

export function tapWorkers(g: typeof globalThis, capture: Capture, patches: Patches): void {
  const addListener = g.EventTarget.prototype.addEventListener;
  const channels = new WeakMap<object, string>();
  let ports = 0;
  const frame = (channel: string, dir: 'in' | 'out', payload: ReturnType<typeof structuredPayload>) =>
    capture.emit({ transport: 'worker', conn: channel, dir, kind: 'message', ...payload, meta: { channel } });
  const listenIn = (target: EventTarget, channel: string) => {
    channels.set(target, channel);
    addListener.call(target, 'message', (event: Event) => {
      if (capture.active) capture.guard('worker', () => frame(channel, 'in', structuredPayload((event as MessageEvent).data)));
    });
  };
  const nameOf = (args: unknown[]) => {
    const options = args[1];
    const name = typeof options === 'string' ? options : (options as { name?: string } | undefined)?.name;
    return name || String(args[0]);
  };

  // Out: clone before the native call, which may transfer (detach) buffers; record only if it did not throw.
  const wrapPost = (proto: object | undefined, tap: string, fallback: (self: object) => string) =>
    patches.method(proto, 'postMessage', (target, self, args) => {
      if (!capture.active) return Reflect.apply(target, self, args);
      const payload = capture.guard(tap, () => structuredPayload(args[0]));
      const result = Reflect.apply(target, self, args);
      if (payload) capture.guard(tap, () => frame(channels.get(self as object) ?? fallback(self as object), 'out', payload));
      return result;
    });

  if (typeof g.Worker === 'function') {
    patches.constructor_(g, 'Worker', (target, args, newTarget) => {
      const worker = Reflect.construct(target, args, newTarget) as Worker;
      capture.guard('worker', () => listenIn(worker, `worker:${nameOf(args)}`));
      return worker;
    });
    wrapPost(g.Worker.prototype, 'worker', () => 'worker:?');
  }
  if (typeof g.SharedWorker === 'function') {
    patches.constructor_(g, 'SharedWorker', (target, args, newTarget) => {
      const shared = Reflect.construct(target, args, newTarget) as SharedWorker;
      capture.guard('worker', () => listenIn(shared.port, `sharedworker:${nameOf(args)}`));
      return shared;
    });
  }
  if (typeof g.MessagePort === 'function') {
    wrapPost(g.MessagePort.prototype, 'port', (port) => {
      const name = `port:${++ports}`;
      channels.set(port, name);
      return name;
    });
  }
}
