/**
 * The background's routing: relays (one per tab's content script) and panels (one per DevTools window) connect
 * by port; events of a tab go only to that tab's panels, and a bounded backlog per tab lets a panel opened late see
 * what happened. Independent of the browser API (ports are an interface) so it is tested in Node.
 */
import {
  type BackgroundToPanel,
  type BackgroundToRelay,
  BRIDGE_VERSION,
  ChunkAssembler,
  type HookCommand,
  type HookEvent,
  PANEL_PORT,
  PanelToBackground,
  parseMessage,
  RELAY_PORT,
  RelayToBackground,
  SOURCE,
  splitForChannel,
} from '@syncscope/inspector/bridge';

export interface RouterPort {
  readonly name: string;
  readonly sender?: { tab?: { id?: number } };
  postMessage(message: unknown): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

export interface RouterOptions {
  /** Most frames kept per tab for panels that open later. */
  backlogFrames?: number;
  /**
   * Most characters of frame JSON kept per tab. The page decides how big its frames are, and the background is
   * shared by every tab: without this, a few frames of tens of MB would pile up here for late panels.
   */
  backlogChars?: number;
}

interface TabState {
  relay: RouterPort | undefined;
  url: string | undefined;
  panels: Set<RouterPort>;
  backlog: HookEvent[];
  backlogFrames: number;
  /** Characters of JSON the backlog's frames take (see `frameChars`). */
  backlogChars: number;
  /** Frames the backlog evicted; added to the `dropped` a late panel sees, so the loss is visible. */
  evicted: number;
  recording: boolean;
}

export class TabRouter {
  private readonly tabs = new Map<number, TabState>();
  private readonly cap: number;
  private readonly charCap: number;
  /** Each backlog frame's JSON length, measured once when it arrives. */
  private readonly sizes = new WeakMap<object, number>();

  constructor(options: RouterOptions = {}) {
    this.cap = options.backlogFrames ?? 20_000;
    this.charCap = options.backlogChars ?? 32 * 1024 * 1024;
  }

  connect(port: RouterPort): void {
    if (port.name === RELAY_PORT) this.connectRelay(port);
    else if (port.name === PANEL_PORT) this.connectPanel(port);
  }

  /** For tests and diagnostics. */
  backlogSize(tabId: number): number {
    return this.tabs.get(tabId)?.backlogFrames ?? 0;
  }

  /** For tests and diagnostics: characters of frame JSON the tab's backlog holds. */
  backlogCharsOf(tabId: number): number {
    return this.tabs.get(tabId)?.backlogChars ?? 0;
  }

  private tab(tabId: number): TabState {
    let state = this.tabs.get(tabId);
    if (!state) {
      state = {
        relay: undefined,
        url: undefined,
        panels: new Set(),
        backlog: [],
        backlogFrames: 0,
        backlogChars: 0,
        evicted: 0,
        recording: false,
      };
      this.tabs.set(tabId, state);
    }
    return state;
  }

  private connectRelay(port: RouterPort): void {
    const tabId = port.sender?.tab?.id;
    if (tabId === undefined) return; // not from a tab: nothing to route
    const state = this.tab(tabId);
    const navigated = state.url !== undefined || state.backlog.length > 0;
    state.relay = port;
    const assembler = new ChunkAssembler();
    port.onMessage.addListener((data) => {
      const assembled = assembler.accept(data);
      if (assembled.kind !== 'message') return;
      const parsed = parseMessage(RelayToBackground, assembled.message);
      if (!parsed.ok || state.relay !== port) return;
      const message = parsed.message;
      if (message.type === 'ready') {
        state.url = message.url;
        this.toPanels(tabId, {
          source: SOURCE.background,
          v: BRIDGE_VERSION,
          type: 'tab',
          tabId,
          state: navigated ? 'navigated' : 'connected',
          url: message.url,
        });
        if (state.panels.size > 0) this.toRelay(state, { type: 'listen', on: true });
        if (state.recording) this.toRelay(state, { type: 'record', on: true });
        return;
      }
      this.remember(state, message.event);
      this.toPanels(tabId, { source: SOURCE.background, v: BRIDGE_VERSION, type: 'hook', tabId, event: message.event });
    });
    port.onDisconnect.addListener(() => {
      if (state.relay !== port) return;
      state.relay = undefined;
      this.toPanels(tabId, { source: SOURCE.background, v: BRIDGE_VERSION, type: 'tab', tabId, state: 'disconnected' });
    });
  }

  private connectPanel(port: RouterPort): void {
    let tabId: number | undefined;
    const assembler = new ChunkAssembler();
    port.onMessage.addListener((data) => {
      const assembled = assembler.accept(data);
      if (assembled.kind !== 'message') return;
      const parsed = parseMessage(PanelToBackground, assembled.message);
      if (!parsed.ok) return;
      const message = parsed.message;
      if (message.type === 'connect') {
        if (tabId !== undefined) this.tabs.get(tabId)?.panels.delete(port);
        tabId = message.tabId;
        const state = this.tab(tabId);
        state.panels.add(port);
        this.replay(port, tabId, state);
        this.toRelay(state, { type: 'listen', on: true });
        return;
      }
      // A panel commands only the tab it connected for.
      if (tabId === undefined || message.tabId !== tabId) return;
      const state = this.tab(tabId);
      if (message.command.type === 'record') state.recording = message.command.on;
      this.toRelay(state, message.command);
    });
    port.onDisconnect.addListener(() => {
      if (tabId === undefined) return;
      const state = this.tabs.get(tabId);
      if (!state) return;
      state.panels.delete(port);
      if (state.panels.size === 0) this.toRelay(state, { type: 'listen', on: false });
    });
  }

  private replay(port: RouterPort, tabId: number, state: TabState): void {
    const post = (message: BackgroundToPanel) => {
      for (const part of splitForChannel(message, SOURCE.background)) port.postMessage(part);
    };
    post({
      source: SOURCE.background,
      v: BRIDGE_VERSION,
      type: 'tab',
      tabId,
      state: state.relay ? 'connected' : 'disconnected',
      ...(state.url ? { url: state.url } : {}),
    });
    for (const event of state.backlog) {
      const shown = event.type === 'frames' ? { ...event, dropped: event.dropped + state.evicted } : event;
      post({ source: SOURCE.background, v: BRIDGE_VERSION, type: 'hook', tabId, event: shown });
    }
  }

  /** Keeps frames and hello/status for late panels; snapshots and tap errors are live-only. */
  private remember(state: TabState, event: HookEvent): void {
    if (event.type === 'hello' || event.type === 'status') {
      state.backlog = state.backlog.filter((e) => e.type !== event.type);
      state.backlog.unshift(event);
      return;
    }
    if (event.type !== 'frames') return;
    // A frame bigger than the whole cap is not kept at all (it would only push out everything older).
    const kept = event.frames.filter((frame) => {
      const chars = JSON.stringify(frame).length;
      this.sizes.set(frame, chars);
      return chars <= this.charCap;
    });
    state.evicted += event.frames.length - kept.length;
    if (kept.length === 0) return;
    state.backlog.push(kept.length === event.frames.length ? event : { ...event, frames: kept });
    state.backlogFrames += kept.length;
    for (const frame of kept) state.backlogChars += this.sizes.get(frame) ?? 0;
    // Evict the oldest frames until both caps hold.
    while (state.backlogFrames > this.cap || state.backlogChars > this.charCap) {
      const index = state.backlog.findIndex((e) => e.type === 'frames');
      const oldest = state.backlog[index];
      if (oldest?.type !== 'frames') break;
      let drop = 0;
      let freed = 0;
      while (drop < oldest.frames.length && (drop < state.backlogFrames - this.cap || state.backlogChars - freed > this.charCap)) {
        freed += this.sizes.get(oldest.frames[drop] as object) ?? 0;
        drop++;
      }
      if (drop === oldest.frames.length) state.backlog.splice(index, 1);
      else state.backlog[index] = { ...oldest, frames: oldest.frames.slice(drop) };
      state.backlogFrames -= drop;
      state.backlogChars -= freed;
      state.evicted += drop;
    }
  }

  private toPanels(tabId: number, message: BackgroundToPanel): void {
    const panels = this.tabs.get(tabId)?.panels;
    if (!panels?.size) return;
    const parts = splitForChannel(message, SOURCE.background);
    for (const panel of panels) for (const part of parts) panel.postMessage(part);
  }

  private toRelay(state: TabState, command: HookCommand): void {
    const message: BackgroundToRelay = { source: SOURCE.background, v: BRIDGE_VERSION, type: 'command', command };
    state.relay?.postMessage(message);
  }
}
