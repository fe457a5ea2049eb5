/** The isolated-world relay between the page hook (window.postMessage) and the background (a runtime port). */
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

export function startRelay(): void {
  const port = browser.runtime.connect({ name: RELAY_PORT });
  const assembler = new ChunkAssembler();
  let connected = true;

  const toBackground = (message: RelayToBackground) => {
    if (!connected) return;
    for (const part of splitForChannel(message, SOURCE.relay)) port.postMessage(part);
  };
  const toHook = (message: RelayToHook) => window.postMessage(message, window.location.origin === 'null' ? '*' : window.location.origin);

  window.addEventListener('message', (event: MessageEvent) => {
    if (event.source !== window || !connected) return;
    for (const part of fromPage(event.data)) port.postMessage(part);
  });

  port.onMessage.addListener((data: unknown) => {
    const assembled = assembler.accept(data);
    if (assembled.kind !== 'message') return;
    const parsed = parseMessage(BackgroundToRelay, assembled.message);
    if (parsed.ok) toHook({ source: SOURCE.relay, v: BRIDGE_VERSION, command: parsed.message.command });
  });
  port.onDisconnect.addListener(() => {
    connected = false;
  });

  toBackground({ source: SOURCE.relay, v: BRIDGE_VERSION, type: 'ready', url: window.location.href });
  // The hook may have said hello before this script ran: ask again.
  toHook({ source: SOURCE.relay, v: BRIDGE_VERSION, command: { type: 'ping' } });
}
