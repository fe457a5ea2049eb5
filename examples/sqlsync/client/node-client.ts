/**
 * The Node client of the sqlsync reference engine (tests, scripts, fixtures recording). It keeps, as the note's
 * `local` side does: a timeline journal (local mutations), a storage journal (the server's applied entries), a
 * SQLite database (better-sqlite3, in memory) and the cached server range of its timeline.
 *
 * The database is always "storage + still-unapplied local mutations": local mutations run inside an open
 * SAVEPOINT; a storage sync rolls that savepoint back, applies the new storage entries, and re-applies the
 * timeline entries the server has not applied yet (the rebase). Every frame sent or received can be reported to an
 * `onFrame` observer in syncscope's FrameInput shape, so scenario traffic can be recorded as fixtures.
 */
import { randomBytes } from 'node:crypto';
import type { RawFrame } from '@syncscope/protocols/core';
import {
  encodeEngineMessage,
  type LsnRange,
  type Mutation,
  mutationSize,
  type ServerMessage,
  ServerMessage as ServerMessageSchema,
  type StorageEntry,
  type StoragePartial,
} from '@syncscope/protocols/sqlsync';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { MAX_BATCH_BYTES, SYNC_PATH } from '../shared/constants.ts';
import { Journal } from '../shared/journal.ts';
import { applyMutation, listTodos, type ReduceOutcome, type SqlDatabase, type Todo } from '../shared/mutations.ts';

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

const newId = () => randomBytes(12).toString('base64url');

export class NodeSqlsyncClient {
  readonly doc: string;
  readonly timeline: Journal<Mutation>;
  readonly storage: Journal<StorageEntry>;
  /** The note's server_timeline_range: what the server holds of our timeline, as last told. */
  serverTimeline: LsnRange | null = null;
  status: ConnectionStatus = 'disconnected';
  /** Our mutations the server's reducer refused, as storage recorded them. */
  readonly rejections: StorageEntry[] = [];
  /** Protocol errors the server sent. */
  readonly errors: Array<Extract<ServerMessage, { type: 'error' }>> = [];

  private readonly db: Database.Database;
  private readonly sql: SqlDatabase;
  private readonly name: string;
  private ws: WebSocket | undefined;
  private connCount = 0;
  private timelineInFlight = false;
  private wantOpen = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();
  private opened: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(private readonly options: NodeClientOptions) {
    this.doc = options.doc;
    this.name = options.name ?? 'client';
    this.timeline = new Journal<Mutation>(options.timeline ?? newId());
    this.storage = new Journal<StorageEntry>(options.doc);
    this.db = new Database(':memory:');
    this.sql = {
      run: (text, params = []) => void this.db.prepare(text).run(...params),
      all: (text, params = []) => this.db.prepare(text).all(...params) as Array<Record<string, unknown>>,
    };
    this.db.exec('SAVEPOINT pending');
  }

  get syncUrl(): string {
    const url = new URL(this.options.url);
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
      url.pathname = SYNC_PATH;
    }
    return url.toString();
  }

  /** Called after every local or remote change of the database. */
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
    const outcome = this.applyInSavepoint(mutation);
    if (!outcome.ok) return outcome;
    this.timeline.append(mutation);
    this.changed();
    this.syncTimeline();
    return outcome;
  }

  private applyInSavepoint(mutation: unknown): ReduceOutcome {
    this.db.exec('SAVEPOINT mutation');
    let outcome: ReduceOutcome;
    try {
      outcome = applyMutation(this.sql, mutation);
    } catch (thrown) {
      outcome = { ok: false, reason: thrown instanceof Error ? thrown.message : String(thrown) };
    }
    this.db.exec(outcome.ok ? 'RELEASE mutation' : 'ROLLBACK TO mutation; RELEASE mutation');
    return outcome;
  }

  // -------------------------------------------------------------------------------------------------------------
  // connection

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
    this.ws = ws;
    this.status = 'connecting';
    const observe = (frame: Omit<FrameInput, 'conn' | 'transport'>) => this.options.onFrame?.({ transport: 'websocket', conn, ...frame });
    ws.on('open', () => {
      observe({ dir: 'out', kind: 'open', meta: { url } });
      this.sendOn(ws, observe, {
        type: 'open',
        docs: [{ doc: this.doc, storageRange: this.storage.range, timeline: this.timeline.id }],
      });
    });
    ws.on('message', (data) => {
      const text = data.toString();
      observe({ dir: 'in', kind: 'message', text, size: Buffer.byteLength(text) });
      this.onMessage(ws, observe, text);
    });
    ws.on('error', (error) => observe({ dir: 'in', kind: 'error', meta: { error: error.message } }));
    ws.on('close', (code, reason) => {
      observe({ dir: 'in', kind: 'close', meta: { code, reason: reason.toString() } });
      if (this.ws === ws) this.ws = undefined;
      this.status = 'disconnected';
      this.timelineInFlight = false;
      this.changed();
      if (this.wantOpen && this.options.reconnect !== false) {
        this.retry = setTimeout(() => {
          this.retry = undefined;
          if (this.wantOpen) this.openSocket();
        }, 100);
      }
    });
  }

  private sendOn(
    ws: WebSocket,
    observe: (frame: Omit<FrameInput, 'conn' | 'transport'>) => void,
    message: Parameters<typeof encodeEngineMessage>[0],
  ): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    const text = encodeEngineMessage(message);
    observe({ dir: 'out', kind: 'message', text, size: Buffer.byteLength(text) });
    ws.send(text);
  }

  private send(message: Parameters<typeof encodeEngineMessage>[0]): void {
    const ws = this.ws;
    if (!ws) return;
    const conn = `${this.name}-ws${this.connCount}`;
    this.sendOn(ws, (frame) => this.options.onFrame?.({ transport: 'websocket', conn, ...frame }), message);
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

  // -------------------------------------------------------------------------------------------------------------
  // sync

  private onMessage(ws: WebSocket, observe: (frame: Omit<FrameInput, 'conn' | 'transport'>) => void, text: string): void {
    let message: ServerMessage;
    try {
      const parsed = ServerMessageSchema.safeParse(JSON.parse(text));
      if (!parsed.success) return;
      message = parsed.data;
    } catch {
      return;
    }
    switch (message.type) {
      case 'timeline-range':
        if (message.timeline !== this.timeline.id) return;
        this.serverTimeline = message.range;
        this.timelineInFlight = false;
        if (this.status !== 'connected') {
          this.status = 'connected';
          this.opened?.resolve();
          this.opened = undefined;
          this.changed();
        }
        this.syncTimeline();
        return;
      case 'storage-sync':
        this.receiveStorage(message.partial);
        this.sendOn(ws, observe, { type: 'storage-range', doc: this.doc, range: this.storage.range });
        return;
      case 'error':
        this.errors.push(message);
        if (message.code === 'duplicate-timeline' && this.status !== 'connected') {
          this.opened?.reject(new Error(message.message));
          this.opened = undefined;
        }
        if (message.code === 'lsn-gap') this.timelineInFlight = false;
        return;
    }
  }

  /** Timeline sync: prepare from the cached server range, at most one partial in flight, sized by bytes. */
  private syncTimeline(): void {
    if (this.status !== 'connected' || this.timelineInFlight) return;
    const partial = this.timeline.prepareBatch(this.serverTimeline, MAX_BATCH_BYTES, mutationSize);
    if (!partial) return;
    this.timelineInFlight = true;
    this.send({ type: 'timeline-sync', doc: this.doc, partial });
  }

  /** Storage sync: take the new entries in, then rebase the still-unapplied local mutations on top. */
  private receiveStorage(partial: StoragePartial): void {
    const from = this.storage.next;
    if (partial.range.first > from) return; // a gap: our storage-range reply makes the server resend from `from`
    this.db.exec('ROLLBACK TO pending; RELEASE pending');
    let ownApplied = -1;
    partial.entries.forEach((entry, i) => {
      if (partial.range.first + i < from) return;
      if (entry.timeline === this.timeline.id) {
        ownApplied = Math.max(ownApplied, entry.lsn);
        if (entry.rejected !== undefined) this.rejections.push(entry);
      }
      if (entry.rejected === undefined) this.applyInSavepoint(entry.mutation);
    });
    this.storage.syncReceive(partial);
    // Entries the server applied are in storage now: the timeline drops them, LSNs unchanged.
    if (ownApplied >= 0) this.timeline.compactThrough(ownApplied);
    this.db.exec('SAVEPOINT pending');
    for (const [, mutation] of this.timeline.iterate()) this.applyInSavepoint(mutation);
    this.changed();
  }

  /** True when everything we wrote is applied into storage we hold. */
  get settled(): boolean {
    return this.timeline.range === null && !this.timelineInFlight;
  }
}
