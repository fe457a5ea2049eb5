/**
 * The seneschal reference server: HTTP for accounts (register, login, groups) and a WebSocket at /seneschal for
 * dispatches. Every inbound message is validated with the protocol's zod schemas; bad input gets a protocol-level
 * error naming the field, and nothing a client sends can crash the process or corrupt the database.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ClientMessage,
  GroupRequest,
  LoginRequest,
  type LoginResponse,
  RegisterRequest,
  type ServerMessage,
} from '@syncscope/protocols/seneschal';
import { type WebSocket, WebSocketServer } from 'ws';
import type { z } from 'zod';
import { hashPassword, signToken, verifyPassword, verifyToken } from './auth.ts';
import { Store } from './db.ts';
import { DEFAULT_IDLE_CLIENT_MS, MAX_REHYDRATE_DISPATCHES, type Peer, Seneschal } from './engine.ts';
import { HttpError, MAX_BODY_BYTES, readJson, sendError, sendJson, sendPreflight, sendText } from './http.ts';

export interface ServerOptions {
  port?: number;
  host?: string;
  dataDir: string;
  /** How long a CUID may stay unseen before it loses its association and queue (the note: 30 days). */
  idleClientMs?: number;
  /** The clock (tests move it to expire idle clients). */
  now?: () => number;
  tokenLifetimeSeconds?: number;
  /** The most stored dispatches one rehydrate may hold over all its messages (default MAX_REHYDRATE_DISPATCHES). */
  maxRehydrateDispatches?: number;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export const SOCKET_PATH = '/seneschal';

function issuePath(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }>): string | undefined {
  const path = issues[0]?.path;
  return path?.length ? path.map(String).join('.') : undefined;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as z.infer<S>;
  const path = issuePath(parsed.error.issues);
  throw new HttpError(400, 'bad-message', `${what}: ${path ? `${path}: ` : ''}${parsed.error.issues[0]?.message ?? 'invalid'}`, path);
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const store = new Store(options.dataDir);
  const secret = store.secret();
  const now = options.now ?? Date.now;
  const engine = new Seneschal(
    store,
    now,
    options.idleClientMs ?? DEFAULT_IDLE_CLIENT_MS,
    options.maxRehydrateDispatches ?? MAX_REHYDRATE_DISPATCHES,
  );
  const lifetime = options.tokenLifetimeSeconds ?? 30 * 24 * 3600;
  engine.expireIdleClients();
  // Besides every login and hello, sweep idle CUIDs hourly, so a server nobody logs into still forgets them.
  const sweeper = setInterval(() => engine.expireIdleClients(), 3600_000);
  sweeper.unref();

  async function bearer(request: IncomingMessage) {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const claims = token ? await verifyToken(secret, token) : undefined;
    if (!claims) throw new HttpError(401, 'unauthorized', 'a valid bearer token is required');
    return claims;
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (request.method === 'OPTIONS') return sendPreflight(response);
    if (request.method === 'GET' && path === '/seneschal/health') return sendJson(response, 200, { ok: true });
    if (request.method === 'GET' && path === '/seneschal/journal') {
      const claims = await bearer(request);
      const entries = engine.journal(claims.userID);
      // ?stream=1: NDJSON, one entry a line, as a long journal would be streamed.
      if (new URL(request.url ?? '/', 'http://x').searchParams.get('stream') === '1') {
        return sendText(response, 200, 'application/x-ndjson', entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
      }
      return sendJson(response, 200, entries);
    }
    if (request.method !== 'POST') throw new HttpError(404, 'bad-message', `no route ${request.method} ${path}`);
    if (path === '/seneschal/register') {
      const body = parse(RegisterRequest, await readJson(request), 'register');
      const userID = randomUUID();
      if (!store.addUser(userID, body.username, await hashPassword(body.password))) {
        throw new HttpError(409, 'bad-message', `username "${body.username}" is taken`, 'username');
      }
      return sendJson(response, 201, { userID });
    }
    if (path === '/seneschal/login') {
      const body = parse(LoginRequest, await readJson(request), 'login');
      const user = store.userByName(body.username);
      if (!user || !(await verifyPassword(body.password, user.password_hash)))
        throw new HttpError(401, 'unauthorized', 'wrong username or password');
      engine.associate(body.clientID, user.uuid);
      const token = await signToken(secret, { userID: user.uuid, clientID: body.clientID }, lifetime);
      const reply: LoginResponse = { token, userID: user.uuid, clientID: body.clientID };
      return sendJson(response, 200, reply);
    }
    if (path === '/seneschal/groups') {
      await bearer(request);
      const body = parse(GroupRequest, await readJson(request), 'group');
      if (!store.userExists(body.userID)) throw new HttpError(404, 'bad-message', `no user ${body.userID}`, 'userID');
      store.addGroupMember(body.gid, body.userID);
      return sendJson(response, 200, body);
    }
    throw new HttpError(404, 'bad-message', `no route POST ${path}`);
  }

  const http = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      sendError(response, error instanceof HttpError ? error : new HttpError(500, 'internal', 'internal error'));
      if (!(error instanceof HttpError)) console.error('seneschal: request failed', error);
    });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  http.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://x').pathname !== SOCKET_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serve(ws));
  });

  function serve(ws: WebSocket): void {
    const reply = (message: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    let peer: Peer | undefined;
    let authenticating = false;
    // Messages are handled one at a time, in order, even though authentication is asynchronous.
    let chain = Promise.resolve();
    ws.on('message', (data, isBinary) => {
      chain = chain
        .then(() => onMessage(isBinary ? undefined : data.toString()))
        .catch((error: unknown) => {
          console.error('seneschal: message failed', error);
          reply({ type: 'error', code: 'internal', message: 'internal error; the message was not applied' });
        });
    });
    ws.on('close', () => {
      if (peer && !closed) engine.close(peer);
    });
    ws.on('error', () => ws.terminate());

    async function onMessage(text: string | undefined): Promise<void> {
      if (closed) return;
      if (text === undefined)
        return reply({ type: 'error', code: 'bad-message', message: 'seneschal speaks JSON text, not binary frames' });
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        return reply({
          type: 'error',
          code: 'bad-message',
          message: `not JSON: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
      const parsed = ClientMessage.safeParse(value);
      if (!parsed.success) {
        const path = issuePath(parsed.error.issues);
        return reply({
          type: 'error',
          code: 'bad-message',
          message: `${path ? `${path}: ` : ''}${parsed.error.issues[0]?.message ?? 'invalid'}`,
          ...(path ? { path } : {}),
        });
      }
      const message = parsed.data;
      if (message.type === 'hello') {
        if (peer || authenticating) return reply({ type: 'error', code: 'bad-message', message: 'already said hello', path: 'type' });
        authenticating = true;
        const claims = await verifyToken(secret, message.token);
        authenticating = false;
        if (closed) return;
        if (!claims || claims.clientID !== message.clientID) {
          reply({ type: 'error', code: 'unauthorized', message: 'invalid token for this clientID', path: 'token' });
          ws.close(4401, 'unauthorized');
          return;
        }
        peer = { userID: claims.userID, clientID: claims.clientID, live: false, send: reply };
        engine.open(peer);
        return;
      }
      if (!peer) return reply({ type: 'error', code: 'unauthorized', message: 'say hello with a token first', path: 'type' });
      engine.handle(peer, message);
    }
  }

  let closed = false;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      store.close();
    },
  };
}
