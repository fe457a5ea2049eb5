/**
 * The linear reference server (design note 000): POST /login, GET /bootstrap (full, or delta with ?sinceSyncId=n),
 * POST /change, and the /sync WebSocket that streams every change of the user's team with its sync id. SQLite in
 * WAL mode holds everything; every inbound message is validated with the schemas of protocols/linear, and bad
 * input gets a protocol-level error, never a crash.
 *
 *   startServer({ port: 4101, dataDir: '/tmp/linear' }) -> { url, close() }
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { signToken, verifyPassword, verifyToken } from './auth.ts';
import { Store } from './db.ts';
import {
  ChangeRequest,
  ClientCommand,
  encodeBootstrapLine,
  LoginRequest,
  type LoginResponse,
  type ServerCommand,
  type SyncAction,
  type TokenClaims,
  zodFirstIssue,
} from './deps.ts';
import { applyBatch } from './engine.ts';
import { CORS_HEADERS, HttpError, readJson, sendError, sendJson } from './http.ts';

export interface ServerOptions {
  port?: number;
  host?: string;
  dataDir: string;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Lines per write of a streamed bootstrap: the body arrives in several chunks, as a big team's would. */
const LINES_PER_CHUNK = 4;
const HANDSHAKE_TIMEOUT_MS = 10_000;

interface SocketClient {
  socket: WebSocket;
  claims?: TokenClaims;
  clientId?: string;
}

function parse<T>(
  schema: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };
  },
  value: unknown,
  what: string,
): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = zodFirstIssue(parsed.error.issues);
  throw new HttpError(400, 'invalid', `${what}: ${issue.message}`, issue.path);
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const store = new Store(options.dataDir);
  const secret = store.secret();
  const sockets = new Set<SocketClient>();

  function broadcast(team: string, actions: readonly SyncAction[], lastSyncId: number): void {
    if (actions.length === 0) return;
    const frame = JSON.stringify({ cmd: 'sync', sync: [...actions], lastSyncId } satisfies ServerCommand);
    for (const client of sockets) {
      if (client.claims?.team === team && client.socket.readyState === client.socket.OPEN) client.socket.send(frame);
    }
  }

  async function authenticate(req: IncomingMessage): Promise<TokenClaims> {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer (.+)$/.exec(header)?.[1];
    if (!token) throw new HttpError(401, 'unauthenticated', 'an Authorization: Bearer <token> header is required');
    const claims = await verifyToken(secret, token);
    if (!claims) throw new HttpError(401, 'unauthenticated', 'the token is invalid or expired');
    return claims;
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = parse(LoginRequest, await readJson(req), 'login');
    const user = store.user(body.username);
    if (!user || !verifyPassword(body.password, user.password))
      throw new HttpError(401, 'bad-credentials', 'unknown user or wrong password');
    const token = await signToken(secret, { username: user.username, team: user.team });
    sendJson(res, 200, { token, username: user.username, team: user.team, userId: user.userId } satisfies LoginResponse);
  }

  async function bootstrap(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const claims = await authenticate(req);
    const sinceText = query.get('sinceSyncId');
    if (sinceText !== null && !/^\d{1,15}$/.test(sinceText))
      throw new HttpError(400, 'invalid', 'sinceSyncId: expected a non-negative integer', ['sinceSyncId']);
    const since = sinceText === null ? 0 : Number(sinceText);
    const { objects, lastSyncId } = store.objectsSince(claims.team, since);
    const lines: string[] = [];
    const counts: Record<string, number> = {};
    for (const object of objects) {
      if (object.deleted) {
        if (since > 0)
          lines.push(
            encodeBootstrapLine({
              kind: 'tombstone',
              tombstone: { __class: 'Tombstone', modelName: object.modelName, modelId: object.id, syncId: object.syncId },
            }),
          );
        continue;
      }
      counts[object.modelName] = (counts[object.modelName] ?? 0) + 1;
      const model = { ...object.data, syncId: object.syncId, ...(object.archived ? { archived: true } : {}) };
      lines.push(encodeBootstrapLine({ kind: 'model', model }));
    }
    lines.push(
      encodeBootstrapLine({
        kind: 'metadata',
        metadata: { method: since > 0 ? 'delta' : 'full', lastSyncId, returnedModelsCount: counts },
      }),
    );
    res.writeHead(200, { ...CORS_HEADERS, 'content-type': 'application/x-ndjson' });
    for (let i = 0; i < lines.length; i += LINES_PER_CHUNK) res.write(lines.slice(i, i + LINES_PER_CHUNK).join(''));
    res.end();
  }

  async function change(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const claims = await authenticate(req);
    const body = parse(ChangeRequest, await readJson(req), 'change');
    const outcome = applyBatch(store, claims.team, body.clientId, body.transactions);
    // Written (and fsynced) before the answer: an acknowledged change survives a restart.
    sendJson(res, 200, { lastSyncId: outcome.lastSyncId, results: outcome.results });
    broadcast(claims.team, outcome.actions, outcome.lastSyncId);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://server.invalid');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS);
      res.end();
      return;
    }
    const key = `${req.method} ${url.pathname}`;
    if (key === 'POST /login') return login(req, res);
    if (key === 'GET /bootstrap') return bootstrap(req, res, url.searchParams);
    if (key === 'POST /change') return change(req, res);
    if (key === 'GET /health') return sendJson(res, 200, { ok: true, lastSyncId: store.lastSyncId() });
    throw new HttpError(404, 'not-found', `no endpoint ${key}`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((thrown: unknown) => {
      if (thrown instanceof HttpError) sendError(res, thrown);
      else sendError(res, new HttpError(500, 'internal', thrown instanceof Error ? thrown.message : 'internal error'));
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1_000_000 });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://server.invalid').pathname;
    if (path !== '/sync') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws));
  });

  function send(ws: WebSocket, command: ServerCommand): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(command));
  }

  function onSocket(ws: WebSocket): void {
    const client: SocketClient = { socket: ws };
    sockets.add(client);
    const timer = setTimeout(() => {
      if (!client.claims) {
        send(ws, { cmd: 'noauth' });
        ws.close(4001, 'no handshake');
      }
    }, HANDSHAKE_TIMEOUT_MS);
    ws.on('close', () => {
      clearTimeout(timer);
      sockets.delete(client);
    });
    ws.on('error', () => sockets.delete(client));
    ws.on('message', (data, isBinary) => {
      void onCommand(client, data.toString(), isBinary).catch((thrown: unknown) => {
        send(ws, { cmd: 'error', code: 'internal', message: thrown instanceof Error ? thrown.message : 'internal error' });
      });
    });
  }

  async function onCommand(client: SocketClient, text: string, isBinary: boolean): Promise<void> {
    const ws = client.socket;
    if (isBinary) return send(ws, { cmd: 'error', code: 'unsupported', message: 'this server speaks JSON text frames' });
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return send(ws, { cmd: 'error', code: 'bad-json', message: 'the frame is not JSON' });
    }
    const parsed = ClientCommand.safeParse(value);
    if (!parsed.success) {
      const issue = zodFirstIssue(parsed.error.issues);
      return send(ws, { cmd: 'error', code: 'invalid', message: issue.message, path: issue.path });
    }
    const command = parsed.data;
    if (command.cmd === 'hshk') {
      const claims = command.token ? await verifyToken(secret, command.token) : undefined;
      if (!claims) {
        send(ws, { cmd: 'noauth' });
        ws.close(4001, 'bad token');
        return;
      }
      client.claims = claims;
      if (command.clientId) client.clientId = command.clientId;
      return send(ws, { cmd: 'hshk', sync: { lastSyncId: store.lastSyncId() } });
    }
    if (!client.claims) {
      send(ws, { cmd: 'noauth' });
      ws.close(4001, 'handshake first');
      return;
    }
    if (command.cmd === 'ping') return send(ws, { cmd: 'pong', ...(command.id !== undefined ? { id: command.id } : {}) });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  let closed = false;
  return {
    url: `http://${host}:${address.port}`,
    async close() {
      if (closed) return;
      closed = true;
      for (const client of sockets) client.socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 4101);
  const running = await startServer({ port, dataDir: process.env.DATA_DIR ?? '.data/linear' });
  console.log(`linear server on ${running.url}`);
}
