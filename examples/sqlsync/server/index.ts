/**
 * The sqlsync reference server: HTTP + WebSocket on one port. Clients connect to `ws://host:port/sqlsync`; every
 * message is validated with the schemas of @syncscope/protocols/sqlsync (protocols/sqlsync/schemas.ts).
 *
 *   const server = await startServer({ port: 0, host: '127.0.0.1', dataDir });  // server.url = http://127.0.0.1:PORT
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { MAX_MESSAGE_BYTES, SYNC_PATH } from '../shared/constants.ts';
import { Coordinator } from './coordinator.ts';

export interface ServerOptions {
  port?: number;
  host?: string;
  dataDir: string;
}

export interface RunningServer {
  url: string;
  /** The WebSocket URL clients connect to. */
  syncUrl: string;
  coordinator: Coordinator;
  close(): Promise<void>;
}

function handleHttp(req: IncomingMessage, res: ServerResponse): void {
  // Browsers on another origin (the demo served by Vite) may call the health check.
  res.setHeader('access-control-allow-origin', '*');
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end(`sqlsync server: connect a WebSocket to ${SYNC_PATH}\n`);
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const coordinator = new Coordinator(options.dataDir);
  const http = createServer(handleHttp);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  http.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== SYNC_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws) => {
    const link = coordinator.connect({ send: (text) => ws.send(text) });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.send(JSON.stringify({ type: 'error', code: 'bad-message', message: 'this server speaks JSON text messages, not binary' }));
        return;
      }
      coordinator.handle(link, data.toString());
    });
    ws.on('close', () => coordinator.disconnect(link));
    ws.on('error', () => coordinator.disconnect(link));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  return {
    url,
    syncUrl: `ws://${host}:${port}${SYNC_PATH}`,
    coordinator,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
      coordinator.close();
    },
  };
}
