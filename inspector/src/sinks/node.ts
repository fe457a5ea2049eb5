/**
 * Node-side sinks. `startRemoteSink` is the receiving end for taps in other processes (Node clients via
 * `connectRemoteSink`): a WebSocket server on 127.0.0.1 that validates every message (RemoteToPanel, chunks
 * reassembled), restores tagged payloads and fills a SessionStore — what `syncscope serve` and a standalone panel
 * build on. `sessionFileSink` appends a hook's frames to a session file as they arrive.
 */
import { createWriteStream } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Registry } from '@syncscope/protocols/core';
import { type WebSocket, WebSocketServer } from 'ws';
import { ChunkAssembler } from '../bridge/chunk.ts';
import { BRIDGE_VERSION, SOURCE } from '../bridge/constants.ts';
import { type HookCommand, type HookEvent, parseMessage, RemoteToPanel } from '../bridge/messages.ts';
import { eventFromJson } from '../bridge/wire.ts';
import { frameToLine, headerToLine, type SessionHeader, sessionHeader } from '../session/session-file.ts';
import { SessionStore } from '../store/store.ts';
import { storeSink } from './store-sink.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface RemoteSinkOptions {
  port?: number;
  /** Loopback only unless `allowRemote` (the sink receives whatever clients send). */
  host?: string;
  allowRemote?: boolean;
  /** The store frames go into (default: a new one with the default registry, or `registry`). */
  store?: SessionStore;
  registry?: Registry;
  /** Every validated event, with the client that sent it. */
  onEvent?: (client: string, event: HookEvent) => void;
  /** Messages that failed validation (with why); they are dropped. */
  onReject?: (reason: string) => void;
  /** Largest WebSocket message accepted (chunks are far smaller). */
  maxPayload?: number;
}

export interface RemoteSink {
  url: string;
  port: number;
  store: SessionStore;
  /** Clients seen, with the dropped count their taps reported. */
  clients(): Map<string, { connected: boolean; dropped: number }>;
  /** Sends a command to every connected client. */
  command(command: HookCommand): void;
  close(): Promise<void>;
}

export async function startRemoteSink(options: RemoteSinkOptions = {}): Promise<RemoteSink> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && !options.allowRemote) {
    throw new Error(`remote sink host ${host} is not loopback; pass allowRemote: true to listen there on purpose`);
  }
  const store = options.store ?? new SessionStore(options.registry ? { registry: options.registry } : {});
  const clients = new Map<string, { connected: boolean; dropped: number }>();
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ host, port: options.port ?? 0, maxPayload: options.maxPayload ?? 32 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const send = (socket: WebSocket, command: HookCommand) =>
    socket.send(JSON.stringify({ source: SOURCE.panel, v: BRIDGE_VERSION, command }));

  wss.on('connection', (socket) => {
    sockets.add(socket);
    const assembler = new ChunkAssembler();
    const sinks = new Map<string, ReturnType<typeof storeSink>>();
    const seen = new Set<string>();
    socket.on('message', (data) => {
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        return options.onReject?.('not JSON');
      }
      const assembled = assembler.accept(json);
      if (assembled.kind === 'partial') return;
      if (assembled.kind === 'error') return options.onReject?.(assembled.error);
      const parsed = parseMessage(RemoteToPanel, assembled.message);
      if (!parsed.ok) return options.onReject?.(parsed.error);
      const { client } = parsed.message;
      const event = eventFromJson(parsed.message.event);
      seen.add(client);
      let sink = sinks.get(client);
      if (!sink) {
        sink = storeSink(store, { connPrefix: client });
        sinks.set(client, sink);
      }
      sink(event);
      clients.set(client, { connected: true, dropped: sink.sourceDropped });
      options.onEvent?.(client, event);
    });
    socket.on('close', () => {
      sockets.delete(socket);
      for (const client of seen) clients.set(client, { ...(clients.get(client) ?? { dropped: 0 }), connected: false });
    });
    send(socket, { type: 'listen', on: true });
  });

  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    store,
    clients: () => new Map(clients),
    command: (command) => {
      for (const socket of sockets) send(socket, command);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.terminate();
        wss.close(() => resolve());
      }),
  };
}

/**
 * A listener that writes a session file as frames arrive: the header first (with the tap's redactions), then one
 * line per frame, numbered in arrival order. `close()` ends the file.
 */
export function sessionFileSink(path: string, header: Partial<Omit<SessionHeader, 'format' | 'version'>> = {}) {
  const out = createWriteStream(path, { encoding: 'utf8' });
  let started = false;
  let seq = 0;
  const start = (redactions: string[] = []) => {
    if (started) return;
    started = true;
    out.write(`${headerToLine(sessionHeader({ redactions, ...header }))}\n`);
  };
  const listener = (event: HookEvent) => {
    if (event.type === 'hello') start(event.redactions);
    if (event.type !== 'frames') return;
    start();
    for (const frame of event.frames) out.write(`${frameToLine({ ...frame, seq: seq++ })}\n`);
  };
  return Object.assign(listener, {
    close: () =>
      new Promise<void>((resolve, reject) => {
        start();
        out.end((error?: Error | null) => (error ? reject(error) : resolve()));
      }),
  });
}
