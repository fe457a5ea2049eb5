/**
 * A recording proxy for clients that cannot load the inspector (a React Native app, a server-to-server link):
 * it listens on 127.0.0.1, forwards HTTP requests and WebSocket connections to a target unchanged, and reports
 * every exchange as frames. Bodies stream through as they come; what is recorded is a copy, capped in size.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import type { FrameInput, Recorder } from '../record/recorder.ts';

export interface ProxyOptions {
  /** Where to forward: http(s):// or ws(s):// — both mean the same server; the scheme picks TLS or not. */
  target: string;
  host?: string;
  port?: number;
  /** Receives every frame as it happens (the panel sink, a session file writer). */
  onFrame?: (frame: FrameInput) => void;
  /** Largest body copied into a frame; longer bodies are cut there and marked (the traffic itself is never cut). */
  maxRecordedBody?: number;
}

export interface RunningProxy {
  url: string;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export function httpBaseOf(target: string): URL {
  const url = new URL(target);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  else if (url.protocol === 'wss:') url.protocol = 'https:';
  else if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--target must be http(s):// or ws(s)://, got ${target}`);
  return url;
}

function headersOf(message: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers))
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

function bodyPayload(chunks: Buffer[], max: number): Pick<FrameInput, 'text' | 'b64' | 'size'> & { truncated?: boolean } {
  const whole = Buffer.concat(chunks);
  if (whole.length === 0) return {};
  const kept = whole.subarray(0, max);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(kept);
  const isText = !text.includes('\uFFFD') && !/[\u0000-\u0008\u000e-\u001f]/.test(text);
  return {
    ...(isText ? { text } : { b64: kept.toString('base64') }),
    size: whole.length,
    ...(whole.length > max ? { truncated: true } : {}),
  };
}

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const base = httpBaseOf(options.target);
  const emit = options.onFrame ?? (() => {});
  const max = options.maxRecordedBody ?? 16 * 1024 * 1024;
  const request = base.protocol === 'https:' ? httpsRequest : httpRequest;
  let nextConn = 0;
  const sockets = new Set<Duplex>();

  const server: Server = createServer((incoming, outgoing) => {
    const conn = `proxy-http-${nextConn++}`;
    const url = new URL(incoming.url ?? '/', base).toString();
    const method = incoming.method ?? 'GET';
    const requestChunks: Buffer[] = [];
    const headers = headersOf(incoming);
    const forwardHeaders = Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
    forwardHeaders.host = base.host;
    const upstream = request(url, { method, headers: forwardHeaders }, (response) => {
      const responseChunks: Buffer[] = [];
      const responseHeaders = headersOf(response);
      outgoing.writeHead(response.statusCode ?? 502, response.statusMessage, response.headers);
      response.on('data', (chunk: Buffer) => {
        responseChunks.push(chunk);
        outgoing.write(chunk);
      });
      response.on('end', () => {
        outgoing.end();
        const { truncated, ...body } = bodyPayload(responseChunks, max);
        emit({
          transport: 'http',
          conn,
          dir: 'in',
          kind: 'response',
          ...body,
          meta: {
            url,
            method,
            status: response.statusCode ?? 0,
            statusText: response.statusMessage ?? '',
            headers: responseHeaders,
            ...(truncated ? { truncated } : {}),
          },
        });
      });
    });
    upstream.on('error', (error) => {
      emit({ transport: 'http', conn, dir: 'in', kind: 'error', meta: { url, method, error: error.message } });
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`syncscope proxy: ${url} is unreachable: ${error.message}`);
    });
    incoming.on('data', (chunk: Buffer) => {
      requestChunks.push(chunk);
      upstream.write(chunk);
    });
    incoming.on('end', () => {
      const { truncated, ...body } = bodyPayload(requestChunks, max);
      emit({
        transport: 'http',
        conn,
        dir: 'out',
        kind: 'request',
        ...body,
        meta: { url, method, headers, ...(truncated ? { truncated } : {}) },
      });
      upstream.end();
    });
  });

  // WebSocket: accept the client's socket only once the target has accepted ours, so the client sees the same
  // subprotocol and the same refusal it would see without the proxy.
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (incoming, socket, head) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const conn = `proxy-ws-${nextConn++}`;
    const target = new URL(incoming.url ?? '/', base);
    target.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = target.toString();
    const protocols = (incoming.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const headers = Object.fromEntries(
      Object.entries(headersOf(incoming)).filter(([name]) => !HOP_BY_HOP.has(name) && !name.startsWith('sec-websocket') && name !== 'host'),
    );
    const upstream = new WebSocket(url, protocols, { headers, perMessageDeflate: false });
    upstream.binaryType = 'nodebuffer';
    upstream.once('unexpected-response', (_req, response) => {
      emit({
        transport: 'websocket',
        conn,
        dir: 'in',
        kind: 'error',
        meta: { url, status: response.statusCode ?? 0, error: 'upgrade refused by target' },
      });
      socket.end(
        `HTTP/1.1 ${response.statusCode ?? 502} ${response.statusMessage ?? 'Bad Gateway'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
      );
    });
    upstream.once('error', (error) => {
      emit({ transport: 'websocket', conn, dir: 'in', kind: 'error', meta: { url, error: error.message } });
      if (!socket.destroyed && upstream.readyState !== WebSocket.OPEN) socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
    });
    upstream.once('open', () => {
      const subprotocol = upstream.protocol;
      wss.handleUpgrade(incoming, socket, head, (client) => {
        emit({ transport: 'websocket', conn, dir: 'out', kind: 'open', meta: { url, ...(subprotocol ? { subprotocol } : {}) } });
        let closed = false;
        const pipe = (from: WebSocket, to: WebSocket, dir: 'out' | 'in') => {
          from.on('message', (data: Buffer, isBinary: boolean) => {
            emit({
              transport: 'websocket',
              conn,
              dir,
              kind: 'message',
              ...(isBinary ? { b64: data.toString('base64') } : { text: data.toString('utf8') }),
              size: data.length,
            });
            if (to.readyState === WebSocket.OPEN) to.send(data, { binary: isBinary });
          });
          from.on('close', (code: number, reason: Buffer) => {
            // The side that closes first is the one recorded; the close is passed on to the other side.
            if (!closed) {
              closed = true;
              emit({ transport: 'websocket', conn, dir, kind: 'close', meta: { url, code, reason: reason.toString('utf8') } });
            }
            if (to.readyState === WebSocket.OPEN || to.readyState === WebSocket.CONNECTING) {
              // 1005 (no status) and 1006 (abnormal) cannot be sent on the wire; the peer then sees a plain close.
              if (code === 1005 || code === 1006) to.close();
              else to.close(code, reason);
            }
          });
        };
        pipe(client, upstream, 'out');
        pipe(upstream, client, 'in');
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    async close() {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A proxy that also keeps what it saw, for `--out file`. */
export function recordingSink(recorder: Recorder, next?: (frame: FrameInput) => void): (frame: FrameInput) => void {
  return (frame) => {
    recorder.add(frame);
    next?.(frame);
  };
}
