/**
 * The page hook's end of the extension bridge; the relay content script (extension/shell/relay.ts) is the other.
 *
 * Why a MessagePort and not the window: a window `message` is dispatched to every listener of the page, in every
 * world. Each batch posted there was deserialized again by any listener reading `event.data` — the hook's own
 * command listener included, in the world that had just serialized it — and the app saw our traffic. So the window
 * carries only the handshake: the hook says hello there, the relay answers with a port of a MessageChannel of its
 * own (HOOK_PORT.offer, the port transferred), and from then on events and commands travel on that port. Before a
 * port exists (no relay yet) the window path stays as it was: events out, commands in.
 *
 * The page is untrusted and shares the window: whatever the relay posts there, a page script can post too, and the
 * hook cannot tell them apart. So:
 *   - the hook takes the first offer and refuses (closes) every later one while its port is open. The relay posts
 *     its offer at document_start, before any page script runs, and posted messages arrive in order, so when the
 *     hook is the extension's (also installed at document_start) a page's forged offer always comes second;
 *   - the hook's window listener is a capture listener registered before page scripts, and it stops the
 *     propagation of every relay-tagged message: page scripts never see the relay's port (nor take it);
 *   - on the port, only the relay's commands and its close are obeyed; anything else is ignored.
 * A hook installed late (by app code, after page scripts) gets a port too, by saying hello on the window; there the
 * page could race it with a forged offer, which costs the page only its own capture — it can uninstall the hook
 * anyway.
 */
import { BRIDGE_VERSION, HOOK_PORT, SOURCE } from '../bridge/constants.ts';
import type { HookCommand, HookEvent } from '../bridge/messages.ts';
import type { Capture } from './capture.ts';
import type { Patches } from './patch.ts';

/**
 * MessagePort methods as they were before the taps and page scripts ran: the worker tap wraps
 * MessagePort.prototype.postMessage (our own traffic is not the app's to capture), and a page may replace any of them.
 */
export interface PortNatives {
  post: (this: MessagePort, message: unknown) => void;
  start: (this: MessagePort) => void;
  close: (this: MessagePort) => void;
  listen: (this: EventTarget, type: string, listener: (event: MessageEvent) => void) => void;
}

/** Call before installing the taps. Undefined where there are no MessagePorts (the bridge then stays on the window). */
export function portNatives(g: typeof globalThis): PortNatives | undefined {
  const proto = g.MessagePort?.prototype;
  if (!proto || typeof g.EventTarget !== 'function') return undefined;
  return {
    post: proto.postMessage as PortNatives['post'],
    start: proto.start,
    close: proto.close,
    listen: g.EventTarget.prototype.addEventListener as PortNatives['listen'],
  };
}

export interface BridgeOptions {
  capture: Capture;
  patches: Patches;
  natives: PortNatives | undefined;
  command(command: HookCommand): void;
  hello(): HookEvent;
}

type FromRelay = { source: typeof SOURCE.relay; v: typeof BRIDGE_VERSION; type?: unknown; command?: unknown };

/** A relay message by its tags. Only the shape the hook needs is checked: the hook carries no zod. */
const fromRelay = (data: unknown): data is FromRelay =>
  (data as { source?: unknown } | null)?.source === SOURCE.relay && (data as { v?: unknown }).v === BRIDGE_VERSION;
const isCommand = (value: unknown): value is HookCommand =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';

export function installBridge(g: typeof globalThis, { capture, patches, natives, command, hello }: BridgeOptions): void {
  const target = g as unknown as Window;
  const origin = target.location?.origin && target.location.origin !== 'null' ? target.location.origin : '*';
  let port: MessagePort | undefined;

  const send = (message: unknown) => {
    if (port && natives) natives.post.call(port, message);
    else target.postMessage(message, origin);
  };
  const sayHello = () => send({ source: SOURCE.hook, v: BRIDGE_VERSION, event: hello() });
  // A sink, not a listener: capture stays paused until the panel says `listen`; only the hello goes out before.
  capture.addSink((event) => {
    if (event.type === 'hello' || capture.listening) send({ source: SOURCE.hook, v: BRIDGE_VERSION, event });
  });

  const release = () => {
    if (port && natives) natives.close.call(port);
    port = undefined;
  };

  const onPort = (own: MessagePort) => (event: MessageEvent) =>
    capture.guard('bridge', () => {
      const data = event.data as unknown;
      if (own !== port || !fromRelay(data)) return;
      if (data.type === HOOK_PORT.close) {
        // The relay is gone (extension reloaded or removed): nobody listens any more. A relay that comes later
        // offers a port of its own; a hello on the window reaches one that is already there.
        release();
        capture.setListening(false);
        return sayHello();
      }
      if (isCommand(data.command)) command(data.command);
    });

  const adopt = (offered: MessagePort, tools: PortNatives) => {
    port = offered;
    tools.listen.call(offered, 'message', onPort(offered));
    tools.start.call(offered);
    // The relay knows the port is ours when the hello arrives on it; it has no other way to tell.
    sayHello();
  };

  const onWindow = (event: MessageEvent) => {
    if (event.source !== target) return;
    const data = event.data as unknown;
    if (!fromRelay(data)) return;
    // Ours, not the app's to see; and a port offer not the app's to take.
    event.stopImmediatePropagation();
    capture.guard('bridge', () => {
      if (data.type === HOOK_PORT.offer) {
        const offered = [...event.ports];
        const [first] = offered;
        if (first && offered.length === 1 && natives && !port) return adopt(first, natives);
        // Refused: a second offer while ours is open (forged, or a relay answering a hello we sent before taking a
        // port), or a malformed one. Closed, so that nothing we do ever goes there.
        for (const other of offered) natives?.close.call(other);
        return;
      }
      // Commands on the window: before the relay has heard our hello on the port, it still sends them here.
      if (isCommand(data.command)) command(data.command);
    });
  };
  target.addEventListener('message', onWindow, { capture: true });
  patches.onUndo(() => {
    target.removeEventListener('message', onWindow, { capture: true });
    if (port) send({ source: SOURCE.hook, v: BRIDGE_VERSION, type: HOOK_PORT.close });
    release();
  });
  sayHello();
}
