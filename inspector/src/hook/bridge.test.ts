/**
 * The page hook's end of the extension bridge, in Node (a fake window, Node's MessagePorts): the handshake, the port
 * path, and what a page can forge on the window it shares with the hook.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BRIDGE_VERSION, HOOK_PORT, SOURCE } from '../bridge/constants.ts';
import { type HookCommand, HookToRelayPort, parseMessage } from '../bridge/messages.ts';
import { type HookHandle, type HookOptions, installHook } from './install.ts';
import { FakeWindow, settle } from './testing/fake-window.ts';

const NO_TAPS = { websocket: false, fetch: false, xhr: false, broadcast: false, worker: false, idb: false };
// The relay's and the page's own posts on their ports, never through the worker tap some tests install.
const nativePost = MessagePort.prototype.postMessage;

const offer = { source: SOURCE.relay, v: BRIDGE_VERSION, type: HOOK_PORT.offer };
const relayCommand = (command: HookCommand) => ({ source: SOURCE.relay, v: BRIDGE_VERSION, command });
const listen = relayCommand({ type: 'listen', on: true });
const frame = (text: string) => ({ transport: 'websocket', conn: 'ws-1', dir: 'in', kind: 'message', text }) as const;

type Posted = { source?: string; v?: number; type?: string; event?: { type: string; frames?: Array<{ text?: string }> } };
const eventTypes = (messages: unknown[]) => (messages as Posted[]).map((m) => m.event?.type ?? m.type);
const texts = (messages: unknown[]) => (messages as Posted[]).flatMap((m) => m.event?.frames?.map((f) => f.text) ?? []);

/** One end of a MessageChannel, as the relay holds it: everything that arrives is kept. */
function relayEnd() {
  const { port1, port2 } = new MessageChannel();
  const received: unknown[] = [];
  port1.onmessage = (event) => received.push(event.data);
  return { port: port1, offered: port2, received, send: (message: unknown) => nativePost.call(port1, message) };
}

const open: Array<{ close(): void }> = [];
const hooks: HookHandle[] = [];
afterEach(() => {
  for (const hook of hooks.splice(0)) hook.uninstall();
  for (const port of open.splice(0)) port.close();
});

function setup(options: HookOptions = {}) {
  const win = new FakeWindow();
  const hook = installHook({ global: win as unknown as typeof globalThis, taps: NO_TAPS, workers: false, bridge: true, ...options });
  hooks.push(hook);
  // The app's own listener, added after the hook as a page script's would be.
  const appSaw: unknown[] = [];
  win.addEventListener('message', (event) => appSaw.push((event as MessageEvent).data));
  const relay = () => {
    const end = relayEnd();
    open.push(end.port, end.offered);
    return end;
  };
  return { win, hook, relay, appSaw };
}

describe('hook bridge: before a relay offers a port', () => {
  it('says hello on the window, takes commands there and, once listening, posts its batches there', async () => {
    const { win, hook } = setup();
    expect(eventTypes(win.posted)).toEqual(['hello']);
    win.deliver(listen);
    expect(hook.capture.listening).toBe(true);
    hook.capture.emit(frame('on the window'));
    await settle();
    expect(texts(win.posted)).toEqual(['on the window']);
  });
});

describe('hook bridge: the port the relay offers', () => {
  it('moves events and commands onto the port: nothing more on the window, and the app never sees the offer', async () => {
    const { win, hook, relay, appSaw } = setup();
    const end = relay();
    win.deliver(offer, { ports: [end.offered] });
    await settle();
    expect(eventTypes(end.received)).toEqual(['hello']);
    end.send(listen);
    await settle();
    expect(hook.capture.listening).toBe(true);
    hook.capture.emit(frame('on the port'));
    await settle();
    expect(texts(end.received)).toEqual(['on the port']);
    expect(eventTypes(end.received)).toEqual(['hello', 'status', 'frames']);
    for (const message of end.received) expect(parseMessage(HookToRelayPort, message)).toMatchObject({ ok: true });
    // The window saw the first hello only, and the app's listener nothing of ours at all.
    expect(eventTypes(win.posted)).toEqual(['hello']);
    expect(appSaw).toEqual([]);
    // Commands still arriving on the window (sent before the relay heard the hello on its port) are obeyed too.
    win.deliver(relayCommand({ type: 'listen', on: false }));
    expect(hook.capture.listening).toBe(false);
  });

  it('refuses malformed offers and offers from another window; a later good offer is taken', async () => {
    const { win, hook, relay } = setup();
    win.deliver(listen);
    const refused = [relay(), relay(), relay(), relay(), relay()];
    const [wrongVersion, wrongSource, otherWindow, noPort, twoPorts] = refused as [
      ReturnType<typeof relay>,
      ReturnType<typeof relay>,
      ReturnType<typeof relay>,
      ReturnType<typeof relay>,
      ReturnType<typeof relay>,
    ];
    win.deliver({ ...offer, v: BRIDGE_VERSION + 1 }, { ports: [wrongVersion.offered] });
    win.deliver({ ...offer, source: SOURCE.hook }, { ports: [wrongSource.offered] });
    win.deliver(offer, { ports: [otherWindow.offered], source: new FakeWindow() });
    win.deliver(offer, { ports: [] });
    win.deliver(offer, { ports: [noPort.offered, twoPorts.offered] });
    hook.capture.emit(frame('still on the window'));
    await settle();
    for (const end of refused) expect(end.received).toEqual([]);
    expect(texts(win.posted)).toEqual(['still on the window']);

    const good = relay();
    win.deliver(offer, { ports: [good.offered] });
    hook.capture.emit(frame('on the port'));
    await settle();
    expect(texts(good.received)).toEqual(['on the port']);
    expect(texts(win.posted)).toEqual(['still on the window']);
  });

  it('keeps its port when the page forges a second offer, a close or commands on the window', async () => {
    const { win, hook, relay, appSaw } = setup();
    const real = relay();
    win.deliver(offer, { ports: [real.offered] });
    real.send(listen);
    await settle();
    // The page's own channel, offered as if by the relay: refused and closed, so nothing of ours goes there.
    const forged = relay();
    win.deliver(offer, { ports: [forged.offered] });
    win.deliver({ source: SOURCE.relay, v: BRIDGE_VERSION, type: HOOK_PORT.close });
    forged.send(relayCommand({ type: 'listen', on: false }));
    hook.capture.emit(frame('after the forgery'));
    await settle();
    expect(forged.received).toEqual([]);
    expect(hook.capture.listening).toBe(true);
    expect(texts(real.received)).toEqual(['after the forgery']);
    // Relay-tagged, so swallowed: not even the page's own forgeries reach its later listeners.
    expect(appSaw).toEqual([]);
    // On the port, only the relay's tags are obeyed.
    real.send({ ...relayCommand({ type: 'listen', on: false }), v: BRIDGE_VERSION + 1 });
    real.send({ ...relayCommand({ type: 'listen', on: false }), source: SOURCE.panel });
    real.send({ source: SOURCE.relay, v: BRIDGE_VERSION, command: 'listen' });
    real.send(null);
    await settle();
    expect(hook.capture.listening).toBe(true);
    expect(eventTypes(win.posted)).toEqual(['hello']);
  });

  it('when the relay closes: stops capturing, says hello on the window, and takes the next relay port', async () => {
    const { win, hook, relay } = setup();
    const first = relay();
    win.deliver(offer, { ports: [first.offered] });
    first.send(listen);
    await settle();
    first.send({ source: SOURCE.relay, v: BRIDGE_VERSION, type: HOOK_PORT.close });
    await settle();
    expect(hook.capture.listening).toBe(false);
    expect(eventTypes(win.posted)).toEqual(['hello', 'hello']);
    const second = relay();
    win.deliver(offer, { ports: [second.offered] });
    second.send(listen);
    hook.capture.emit(frame('lost: nobody listened'));
    await settle();
    hook.capture.emit(frame('to the second relay'));
    await settle();
    expect(texts(second.received)).toEqual(['to the second relay']);
    expect(texts(first.received)).toEqual([]);
  });

  it('says close on the port when uninstalled, and takes no offer after', async () => {
    const { win, hook, relay, appSaw } = setup();
    const end = relay();
    win.deliver(offer, { ports: [end.offered] });
    await settle();
    hook.uninstall();
    await settle();
    expect(end.received.at(-1)).toEqual({ source: SOURCE.hook, v: BRIDGE_VERSION, type: HOOK_PORT.close });
    expect(parseMessage(HookToRelayPort, end.received.at(-1))).toMatchObject({ ok: true });
    const later = relay();
    win.deliver(offer, { ports: [later.offered] });
    await settle();
    expect(later.received).toEqual([]);
    // No hook listener any more: the offer reaches the app's listener.
    expect(appSaw).toEqual([offer]);
  });

  it('sends on the port past the worker tap: its own traffic is never captured as the app’s', async () => {
    const { win, hook, relay } = setup({ taps: { ...NO_TAPS, worker: true } });
    expect(MessagePort.prototype.postMessage).not.toBe(nativePost);
    const end = relay();
    win.deliver(offer, { ports: [end.offered] });
    end.send(listen);
    await settle();
    hook.capture.emit(frame('one'));
    await settle();
    await settle();
    // With the tap in the way, each batch posted would be captured as a `port` frame and sent again, forever.
    expect(texts(end.received)).toEqual(['one']);
    expect(eventTypes(end.received).filter((t) => t === 'frames')).toHaveLength(1);
  });
});
