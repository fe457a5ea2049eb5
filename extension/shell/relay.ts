/**
 * The isolated-world relay between the page hook (a MessagePort it hands the hook, see hook-link.ts; the window
 * until then) and the background (a runtime port).
 */
import {
  BackgroundToRelay,
  BRIDGE_VERSION,
  ChunkAssembler,
  eventToJson,
  HookToRelay,
  parseMessage,
  RELAY_PORT,
  type RelayToBackground,
  type RelayToHook,
  SOURCE,
  splitForChannel,
} from '@syncscope/inspector/bridge';
import { browser } from 'wxt/browser';
import { HookLink } from './hook-link.ts';

/**
 * The port messages to send the background for one message the page posted: none unless it is a valid hook message
 * (the page is untrusted, and may imitate the hook badly); a tap-error in its place when a valid event cannot cross
 * the JSON-only port (a payload nested deeper than the JSON hop can walk), so the loss shows in the panel instead of
 * as an exception in the relay.
 */
export function fromPage(data: unknown, budget?: number, pageUrl: string | undefined = globalThis.location?.href): unknown[] {
  if ((data as { source?: unknown } | null)?.source !== SOURCE.hook) return [];
  const parsed = parseMessage(HookToRelay, data);
  if (!parsed.ok) return [];
  // A hello names the page it comes from, and the panel shows that as the origin. The relay knows the page itself;
  // a page's forged hello must not pass for another site.
  const said = parsed.message.event;
  const event = said.type === 'hello' && said.context === 'page' && pageUrl !== undefined ? { ...said, url: pageUrl } : said;
  try {
    const message: RelayToBackground = { source: SOURCE.relay, v: BRIDGE_VERSION, type: 'hook', event: eventToJson(event) };
    return splitForChannel(message, SOURCE.relay, budget);
  } catch (thrown) {
    const reason = thrown instanceof Error ? thrown.message : String(thrown);
    const error: RelayToBackground = {
      source: SOURCE.relay,
      v: BRIDGE_VERSION,
      type: 'hook',
      event: { type: 'tap-error', tap: 'relay', message: `dropped a ${event.type} event that cannot cross to the extension: ${reason}` },
    };
    return [error];
  }
}

/** Whether a message fromPage let through is a hook's hello (so the hook asks for a port). */
const isHello = (data: unknown) => (data as { event?: { type?: unknown } }).event?.type === 'hello';

export function startRelay(): void {
  const port = browser.runtime.connect({ name: RELAY_PORT });
  const assembler = new ChunkAssembler();
  const origin = window.location.origin === 'null' ? '*' : window.location.origin;
  let connected = true;

  const toBackground = (message: RelayToBackground) => {
    if (!connected) return;
    for (const part of splitForChannel(message, SOURCE.relay)) port.postMessage(part);
  };
  // What the hook sends, on its port or on the window, is validated alike.
  const fromHook = (data: unknown): boolean => {
    if (!connected) return false;
    const parts = fromPage(data);
    for (const part of parts) port.postMessage(part);
    return parts.length > 0;
  };
  const link = new HookLink({ offer: (message, transfer) => window.postMessage(message, origin, [transfer]), receive: fromHook });
  const toHook = (message: RelayToHook) => {
    if (!link.command(message)) window.postMessage(message, origin);
  };

  window.addEventListener('message', (event: MessageEvent) => {
    if (event.source !== window || !connected) return;
    // A hello on the window comes from a hook without our port (or is forged: offers are capped, see HookLink).
    if (fromHook(event.data) && isHello(event.data)) link.offer();
  });

  port.onMessage.addListener((data: unknown) => {
    const assembled = assembler.accept(data);
    if (assembled.kind !== 'message') return;
    const parsed = parseMessage(BackgroundToRelay, assembled.message);
    if (parsed.ok) toHook({ source: SOURCE.relay, v: BRIDGE_VERSION, command: parsed.message.command });
  });
  port.onDisconnect.addListener(() => {
    connected = false;
    // The extension was reloaded or removed (or the page went into the back/forward cache): the hook is told, so
    // it stops capturing for nobody.
    link.close();
  });

  toBackground({ source: SOURCE.relay, v: BRIDGE_VERSION, type: 'ready', url: window.location.href });
  // The offer also asks a hook that said hello before this script ran to say it again, on the port.
  link.offer();
}
