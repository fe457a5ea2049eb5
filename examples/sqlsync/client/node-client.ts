/**
 * The Node client of the sqlsync reference engine (tests, scripts, fixture recording): a ClientDocument
 * (../shared/client-document.ts: journals, rebase) over better-sqlite3 in memory, and a WebSocket from `ws`.
 * Every frame sent or received can be reported to an `onFrame` observer in syncscope's FrameInput shape, so
 * scenario traffic can be recorded as fixtures. Reconnects after an unexpected close.
 */
import { randomBytes } from 'node:crypto';
import type { RawFrame } from '@syncscope/protocols/core';
import {
  type ClientMessage,
  encodeEngineMessage,
  type LsnRange,
  type Mutation,
  type ServerMessage,
  ServerMessage as ServerMessageSchema,
  type StorageEntry,
} from '@syncscope/protocols/sqlsync';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { ClientDocument } from '../shared/client-document.ts';
import { SYNC_PATH } from '../shared/constants.ts';
import type { Journal } from '../shared/journal.ts';
import { listTodos, type ReduceOutcome, type Todo } from '../shared/mutations.ts';
import { nodeSql } from '../shared/sqlite-node.ts';

export type FrameInput = Omit<RawFrame, 'seq' | 't'>;

export interface NodeClientOptions {
  /** The server's base URL (http://host:port) or its WebSocket URL. */
  url: string;
  doc: string;
  /** Generated client-side when absent (the note: timeline ids can be client generated). */
  timeline?: string;
  /** Prefix of this client's connection ids in recorded frames. */
  name?: string;
  onFrame?: (frame: FrameInput) => void;
  /** Reconnect after an unexpected close (default true). */
  reconnect?: boolean;
}

export type ConnectionStatus = 'disconnected' | 'connecting' | 'connected';
type Observe = (frame: Omit<FrameInput, 'conn' | 'transport'>) => void;

export class NodeSqlsyncClient {
  readonly doc: string;
  status: ConnectionStatus = 'disconnected';

  private readonly db: Database.Database;
  private readonly sql: ReturnType<typeof nodeSql>;
  private readonly document: ClientDocument;
  private readonly name: string;
  private ws: WebSocket | undefined;
  private observe: Observe = () => {};
  private connCount = 0;
  private wantOpen = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();
  private opened: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(private readonly options: NodeClientOptions) {
    this.doc = options.doc;
    this.name = options.name ?? 'client';
    this.db = new Database(':memory:');
    this.sql = nodeSql(this.db);
    this.document = new ClientDocument(options.doc, options.timeline ?? randomBytes(12).toString('base64url'), this.sql);
  }

  get timeline(): Journal<Mutation> {
    return this.document.timeline;
  }
  get storage(): Journal<StorageEntry> {
    return this.document.storage;
  }
  /** The note's server_timeline_range: what the server holds of our timeline, as last told. */
  get serverTimeline(): LsnRange | null {
    return this.document.serverTimeline;
  }
  /** Our mutations the server's reducer refused, as storage recorded them. */
  get rejections(): readonly StorageEntry[] {
    return this.document.rejections;
  }
  get errors(): ReadonlyArray<Extract<ServerMessage, { type: 'error' }>> {
    return this.document.errors;
  }
  get settled(): boolean {
    return this.document.settled;
  }

  get syncUrl(): string {
    const url = new URL(this.options.url);
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
      url.pathname = SYNC_PATH;
    }
    return url.toString();
  }

  /** Called after every local or remote change of the database or the connection. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  todos(): Todo[] {
    return listTodos(this.sql);
  }

  /** Runs a mutation locally; if the reducer accepts it, it joins the timeline and is synced when connected. */
  mutate(mutation: Mutation): ReduceOutcome {
    const { outcome, send } = this.document.mutate(mutation);
    if (outcome.ok) this.changed();
    this.sendAll(send);
    return outcome;
  }

  private sendAll(messages: readonly ClientMessage[]): void {
    const ws = this.ws;
    for (const message of messages) {
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      const text = encodeEngineMessage(message);
      this.observe({ dir: 'out', kind: 'message', text, size: Buffer.byteLength(text) });
      ws.send(text);
    }
  }

  /** Opens the connection; resolves once the server has answered the open (our timeline's range). */
  connect(): Promise<void> {
    this.wantOpen = true;
    return new Promise((resolve, reject) => {
      this.opened = { resolve, reject };
      this.openSocket();
    });
  }

  private openSocket(): void {
    if (this.ws) return;
    const conn = `${this.name}-ws${++this.connCount}`;
    const url = this.syncUrl;
    const ws = new WebSocket(url);
    const observe: Observe = (frame) => this.options.onFrame?.({ transport: 'websocket', conn, ...frame });
    this.ws = ws;
    this.observe = observe;
    this.status = 'connecting';
    ws.on('open', () => {
      observe({ dir: 'out', kind: 'open', meta: { url } });
      this.sendAll([this.document.open()]);
    });
    ws.on('message', (data) => {
      const text = data.toString();
      observe({ dir: 'in', kind: 'message', text, size: Buffer.byteLength(text) });
      this.onMessage(text);
    });
    ws.on('error', (error) => observe({ dir: 'in', kind: 'error', meta: { error: error.message } }));
    ws.on('close', (code, reason) => {
      observe({ dir: 'in', kind: 'close', meta: { code, reason: reason.toString() } });
      if (this.ws === ws) this.ws = undefined;
      this.status = 'disconnected';
      this.document.disconnected();
      this.changed();
      if (this.wantOpen && this.options.reconnect !== false) {
        this.retry = setTimeout(() => {
          this.retry = undefined;
          if (this.wantOpen) this.openSocket();
        }, 100);
      }
    });
  }

  private onMessage(text: string): void {
    let message: ServerMessage;
    try {
      const parsed = ServerMessageSchema.safeParse(JSON.parse(text));
      if (!parsed.success) return;
      message = parsed.data;
    } catch {
      return;
    }
    const { send, changed } = this.document.receive(message);
    if (this.document.connected && this.status !== 'connected') {
      this.status = 'connected';
      this.opened?.resolve();
      this.opened = undefined;
    }
    if (message.type === 'error' && message.code === 'duplicate-timeline' && this.status !== 'connected') {
      this.opened?.reject(new Error(message.message));
      this.opened = undefined;
    }
    this.sendAll(send);
    if (changed) this.changed();
  }

  /** Goes offline (mutations keep queueing in the timeline) until the next connect(). */
  async disconnect(): Promise<void> {
    this.wantOpen = false;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    const ws = this.ws;
    if (!ws) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000, 'client disconnect');
    });
  }

  async close(): Promise<void> {
    await this.disconnect();
    this.db.close();
  }
}
