/**
 * The fault proxy most engines need: one port on 127.0.0.1 that relays HTTP exchanges (HttpRelay) and WebSocket
 * upgrades (WsRelay) to one upstream server, so a client given the proxy's URL instead of the server's speaks to
 * the server through it on every path, and the test injects faults on either transport.
 */
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { HttpRelay } from './http-relay.ts';
import { WsRelay } from './ws-relay.ts';

export interface FaultProxy {
  /** http://127.0.0.1:<port>/ without the trailing slash */
  readonly url: string;
  readonly port: number;
  readonly http: HttpRelay;
  readonly ws: WsRelay;
  close(): Promise<void>;
}

export async function startFaultProxy(options: { upstream: string }): Promise<FaultProxy> {
  const upstream = options.upstream.replace(/\/$/, '');
  const http = new HttpRelay(upstream);
  const ws = new WsRelay(upstream);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => http.handle(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req, socket, head) => ws.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy: no port after listen');
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    http,
    ws,
    async close() {
      ws.close();
      http.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
