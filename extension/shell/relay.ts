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
    if (event.source !== window || (event.data as { source?: unknown } | null)?.source !== SOURCE.hook) return;
    const parsed = parseMessage(HookToRelay, event.data);
    if (!parsed.ok) return; // a page imitating the hook badly; nothing to forward
    toBackground({ source: SOURCE.relay, v: BRIDGE_VERSION, type: 'hook', event: eventToJson(parsed.message.event) });
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
