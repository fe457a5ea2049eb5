/**
 * The relay's end of the hook's MessageChannel (HookLink), alone and against the real page hook on a fake window:
 * the handshake whichever side starts first, the port path, reconnects, and what a page can forge.
 */
import {
  BRIDGE_VERSION,
  HOOK_PORT,
  type HookCommand,
  parseMessage,
  RelayPortOffer,
  RelayToHookPort,
  SOURCE,
} from '@syncscope/inspector/bridge';
import { type HookHandle, installHook } from '@syncscope/inspector/hook';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeWindow, settle } from '../../inspector/src/hook/testing/fake-window.ts';
import { HookLink } from './hook-link.ts';
import { fromPage } from './relay.ts';

const hello = {
  source: SOURCE.hook,
  v: BRIDGE_VERSION,
  event: {
    type: 'hello',
    url: 'x',
    context: 'page',
    redactions: [],
    status: { capturing: false, recording: false, buffered: 0, dropped: 0 },
  },
};
const command = (c: HookCommand) => ({ source: SOURCE.relay, v: BRIDGE_VERSION, command: c }) as const;
const listen = command({ type: 'listen', on: true });
const hookClose = { source: SOURCE.hook, v: BRIDGE_VERSION, type: HOOK_PORT.close };

const toClose: Array<{ close(): void }> = [];
const hooks: HookHandle[] = [];
afterEach(() => {
  for (const hook of hooks.splice(0)) hook.uninstall();
  for (const port of toClose.splice(0)) port.close();
});

/** A HookLink whose offers are kept (as the hook would see them) and whose received messages are kept. */
function link(maxPending?: number) {
  const offers: Array<{ message: RelayPortOffer; port: MessagePort; got: unknown[] }> = [];
  const received: unknown[] = [];
  const relay = new HookLink({
    offer: (message, port) => {
      const got: unknown[] = [];
      port.onmessage = (event) => got.push(event.data);
      toClose.push(port);
      offers.push({ message, port, got });
    },
    receive: (data) => received.push(data),
    maxPending,
    channel: () => {
      const channel = new MessageChannel();
      toClose.push(channel.port1, channel.port2);
      return channel;
    },
  });
  return { relay, offers, received };
}

describe('HookLink: the relay end', () => {
  it('offers a port, takes it as the hook’s on its hello, then sends commands there and passes on what comes', async () => {
    const { relay, offers, received } = link();
    relay.offer();
    expect(offers.map((o) => o.message)).toEqual([{ source: SOURCE.relay, v: BRIDGE_VERSION, type: HOOK_PORT.offer }]);
    expect(parseMessage(RelayPortOffer, offers[0]?.message)).toMatchObject({ ok: true });
    expect(relay.command(listen)).toBe(false);
    const hookPort = offers[0]?.port as MessagePort;
    hookPort.postMessage(hello);
    await settle();
    expect(relay.connected).toBe(true);
    expect(received).toEqual([hello]);
    expect(relay.command(listen)).toBe(true);
    await settle();
    expect(offers[0]?.got).toEqual([listen]);
    // Connected: window hellos (forged, most likely) ask for no more offers.
    relay.offer();
    expect(offers).toHaveLength(1);
  });

  it('does not take a port on anything but a valid hook message, and withdraws the other offers once one is taken', async () => {
    const { relay, offers, received } = link();
    relay.offer();
    relay.offer();
    relay.offer();
    const [a, b, c] = offers as [(typeof offers)[0], (typeof offers)[0], (typeof offers)[0]];
    a.port.postMessage({ ...hello, v: BRIDGE_VERSION + 1 });
    a.port.postMessage({ ...hello, source: SOURCE.relay });
    a.port.postMessage(hookClose);
    a.port.postMessage('hello');
    await settle();
    expect(relay.connected).toBe(false);
    expect(received).toEqual([]);
    b.port.postMessage(hello);
    await settle();
    expect(relay.connected).toBe(true);
    // The withdrawn offers are closed: what is sent on them goes nowhere.
    a.port.postMessage(hello);
    c.port.postMessage(hello);
    await settle();
    expect(received).toEqual([hello]);
  });

  it('caps unanswered offers, so forged hellos cost a few channels and never the one the hook took', async () => {
    const { relay, offers, received } = link(3);
    for (let i = 0; i < 50; i++) relay.offer();
    expect(offers).toHaveLength(3);
    offers[0]?.port.postMessage(hello);
    await settle();
    expect(received).toEqual([hello]);
  });

  it('when the hook closes its port: offers again, and commands go back to the window until the next hello', async () => {
    const { relay, offers } = link();
    relay.offer();
    offers[0]?.port.postMessage(hello);
    await settle();
    offers[0]?.port.postMessage(hookClose);
    await settle();
    expect(relay.connected).toBe(false);
    expect(relay.command(listen)).toBe(false);
    relay.offer();
    expect(offers).toHaveLength(2);
  });

  it('when the relay goes away: tells the hook on its port, closes every port and offers no more', async () => {
    const { relay, offers } = link();
    relay.offer();
    relay.offer();
    offers[1]?.port.postMessage(hello);
    await settle();
    relay.close();
    await settle();
    expect(offers[1]?.got).toEqual([{ source: SOURCE.relay, v: BRIDGE_VERSION, type: HOOK_PORT.close }]);
    expect(parseMessage(RelayToHookPort, offers[1]?.got[0])).toMatchObject({ ok: true });
    expect(parseMessage(RelayToHookPort, listen)).toMatchObject({ ok: true });
    expect(relay.connected).toBe(false);
    relay.offer();
    expect(offers).toHaveLength(2);
  });
});

describe('HookLink against the page hook (fake window, real MessagePorts)', () => {
  /** The relay as startRelay wires it, on `win`: port messages and window hellos through fromPage; offers posted. */
  function relayOn(win: FakeWindow) {
    const forwarded: unknown[] = [];
    const forward = (data: unknown) => {
      const parts = fromPage(data, undefined, win.location.href);
      forwarded.push(...parts);
      return parts.length > 0;
    };
    const relay = new HookLink({
      offer: (message, port) => win.postMessage(message, '*', [port]),
      receive: forward,
      channel: () => {
        const channel = new MessageChannel();
        toClose.push(channel.port1, channel.port2);
        return channel;
      },
    });
    win.addEventListener('message', (event) => {
      const { data, source } = event as unknown as { data: unknown; source: unknown };
      if (source === win && forward(data) && (data as { event?: { type?: string } }).event?.type === 'hello') relay.offer();
    });
    const toHook = (message: ReturnType<typeof command>) => relay.command(message) || win.postMessage(message, '*');
    const frames = () =>
      forwarded.flatMap((m) => {
        const event = (m as { event?: { type: string; frames?: Array<{ text?: string }> } }).event;
        return event?.type === 'frames' ? (event.frames ?? []).map((f) => f.text) : [];
      });
    return { relay, toHook, frames, forwarded };
  }

  const install = (win: FakeWindow) => {
    const hook = installHook({
      global: win as unknown as typeof globalThis,
      taps: { websocket: false, fetch: false, xhr: false, broadcast: false, worker: false, idb: false },
      workers: false,
    });
    hooks.push(hook);
    return hook;
  };
  const frame = (text: string) => ({ transport: 'websocket', conn: 'ws-1', dir: 'in', kind: 'message', text }) as const;

  for (const first of ['hook', 'relay'] as const) {
    it(`connects when the ${first} starts first, and a page's forged offer and hellos change nothing`, async () => {
      const win = new FakeWindow();
      win.echo = true;
      let hook: HookHandle | undefined;
      if (first === 'hook') hook = install(win);
      const side = relayOn(win);
      side.relay.offer();
      if (first === 'relay') hook = install(win);
      await settle();
      expect(side.relay.connected).toBe(true);
      side.toHook(listen);
      await settle();
      expect(hook?.capture.listening).toBe(true);
      const postedBefore = win.posted.length;

      // A page script forges an offer of its own channel and a stream of hellos.
      const page = new MessageChannel();
      toClose.push(page.port1, page.port2);
      const pageGot: unknown[] = [];
      page.port1.onmessage = (event) => pageGot.push(event.data);
      win.postMessage({ source: SOURCE.relay, v: BRIDGE_VERSION, type: HOOK_PORT.offer }, '*', [page.port2]);
      for (let i = 0; i < 20; i++) win.postMessage(hello, '*');
      await settle();
      hook?.capture.emit(frame('honest'));
      await settle();
      expect(side.frames()).toEqual(['honest']);
      expect(pageGot).toEqual([]);
      // Nothing of the hook's went on the window after the handshake (the page's forgeries did).
      const later = win.posted.slice(postedBefore) as Array<{ source?: string; type?: string }>;
      expect(later.filter((m) => m.source === SOURCE.hook && m !== hello)).toEqual([]);
    });
  }

  it('reconnects when the relay goes and another comes (extension reloaded)', async () => {
    const win = new FakeWindow();
    win.echo = true;
    const hook = install(win);
    const old = relayOn(win);
    old.relay.offer();
    await settle();
    old.toHook(listen);
    await settle();
    old.relay.close();
    await settle();
    expect(hook.capture.listening).toBe(false);
    const fresh = relayOn(win);
    fresh.relay.offer();
    await settle();
    expect(fresh.relay.connected).toBe(true);
    fresh.toHook(listen);
    await settle();
    hook.capture.emit(frame('to the new relay'));
    await settle();
    expect(fresh.frames()).toEqual(['to the new relay']);
    expect(old.frames()).toEqual([]);
  });
});
