/// <reference types="vite/client" />
/**
 * The sqlsync SharedWorker: one per origin, shared by every tab. It owns SQLite (sqlite-wasm, one in-memory
 * database per document rebuilt from the journals), the journals (persisted to OPFS, IndexedDB as fallback) and
 * the WebSocket to the coordinator. Tabs speak to it with sqlsync's worker messages (protocols/sqlsync/schemas.ts:
 * Boot, Close, Doc{Open, Query, QuerySubscribe, QueryUnsubscribe, Mutate, RefreshConnectionStatus,
 * SetConnectionEnabled}; Reply, Event{ConnectionStatus, SubscriptionChanged, SubscriptionErr}), each validated.
 *
 * A Mutate is acknowledged only after the timeline holding it is saved: a reload or a browser restart loses no
 * acknowledged local mutation. After every storage sync the database is rebased (ClientDocument) and every
 * subscription of that document is re-run and pushed to its tab.
 */
import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
import {
  type ClientMessage,
  type ConnectionStatus,
  type DocEvent,
  encodeEngineMessage,
  ServerMessage,
  WorkerRequest,
  type WorkerResponse,
} from '@syncscope/protocols/sqlsync';
import { type ClientDatabase, ClientDocument } from '../shared/client-document.ts';
import { TodoMutation } from '../shared/mutations.ts';
import { openSnapshotStore, SaveQueue, type SnapshotStore } from './persistence.ts';

type Sqlite3 = Awaited<ReturnType<typeof sqlite3InitModule>>;
type SqlValue = string | number | null;

interface OpenDoc {
  document: ClientDocument;
  db: ClientDatabase;
  saves: SaveQueue;
}

interface Subscription {
  port: MessagePort;
  docId: string;
  sql: string;
  params: SqlValue[];
}

const ports = new Set<MessagePort>();
const docs = new Map<string, Promise<OpenDoc>>();
const subscriptions = new Map<string, Subscription>();
let sqlite: Promise<Sqlite3> | undefined;
let store: Promise<SnapshotStore> | undefined;
let coordinatorUrl: string | undefined;
let socket: WebSocket | undefined;
let enabled = true;
let status: ConnectionStatus = 'disconnected';
let retry: ReturnType<typeof setTimeout> | undefined;
let retryDelay = 200;

const post = (port: MessagePort, message: WorkerResponse) => port.postMessage(message);
const broadcast = (message: WorkerResponse) => {
  for (const port of ports) post(port, message);
};

function setStatus(next: ConnectionStatus): void {
  if (status === next) return;
  status = next;
  for (const docId of docs.keys()) broadcast({ tag: 'Event', docId, evt: { tag: 'ConnectionStatus', status } });
}

// ---------------------------------------------------------------------------------------------------------------
// documents

function adapt(db: InstanceType<Sqlite3['oo1']['DB']>): ClientDatabase {
  const bind = (sql: string, params: ReadonlyArray<SqlValue>) => (params.length ? { sql, bind: [...params] } : { sql });
  return {
    run: (sql, params = []) => void db.exec(bind(sql, params)),
    all: (sql, params = []) =>
      db.exec({ ...bind(sql, params), rowMode: 'object', returnValue: 'resultRows' }) as Array<Record<string, unknown>>,
    exec: (sql) => void db.exec(sql),
  };
}

function openDoc(docId: string): Promise<OpenDoc> {
  let pending = docs.get(docId);
  if (!pending) {
    pending = (async () => {
      const [sqlite3, snapshots] = await Promise.all([sqlite as Promise<Sqlite3>, store as Promise<SnapshotStore>]);
      const db = adapt(new sqlite3.oo1.DB(':memory:', 'c'));
      const snapshot = await snapshots.load(docId);
      const document = new ClientDocument(docId, crypto.randomUUID().replaceAll('-', ''), db, snapshot);
      const saves = new SaveQueue(snapshots);
      if (!snapshot) await saves.save(document.snapshot()); // the timeline id must survive a reload too
      const open = { document, db, saves };
      if (socket?.readyState === WebSocket.OPEN) send([document.open()]);
      return open;
    })();
    docs.set(docId, pending);
  }
  return pending;
}

function rows(db: ClientDatabase, sql: string, params: SqlValue[]): { columns: string[]; rows: unknown[][] } {
  const objects = db.all(sql, params);
  const columns = objects[0] ? Object.keys(objects[0]) : [];
  return { columns, rows: objects.map((row) => columns.map((column) => row[column])) };
}

async function refreshSubscriptions(docId: string): Promise<void> {
  const open = await openDoc(docId);
  for (const [key, sub] of subscriptions) {
    if (sub.docId !== docId) continue;
    let evt: DocEvent;
    try {
      evt = { tag: 'SubscriptionChanged', key, ...rows(open.db, sub.sql, sub.params) };
    } catch (thrown) {
      evt = { tag: 'SubscriptionErr', key, err: String(thrown) };
    }
    post(sub.port, { tag: 'Event', docId, evt });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// network

function send(messages: readonly ClientMessage[]): void {
  for (const message of messages) if (socket?.readyState === WebSocket.OPEN) socket.send(encodeEngineMessage(message));
}

function connect(): void {
  if (!coordinatorUrl || !enabled || socket) return;
  setStatus('connecting');
  const ws = new WebSocket(coordinatorUrl);
  socket = ws;
  ws.onopen = async () => {
    retryDelay = 200;
    for (const pending of docs.values()) send([(await pending).document.open()]);
  };
  ws.onmessage = async (event) => {
    let parsed: ReturnType<typeof ServerMessage.safeParse>;
    try {
      parsed = ServerMessage.safeParse(JSON.parse(String(event.data)));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const message = parsed.data;
    const docId = 'doc' in message ? message.doc : undefined;
    if (!docId || !docs.has(docId)) return;
    const open = await openDoc(docId);
    const { send: replies, changed } = open.document.receive(message);
    if (open.document.connected) setStatus('connected');
    send(replies);
    if (message.type === 'storage-sync') void open.saves.save(open.document.snapshot()).catch(() => undefined);
    if (changed) await refreshSubscriptions(docId);
  };
  ws.onclose = async () => {
    if (socket === ws) socket = undefined;
    for (const pending of docs.values()) (await pending).document.disconnected();
    setStatus(enabled ? 'disconnected' : 'disabled');
    if (enabled) {
      retry = setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 5000);
    }
  };
}

function setEnabled(next: boolean): void {
  enabled = next;
  if (!enabled) {
    if (retry) clearTimeout(retry);
    socket?.close(1000, 'connection disabled');
    setStatus('disabled');
  } else connect();
}

// ---------------------------------------------------------------------------------------------------------------
// tab requests

async function handle(port: MessagePort, data: unknown): Promise<void> {
  const parsed = WorkerRequest.safeParse(data);
  if (!parsed.success) {
    const handlerId = typeof (data as { handlerId?: unknown })?.handlerId === 'number' ? (data as { handlerId: number }).handlerId : 0;
    const issue = parsed.error.issues[0];
    post(port, { tag: 'Reply', handlerId, reply: { tag: 'Err', err: `bad request: ${issue?.path.join('.')}: ${issue?.message}` } });
    return;
  }
  const request = parsed.data;
  const ack = () => post(port, { tag: 'Reply', handlerId: request.handlerId, reply: { tag: 'Ack' } });
  try {
    switch (request.tag) {
      case 'Boot':
        sqlite ??= sqlite3InitModule({ locateFile: () => request.wasmUrl } as Parameters<typeof sqlite3InitModule>[0]);
        store ??= openSnapshotStore();
        await Promise.all([sqlite, store]);
        if (request.coordinatorUrl && !coordinatorUrl) {
          coordinatorUrl = request.coordinatorUrl;
          connect();
        }
        return ack();
      case 'Close':
        ports.delete(port);
        for (const [key, sub] of subscriptions) if (sub.port === port) subscriptions.delete(key);
        return ack();
      case 'Doc':
        break;
    }
    const { docId, req } = request;
    const open = await openDoc(docId);
    switch (req.tag) {
      case 'Open':
        ack();
        post(port, { tag: 'Event', docId, evt: { tag: 'ConnectionStatus', status } });
        return;
      case 'Query':
        post(port, {
          tag: 'Reply',
          handlerId: request.handlerId,
          reply: { tag: 'RecordSet', ...rows(open.db, req.sql, req.params as SqlValue[]) },
        });
        return;
      case 'QuerySubscribe':
        subscriptions.set(req.key, { port, docId, sql: req.sql, params: req.params as SqlValue[] });
        ack();
        await refreshSubscriptions(docId);
        return;
      case 'QueryUnsubscribe':
        subscriptions.delete(req.key);
        return ack();
      case 'Mutate': {
        const mutation = TodoMutation.safeParse(req.mutation);
        if (!mutation.success) {
          post(port, {
            tag: 'Reply',
            handlerId: request.handlerId,
            reply: { tag: 'Err', err: `not a todo mutation: ${mutation.error.issues[0]?.message}` },
          });
          return;
        }
        const { outcome, send: messages } = open.document.mutate(mutation.data);
        if (!outcome.ok) {
          post(port, { tag: 'Reply', handlerId: request.handlerId, reply: { tag: 'Err', err: outcome.reason } });
          return;
        }
        await open.saves.save(open.document.snapshot());
        send(messages);
        ack();
        await refreshSubscriptions(docId);
        return;
      }
      case 'RefreshConnectionStatus':
        ack();
        post(port, { tag: 'Event', docId, evt: { tag: 'ConnectionStatus', status } });
        return;
      case 'SetConnectionEnabled':
        setEnabled(req.enabled);
        return ack();
    }
  } catch (thrown) {
    post(port, {
      tag: 'Reply',
      handlerId: request.handlerId,
      reply: { tag: 'Err', err: thrown instanceof Error ? thrown.message : String(thrown) },
    });
  }
}

const scope = self as unknown as { onconnect: ((event: MessageEvent) => void) | null };
scope.onconnect = (event) => {
  const port = event.ports[0];
  if (!port) return;
  ports.add(port);
  // Requests of one tab are handled in order: a Mutate never overtakes the Open before it.
  let chain = Promise.resolve();
  port.onmessage = (message) => {
    chain = chain.then(() => handle(port, message.data));
  };
  port.start();
};
