/**
 * The standalone panel server behind `syncscope serve`: serves the panel page (bundled on first start with esbuild),
 * relays frames from remote sinks (Node taps, other processes) to every open panel page, keeps a bounded backlog so a
 * page opened late still sees what happened, and serves session files named on start.
 *
 *   const server = await startPanelServer({ port: 0, host: '127.0.0.1', sessions: ['run.syncscope.jsonl'] });
 *   server.url            http://127.0.0.1:PORT/   (add ?session=<file name> to open one of `sessions`)
 *   server.remoteUrl      ws://127.0.0.1:PORT/remote   where remote sinks send RemoteToPanel messages
 *   await server.close()
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type WebSocket, WebSocketServer } from 'ws';
import { BRIDGE_VERSION, PanelToRemote, parseMessage, RemoteToPanel, SOURCE } from '../bridge/index.ts';

export interface PanelServerOptions {
  port?: number;
  host?: string;
  /** Session files (paths) offered at /sessions/<base name>. */
  sessions?: string[];
  /** Most remote messages replayed to a page that connects late. */
  backlog?: number;
  /** Largest message accepted from a remote sink, in bytes. */
  maxMessageBytes?: number;
}

export interface PanelServer {
  url: string;
  remoteUrl: string;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
let bundle: Promise<string> | undefined;

/** The page script, bundled once per process (about 100 ms) so no build step is needed before `syncscope serve`. */
function pageScript(): Promise<string> {
  bundle ??= (async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [join(here, 'client.tsx')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      minify: process.env.SYNCSCOPE_PANEL_MINIFY !== '0',
      sourcemap: false,
      logLevel: 'silent',
    });
    return result.outputFiles[0]?.text ?? '';
  })();
  bundle.catch(() => {
    bundle = undefined;
  });
  return bundle;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>syncscope</title>
<style>html,body,#app{margin:0;height:100%;}</style>
</head>
<body><div id="app"></div><script type="module" src="/panel.js"></script></body>
</html>`;

export async function startPanelServer(options: PanelServerOptions = {}): Promise<PanelServer> {
  const host = options.host ?? '127.0.0.1';
  const backlogCap = options.backlog ?? 10_000;
  const maxPayload = options.maxMessageBytes ?? 64 * 1024 * 1024;
  const sessions = new Map((options.sessions ?? []).map((path) => [basename(path), path]));
  const backlog: string[] = [];
  const panels = new Set<WebSocket>();
  const remotes = new Set<WebSocket>();
  await pageScript();

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(error instanceof Error ? error.message : 'internal error');
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const security = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
    if (url.pathname === '/' || url.pathname === '/index.html') {
      response.writeHead(200, {
        ...security,
        'content-type': 'text/html; charset=utf-8',
        // Payloads are rendered as text, and no script but ours may run on this page.
        'content-security-policy':
          "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self' data: blob:",
      });
      response.end(PAGE);
      return;
    }
    if (url.pathname === '/panel.js') {
      response.writeHead(200, { ...security, 'content-type': 'text/javascript; charset=utf-8' });
      response.end(await pageScript());
      return;
    }
    if (url.pathname === '/sessions') {
      response.writeHead(200, { ...security, 'content-type': 'application/json' });
      response.end(JSON.stringify([...sessions.keys()]));
      return;
    }
    if (url.pathname.startsWith('/sessions/')) {
      const path = sessions.get(decodeURIComponent(url.pathname.slice('/sessions/'.length)));
      if (!path) {
        response.writeHead(404, { ...security, 'content-type': 'text/plain' });
        response.end('no such session');
        return;
      }
      // Streamed from disk: the page parses a big recording while it downloads.
      const { size } = await stat(path);
      response.writeHead(200, { ...security, 'content-type': 'application/x-ndjson', 'content-length': size });
      createReadStream(path, { highWaterMark: 1 << 20 })
        .on('error', () => response.destroy())
        .pipe(response);
      return;
    }
    response.writeHead(404, { ...security, 'content-type': 'text/plain' });
    response.end('not found');
  }

  const panelWss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const remoteWss = new WebSocketServer({ noServer: true, maxPayload });
  server.on('upgrade', (request, socket, head) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const target = path === '/panel' ? panelWss : path === '/remote' ? remoteWss : undefined;
    if (!target) {
      socket.destroy();
      return;
    }
    target.handleUpgrade(request, socket, head, (ws) => target.emit('connection', ws, request));
  });

  panelWss.on('connection', (ws: WebSocket) => {
    panels.add(ws);
    for (const message of backlog) ws.send(message);
    ws.on('message', (data) => {
      // A panel's command (record, snapshot) goes to every remote sink.
      let parsed: ReturnType<typeof parseMessage<PanelToRemote>>;
      try {
        parsed = parseMessage(PanelToRemote, JSON.parse(String(data)));
      } catch {
        return;
      }
      if (!parsed.ok) return;
      const text = JSON.stringify(parsed.message);
      for (const remote of remotes) remote.send(text);
    });
    ws.on('close', () => panels.delete(ws));
  });

  remoteWss.on('connection', (ws: WebSocket) => {
    remotes.add(ws);
    ws.on('message', (data) => {
      let value: unknown;
      try {
        value = JSON.parse(String(data));
      } catch {
        return;
      }
      const parsed = parseMessage(RemoteToPanel, value);
      if (!parsed.ok) {
        ws.send(JSON.stringify({ source: SOURCE.panel, v: BRIDGE_VERSION, error: parsed.error }));
        return;
      }
      const text = JSON.stringify(parsed.message);
      backlog.push(text);
      if (backlog.length > backlogCap) backlog.splice(0, backlog.length - backlogCap);
      for (const panel of panels) panel.send(text);
    });
    ws.on('close', () => remotes.delete(ws));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${hostForUrl}:${port}/`,
    remoteUrl: `ws://${hostForUrl}:${port}/remote`,
    close: async () => {
      for (const ws of [...panels, ...remotes]) ws.terminate();
      await Promise.all([new Promise((r) => panelWss.close(r)), new Promise((r) => remoteWss.close(r))]);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
