import { BRIDGE_VERSION, PANEL_PORT, RELAY_PORT, SOURCE } from '@syncscope/inspector/bridge';
import type { RawFrame } from '@syncscope/protocols/core';
import { describe, expect, it } from 'vitest';
import { type RouterPort, TabRouter } from './router.ts';

class FakePort implements RouterPort {
  readonly sent: any[] = [];
  private readonly messageListeners: Array<(m: unknown) => void> = [];
  private readonly disconnectListeners: Array<() => void> = [];
  constructor(
    readonly name: string,
    readonly sender?: { tab?: { id?: number } },
  ) {}
  postMessage(message: unknown) {
    this.sent.push(message);
  }
  onMessage = { addListener: (l: (m: unknown) => void) => void this.messageListeners.push(l) };
  onDisconnect = { addListener: (l: () => void) => void this.disconnectListeners.push(l) };
  receive(message: unknown) {
    for (const l of this.messageListeners) l(message);
  }
  disconnect() {
    for (const l of this.disconnectListeners) l();
  }
}

const frame = (seq: number, conn = 'ws-1'): RawFrame => ({
  seq,
  t: seq,
  transport: 'websocket',
  conn,
  dir: 'in',
  kind: 'message',
  text: `m${seq}`,
});
const framesFromRelay = (frames: RawFrame[], dropped = 0) => ({
  source: SOURCE.relay,
  v: BRIDGE_VERSION,
  type: 'hook',
  event: { type: 'frames', frames, dropped },
});
const panelConnect = (tabId: number) => ({ source: SOURCE.panel, v: BRIDGE_VERSION, type: 'connect', tabId });
const framesSeen = (port: FakePort) =>
  port.sent.filter((m) => m.type === 'hook' && m.event.type === 'frames').flatMap((m) => m.event.frames.map((f: RawFrame) => f.seq));

describe('TabRouter', () => {
  it('routes a tab only to its own panels and replays a bounded backlog to late panels with the loss counted', () => {
    const router = new TabRouter({ backlogFrames: 5 });
    const relay1 = new FakePort(RELAY_PORT, { tab: { id: 1 } });
    const relay2 = new FakePort(RELAY_PORT, { tab: { id: 2 } });
    router.connect(relay1);
    router.connect(relay2);
    const panel1 = new FakePort(PANEL_PORT);
    router.connect(panel1);
    panel1.receive(panelConnect(1));
    expect(relay1.sent).toContainEqual({
      source: SOURCE.background,
      v: BRIDGE_VERSION,
      type: 'command',
      command: { type: 'listen', on: true },
    });
    expect(relay2.sent).toEqual([]);

    relay1.receive(framesFromRelay([frame(0), frame(1), frame(2)]));
    relay2.receive(framesFromRelay([frame(100)]));
    relay1.receive(framesFromRelay([frame(3), frame(4), frame(5), frame(6)]));
    expect(framesSeen(panel1)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(router.backlogSize(1)).toBe(5);

    const late = new FakePort(PANEL_PORT);
    router.connect(late);
    late.receive(panelConnect(1));
    expect(framesSeen(late)).toEqual([2, 3, 4, 5, 6]);
    const replayed = late.sent.filter((m) => m.type === 'hook');
    expect(replayed.every((m) => m.event.dropped === 2)).toBe(true);
    expect(late.sent[0]).toMatchObject({ type: 'tab', tabId: 1, state: 'connected' });
  });

  it('bounds the backlog in characters too: a page sending huge frames cannot pile them up in the shared background', () => {
    const router = new TabRouter({ backlogChars: 10_000 });
    const relay = new FakePort(RELAY_PORT, { tab: { id: 4 } });
    router.connect(relay);
    const live = new FakePort(PANEL_PORT);
    router.connect(live);
    live.receive(panelConnect(4));
    const big = (seq: number, chars: number): RawFrame => ({ ...frame(seq), text: 'x'.repeat(chars) });
    relay.receive(framesFromRelay([frame(0), big(1, 6_000)]));
    relay.receive(framesFromRelay([big(2, 6_000), frame(3)]));
    relay.receive(framesFromRelay([big(4, 50_000)]));
    relay.receive(framesFromRelay([frame(5)]));
    // Live panels got everything; the backlog kept the newest frames that fit, and never the one bigger than the cap.
    expect(framesSeen(live)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(router.backlogCharsOf(4)).toBeLessThanOrEqual(10_000);
    const late = new FakePort(PANEL_PORT);
    router.connect(late);
    late.receive(panelConnect(4));
    expect(framesSeen(late)).toEqual([2, 3, 5]);
    expect(late.sent.filter((m) => m.type === 'hook').every((m) => m.event.dropped === 3)).toBe(true);
  });

  it('forwards a panel command to its tab only, ignores bad messages, and stops listening when the last panel leaves', () => {
    const router = new TabRouter();
    const relay = new FakePort(RELAY_PORT, { tab: { id: 7 } });
    router.connect(relay);
    const panel = new FakePort(PANEL_PORT);
    router.connect(panel);
    panel.receive(panelConnect(7));
    panel.receive({ source: SOURCE.panel, v: BRIDGE_VERSION, type: 'command', tabId: 8, command: { type: 'record', on: true } });
    panel.receive({ source: SOURCE.panel, v: BRIDGE_VERSION, type: 'command', tabId: 7, command: { type: 'record', on: true } });
    panel.receive({ nonsense: true });
    relay.receive({ source: SOURCE.relay, v: BRIDGE_VERSION, type: 'hook', event: { type: 'frames', frames: [{ seq: 'x' }], dropped: 0 } });
    expect(relay.sent.map((m) => m.command)).toEqual([
      { type: 'listen', on: true },
      { type: 'record', on: true },
    ]);
    expect(framesSeen(panel)).toEqual([]);
    panel.disconnect();
    expect(relay.sent.at(-1).command).toEqual({ type: 'listen', on: false });
  });

  it('tells panels when the page navigates or goes away', () => {
    const router = new TabRouter();
    const panel = new FakePort(PANEL_PORT);
    router.connect(panel);
    panel.receive(panelConnect(3));
    const relay = new FakePort(RELAY_PORT, { tab: { id: 3 } });
    router.connect(relay);
    relay.receive({ source: SOURCE.relay, v: BRIDGE_VERSION, type: 'ready', url: 'http://a/' });
    relay.disconnect();
    const next = new FakePort(RELAY_PORT, { tab: { id: 3 } });
    router.connect(next);
    next.receive({ source: SOURCE.relay, v: BRIDGE_VERSION, type: 'ready', url: 'http://b/' });
    expect(panel.sent.filter((m) => m.type === 'tab').map((m) => m.state)).toEqual([
      'disconnected',
      'connected',
      'disconnected',
      'navigated',
    ]);
  });
});
