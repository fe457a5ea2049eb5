/**
 * @syncscope/inspector/node — taps for Node clients: the `ws` package's WebSocket and the global fetch, and a
 * remote sink that streams what they capture to a standalone panel (or `startRemoteSink`) on 127.0.0.1.
 *
 *   import WebSocket from 'ws';
 *   import { installNodeTaps, connectRemoteSink } from '@syncscope/inspector/node';
 *   const taps = installNodeTaps({ WebSocket });
 *   const remote = await connectRemoteSink(taps, { url: 'ws://127.0.0.1:7878/', client: 'my-client' });
 *   ...
 *   await remote.close(); taps.uninstall();
 */
import { WebSocket as WsWebSocket } from 'ws';
import { splitForChannel } from '../bridge/chunk.ts';
import { BRIDGE_VERSION, SOURCE } from '../bridge/constants.ts';
import { type HookCommand, type HookEvent, PanelToRemote, parseMessage, type RedactionConfig } from '../bridge/messages.ts';
import { eventToJson } from '../bridge/wire.ts';
import { Capture, type HookListener } from '../hook/capture.ts';
import { Patches } from '../hook/patch.ts';
import { tapFetch } from '../hook/taps/fetch.ts';
import { ignoreSocket, tapWsClass, type WsClass } from './ws-tap.ts';

export { ignoreSocket } from './ws-tap.ts';

export interface NodeTapOptions {
  /** The `ws` WebSocket class the app uses (its prototype is tapped). Default: the one this package resolves. */
  WebSocket?: WsClass | false;
  /** Tap globalThis.fetch (default true). */
  fetch?: boolean;
  redaction?: RedactionConfig;
  bufferSize?: number;
  maxBodyBytes?: number;
  /** Capture before any sink listens (frames wait in the buffer). */
  record?: boolean;
}

export interface NodeTaps {
  readonly capture: Capture;
  subscribe(listener: HookListener): () => void;
  command(command: HookCommand): void;
  hello(): HookEvent;
  uninstall(): void;
}

export function installNodeTaps(options: NodeTapOptions = {}): NodeTaps {
  const capture = new Capture({ bufferSize: options.bufferSize, redaction: options.redaction });
  const patches = new Patches();
  const wsClass = options.WebSocket === undefined ? (WsWebSocket as unknown as WsClass) : options.WebSocket;
  if (wsClass) tapWsClass(wsClass, capture, patches);
  if (options.fetch !== false) tapFetch(globalThis, capture, patches, { maxBodyBytes: options.maxBodyBytes });
  if (options.record) capture.setRecording(true);
  const hello = (): HookEvent => ({
    type: 'hello',
    url: `node:${process.pid}`,
    context: 'node',
    redactions: capture.redactor.list,
    status: capture.status(),
  });
  return {
    capture,
    subscribe(listener) {
      capture.guard('subscribe', () => listener(hello()));
      return capture.subscribe(listener);
    },
    hello,
    command(cmd) {
      switch (cmd.type) {
        case 'listen':
          capture.setListening(cmd.on);
          break;
        case 'record':
          capture.setRecording(cmd.on);
          break;
        case 'redaction':
          capture.redactor.configure(cmd.config);
          break;
        case 'snapshot-idb':
        case 'snapshot-opfs':
          capture.send({
            type: 'snapshot',
            requestId: cmd.requestId,
            kind: cmd.type === 'snapshot-idb' ? 'idb' : 'opfs',
            index: 0,
            done: true,
            frames: [],
            error: 'no browser storage in Node',
          });
          return;
      }
      capture.send(cmd.type === 'ping' || cmd.type === 'redaction' ? hello() : { type: 'status', status: capture.status() });
    },
    uninstall() {
      patches.undo();
      capture.close();
    },
  };
}

export interface RemoteSinkClient {
  /** Resolves once the socket is open and frames flow. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Streams a tap's events to a remote sink over WebSocket as RemoteToPanel messages (tagged JSON, chunked above
 * `budget` bytes), and obeys the panel's commands. The sink's socket is excluded from capture.
 */
export function connectRemoteSink(
  taps: NodeTaps,
  options: { url: string; client?: string; budget?: number; WebSocket?: typeof WsWebSocket },
): RemoteSinkClient {
  const Socket = options.WebSocket ?? WsWebSocket;
  const socket = new Socket(options.url);
  ignoreSocket(socket);
  const client = options.client ?? `node-${process.pid}`;
  let unsubscribe: (() => void) | undefined;
  const post = (event: HookEvent) => {
    if (socket.readyState !== Socket.OPEN) return;
    const message = { source: SOURCE.remote, v: BRIDGE_VERSION, client, event: eventToJson(event) };
    for (const piece of splitForChannel(message, SOURCE.remote, options.budget)) socket.send(JSON.stringify(piece));
  };
  const ready = new Promise<void>((resolve, reject) => {
    socket.once('open', () => {
      unsubscribe = taps.subscribe(post);
      resolve();
    });
    socket.once('error', reject);
  });
  socket.on('message', (data) => {
    let json: unknown;
    try {
      json = JSON.parse(String(data));
    } catch {
      return;
    }
    const parsed = parseMessage(PanelToRemote, json);
    if (parsed.ok) taps.command(parsed.message.command);
  });
  socket.on('close', () => unsubscribe?.());
  return {
    ready,
    close: () =>
      new Promise<void>((resolve) => {
        taps.capture.flush();
        unsubscribe?.();
        if (socket.readyState === Socket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
}
