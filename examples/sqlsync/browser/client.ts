/// <reference types="vite/client" />
/**
 * The tab side of the sqlsync browser client: boots (or joins) the origin's SharedWorker and talks to it with
 * sqlsync's worker messages. Every message in either direction can be reported to `onFrame` as a syncscope frame
 * (transport 'worker', channel 'sqlsync-worker'), which is how the tab <-> worker traffic gets inspected.
 *
 *   const tab = await SqlsyncTab.boot({ coordinatorUrl: 'ws://127.0.0.1:4101/sqlsync' });
 *   const doc = await tab.open('groceries');
 *   doc.subscribe('SELECT * FROM todos', [], (rows) => render(rows));
 *   await doc.mutate({ tag: 'AddTodo', id: crypto.randomUUID(), text: 'milk' });
 */
import wasmUrl from '@sqlite.org/sqlite-wasm/sqlite3.wasm?url';
import type { RawFrame } from '@syncscope/protocols/core';
import { type ConnectionStatus, type DocRequest, type WorkerRequest, WorkerResponse } from '@syncscope/protocols/sqlsync';
import type { TodoMutation } from '../shared/mutations.ts';

export type FrameInput = Omit<RawFrame, 'seq' | 't'>;
export const WORKER_CHANNEL = 'sqlsync-worker';

export interface TabOptions {
  /** The coordinator's WebSocket URL (ws://host:port/sqlsync). */
  coordinatorUrl: string;
  onFrame?: (frame: FrameInput) => void;
}

type Reply = Extract<WorkerResponse, { tag: 'Reply' }>['reply'];
export interface RecordSet {
  columns: string[];
  rows: unknown[][];
}

export class SqlsyncTab {
  private nextHandler = 1;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private readonly docListeners = new Map<string, Set<(event: Extract<WorkerResponse, { tag: 'Event' }>['evt']) => void>>();
  private readonly conn = `tab-${crypto.randomUUID().slice(0, 8)}`;

  private constructor(
    private readonly port: MessagePort,
    private readonly options: TabOptions,
  ) {
    port.onmessage = (event) => this.onMessage(event.data);
    port.start();
  }

  static async boot(options: TabOptions): Promise<SqlsyncTab> {
    const worker = new SharedWorker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'sqlsync' });
    const tab = new SqlsyncTab(worker.port, options);
    await tab.request({ tag: 'Boot', handlerId: 0, coordinatorUrl: options.coordinatorUrl, wasmUrl: new URL(wasmUrl, location.href).href });
    return tab;
  }

  private frame(dir: 'out' | 'in', json: unknown): void {
    this.options.onFrame?.({ transport: 'worker', conn: this.conn, dir, kind: 'message', json, meta: { channel: WORKER_CHANNEL } });
  }

  private onMessage(data: unknown): void {
    this.frame('in', data);
    const parsed = WorkerResponse.safeParse(data);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.tag === 'Reply') {
      this.waiting.get(message.handlerId)?.(message.reply);
      this.waiting.delete(message.handlerId);
      return;
    }
    for (const listener of this.docListeners.get(message.docId) ?? []) listener(message.evt);
  }

  /** Sends one request and resolves with its reply; an Err reply rejects. */
  request(request: WorkerRequest): Promise<Reply> {
    const handlerId = this.nextHandler++;
    const message = { ...request, handlerId } as WorkerRequest;
    return new Promise((resolve, reject) => {
      this.waiting.set(handlerId, (reply) => (reply.tag === 'Err' ? reject(new Error(reply.err)) : resolve(reply)));
      this.frame('out', message);
      this.port.postMessage(message);
    });
  }

  async open(docId: string): Promise<DocHandle> {
    const handle = new DocHandle(this, docId);
    await handle.send({ tag: 'Open', reducerUrl: 'builtin:todos' });
    return handle;
  }

  onDocEvent(docId: string, listener: (event: Extract<WorkerResponse, { tag: 'Event' }>['evt']) => void): () => void {
    let set = this.docListeners.get(docId);
    if (!set) {
      set = new Set();
      this.docListeners.set(docId, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  close(): void {
    this.port.postMessage({ tag: 'Close', handlerId: this.nextHandler++ });
    this.port.close();
  }
}

export class DocHandle {
  private nextKey = 1;
  constructor(
    private readonly tab: SqlsyncTab,
    readonly docId: string,
  ) {}

  send(req: DocRequest): Promise<Reply> {
    return this.tab.request({ tag: 'Doc', handlerId: 0, docId: this.docId, req });
  }

  async query(sql: string, params: Array<string | number | null> = []): Promise<RecordSet> {
    const reply = await this.send({ tag: 'Query', sql, params });
    return reply.tag === 'RecordSet' ? { columns: reply.columns, rows: reply.rows } : { columns: [], rows: [] };
  }

  /** Re-runs `sql` after every change of the document (local mutation or storage sync) and calls back. */
  subscribe(sql: string, params: Array<string | number | null>, callback: (result: RecordSet) => void): () => void {
    const key = `${this.docId}:${this.nextKey++}:${crypto.randomUUID().slice(0, 8)}`;
    const off = this.tab.onDocEvent(this.docId, (evt) => {
      if (evt.tag === 'SubscriptionChanged' && evt.key === key) callback({ columns: evt.columns, rows: evt.rows });
    });
    void this.send({ tag: 'QuerySubscribe', key, sql, params });
    return () => {
      off();
      void this.send({ tag: 'QueryUnsubscribe', key });
    };
  }

  async mutate(mutation: TodoMutation): Promise<void> {
    await this.send({ tag: 'Mutate', mutation });
  }

  setConnectionEnabled(enabled: boolean): Promise<Reply> {
    return this.send({ tag: 'SetConnectionEnabled', enabled });
  }

  onConnectionStatus(callback: (status: ConnectionStatus) => void): () => void {
    const off = this.tab.onDocEvent(this.docId, (evt) => {
      if (evt.tag === 'ConnectionStatus') callback(evt.status);
    });
    void this.send({ tag: 'RefreshConnectionStatus' });
    return off;
  }
}
