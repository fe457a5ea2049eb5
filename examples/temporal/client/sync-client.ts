/**
 * The client side of the temporal engine, shared by the Node client (tests, fixture recording) and the browser's
 * SharedWorker: one WebSocket to the person's Person object, the full value and meta of every subscribed entity,
 * and a queue of changes per entity. Each change is a patchDiff made on a known version (`ifUnmodifiedSince`):
 * - answered 200: the server's diff from that version brings `confirmed` up to date (it may hold other people's
 *   non-conflicting changes too);
 * - answered 412 (conflicting changes since) or 409 (unknown version): the answer brings `confirmed` up to date and
 *   the change is retried on the new version, so the later writer wins a conflicting field (bounded retries);
 * - a downstream `{diff, meta}` whose base is not `confirmed` makes the client re-fetch with get.
 * Offline, changes queue up; on reconnect every entity is caught up with get(ifModifiedSince) and the queue drains.
 */
import { diff as deepDiff } from 'deep-object-diff';
import type { FrameInput } from '../../../inspector/src/record/recorder.ts';
import { bytesToBase64 } from '../../../protocols/core/base64.ts';
import { decodeWire, encodeWire } from '../../../protocols/temporal/codec.ts';
import { parseWireMessage } from '../../../protocols/temporal/decode.ts';
import { applyDiff, plainDiff } from '../../../protocols/temporal/diff.ts';
import type { Diff, DiffBody, EntityRef, EntityValue, Meta, Request, Response, Update } from '../../../protocols/temporal/schemas.ts';

/** The part of the WebSocket interface used here; the browser's WebSocket and the `ws` package both have it. */
export interface SocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export interface ClientOptions {
  /** The server's http(s) URL; the socket goes to ws(s)://.../temporal/person/<personID>. */
  serverURL: string;
  personID: string;
  openSocket: (url: string) => SocketLike;
  /** Every frame sent and received, for recording sessions. */
  onFrame?: (frame: FrameInput) => void;
  /** Called whenever an entity's confirmed or local value changes. */
  onChange?: (ref: EntityRef, state: EntityView) => void;
  /** Name used in connection ids of recorded frames. */
  name?: string;
  /** Reconnect after an unexpected close (ms between attempts); off when undefined. */
  reconnectDelayMs?: number;
  /** How often a change is re-sent after 412/409/5xx before it is given up. */
  maxAttempts?: number;
}

export interface EntityView {
  ref: EntityRef;
  /** The latest version the server confirmed. */
  confirmed?: { value: EntityValue; meta: Meta };
  /** confirmed with the queued changes applied: what the user sees. */
  local?: EntityValue;
  deleted: boolean;
  queued: number;
}

type Op =
  | { requestID: string; method: 'post'; value: EntityValue; attempts: number }
  | { requestID: string; method: 'patchDiff'; diff: Diff; base?: string; attempts: number }
  | { requestID: string; method: 'delete' | 'patchUndelete'; attempts: number };

interface EntityRecord {
  ref: EntityRef;
  confirmed?: { value: EntityValue; meta: Meta };
  ops: Op[];
  inFlight?: string;
  fetching?: string;
  subscribed: boolean;
  deleted: boolean;
}

export const keyOf = (ref: EntityRef): string => `${ref.type}/${ref.id}`;
export const diffValues = (from: object, to: object): Diff => plainDiff(deepDiff(from, to));

const OPEN = 1;

export class TemporalClient {
  private readonly entities = new Map<string, EntityRecord>();
  private socket: SocketLike | undefined;
  private conn = '';
  private connections = 0;
  private wantOnline = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly waiters = new Set<() => void>();
  /** Responses with status >= 400 the client has seen (for tests and the demo's status line). */
  readonly errors: Response[] = [];

  constructor(private readonly options: ClientOptions) {}

  get online(): boolean {
    return this.socket?.readyState === OPEN;
  }

  /** Opens the socket; resolves once it is open. */
  connect(): Promise<void> {
    this.wantOnline = true;
    if (this.socket) return this.online ? Promise.resolve() : this.whenOpen(this.socket);
    return new Promise((resolve, reject) => {
      const url = `${this.options.serverURL.replace(/^http/, 'ws').replace(/\/$/, '')}/temporal/person/${encodeURIComponent(this.options.personID)}`;
      const socket = this.options.openSocket(url);
      socket.binaryType = 'arraybuffer';
      this.socket = socket;
      this.conn = `${this.options.name ?? this.options.personID}-ws${++this.connections}`;
      const conn = this.conn;
      this.frame({ transport: 'websocket', conn, dir: 'out', kind: 'open', meta: { url } });
      let opened = false;
      socket.onopen = () => {
        opened = true;
        this.onOpen();
        resolve();
      };
      socket.onmessage = (event) => this.onMessage(conn, event.data);
      socket.onerror = () => {
        this.frame({ transport: 'websocket', conn, dir: 'in', kind: 'error', meta: { error: 'socket error' } });
        if (!opened) reject(new Error(`cannot connect to ${url}`));
      };
      socket.onclose = (event) => {
        this.frame({ transport: 'websocket', conn, dir: 'in', kind: 'close', meta: { code: event.code, reason: event.reason } });
        // A socket replaced by a newer one (disconnect then connect) must not touch the newer one's requests.
        if (this.socket === socket) {
          this.socket = undefined;
          this.forgetInFlight();
        }
        if (!opened) reject(new Error(`connection to ${url} closed before opening`));
        this.scheduleReconnect();
        this.notifyWaiters();
      };
    });
  }

  /** A second connect() while the socket is still opening waits for that socket. */
  private whenOpen(socket: SocketLike): Promise<void> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        if (socket.readyState === OPEN) return resolve();
        if (socket.readyState > OPEN || Date.now() - started > 30_000) return reject(new Error('socket did not open'));
        setTimeout(check, 20);
      };
      check();
    });
  }

  /** Goes offline on purpose: edits keep queueing until connect() is called again. */
  disconnect(): void {
    this.wantOnline = false;
    clearTimeout(this.reconnectTimer);
    this.socket?.close(1000, 'offline');
    this.socket = undefined;
    this.forgetInFlight();
  }

  /** Requests on a closed socket get no answer: fetches are redone and changes re-sent on the next connection. */
  private forgetInFlight(): void {
    for (const record of this.entities.values()) {
      record.fetching = undefined;
      record.inFlight = undefined;
    }
  }

  private scheduleReconnect(): void {
    const delay = this.options.reconnectDelayMs;
    if (!this.wantOnline || delay === undefined) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (!this.wantOnline || this.socket) return;
      this.connect().catch(() => this.scheduleReconnect());
    }, delay);
  }

  /** Subscribes to an entity: fetches it (and, from then on, receives its changes). */
  subscribe(ref: EntityRef): void {
    const record = this.recordOf(ref);
    record.subscribed = true;
    if (this.online) this.fetch(record);
  }

  /** Stops following an entity (the SharedWorker does this when no store acks its updates). */
  unsubscribe(ref: EntityRef): void {
    const record = this.entities.get(keyOf(ref));
    if (!record) return;
    record.subscribed = false;
    if (this.online) this.send({ kind: 'request', requestID: crypto.randomUUID(), method: 'unsubscribe', entity: ref });
  }

  create(ref: EntityRef, value: EntityValue): void {
    const record = this.recordOf(ref);
    record.subscribed = true;
    record.ops.push({ requestID: crypto.randomUUID(), method: 'post', value, attempts: 0 });
    this.changed(record);
    this.flush(record);
  }

  /** Sets the entity's value: the difference from what the user sees is queued as a patchDiff. */
  set(ref: EntityRef, value: EntityValue): void {
    const record = this.recordOf(ref);
    const local = this.localOf(record) ?? {};
    this.patch(ref, diffValues(local, value));
  }

  update(ref: EntityRef, fn: (value: EntityValue) => EntityValue): void {
    const record = this.recordOf(ref);
    this.set(ref, fn(this.localOf(record) ?? {}));
  }

  /** Queues a diff made on what the user sees now. `requestID` lets a caller tie the patchDiff to its own change id. */
  patch(ref: EntityRef, diff: Diff, requestID: string = crypto.randomUUID()): void {
    if (Object.keys(diff).length === 0) return;
    const record = this.recordOf(ref);
    // A change made on top of queued ones has no server version yet: its base is whatever the previous one produces.
    const base = record.ops.length === 0 ? record.confirmed?.meta.validFrom : undefined;
    record.ops.push({ requestID, method: 'patchDiff', diff, ...(base ? { base } : {}), attempts: 0 });
    this.changed(record);
    this.flush(record);
  }

  remove(ref: EntityRef): void {
    const record = this.recordOf(ref);
    record.ops.push({ requestID: crypto.randomUUID(), method: 'delete', attempts: 0 });
    this.flush(record);
  }

  undelete(ref: EntityRef): void {
    const record = this.recordOf(ref);
    record.ops.push({ requestID: crypto.randomUUID(), method: 'patchUndelete', attempts: 0 });
    this.flush(record);
  }

  /** Changes not yet confirmed by the server, over every entity. */
  queuedCount(): number {
    let count = 0;
    for (const record of this.entities.values()) count += record.ops.length;
    return count;
  }

  view(ref: EntityRef): EntityView {
    const record = this.recordOf(ref);
    const local = this.localOf(record);
    return {
      ref,
      ...(record.confirmed ? { confirmed: record.confirmed } : {}),
      ...(local ? { local } : {}),
      deleted: record.deleted,
      queued: record.ops.length,
    };
  }

  /** Resolves when online with nothing queued, in flight or being fetched; rejects after `timeoutMs`. */
  whenSynced(timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!this.isSynced()) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const busy = [...this.entities.values()].filter((r) => r.ops.length || r.inFlight || r.fetching).map((r) => keyOf(r.ref));
        reject(
          new Error(
            `${this.options.name ?? this.options.personID} not synced after ${timeoutMs} ms (online: ${this.online}; busy: ${busy.join(', ')})`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  close(): void {
    this.disconnect();
    for (const waiter of [...this.waiters]) waiter();
  }

  private isSynced(): boolean {
    if (!this.online) return false;
    for (const record of this.entities.values()) if (record.ops.length || record.inFlight || record.fetching) return false;
    return true;
  }

  private notifyWaiters(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private recordOf(ref: EntityRef): EntityRecord {
    const key = keyOf(ref);
    let record = this.entities.get(key);
    if (!record) {
      record = { ref, ops: [], subscribed: false, deleted: false };
      this.entities.set(key, record);
    }
    return record;
  }

  private localOf(record: EntityRecord): EntityValue | undefined {
    let value = record.confirmed?.value;
    for (const op of record.ops) {
      if (op.method === 'post' && value === undefined) value = op.value;
      if (op.method === 'patchDiff') value = applyDiff(value ?? {}, op.diff);
    }
    return value;
  }

  private changed(record: EntityRecord): void {
    this.options.onChange?.(record.ref, this.view(record.ref));
    this.notifyWaiters();
  }

  private frame(frame: FrameInput): void {
    this.options.onFrame?.(frame);
  }

  private send(message: Request): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return false;
    const bytes = encodeWire(message);
    this.frame({ transport: 'websocket', conn: this.conn, dir: 'out', kind: 'message', b64: bytesToBase64(bytes), size: bytes.byteLength });
    socket.send(bytes);
    return true;
  }

  private onOpen(): void {
    // Catch up every entity first; each one's queue drains once its get is answered.
    for (const record of this.entities.values()) {
      record.inFlight = undefined;
      if (record.subscribed || record.ops.length) this.fetch(record);
    }
    this.notifyWaiters();
  }

  private fetch(record: EntityRecord): void {
    if (record.ops[0]?.method === 'post' && !record.confirmed) {
      this.flush(record);
      return;
    }
    const requestID = crypto.randomUUID();
    const since = record.confirmed?.meta.validFrom;
    const sent = this.send({
      kind: 'request',
      requestID,
      method: 'get',
      entity: record.ref,
      ...(since ? { headers: { ifModifiedSince: since } } : {}),
    });
    if (sent) record.fetching = requestID;
  }

  private flush(record: EntityRecord): void {
    if (!this.online || record.inFlight || record.fetching) return;
    const op = record.ops[0];
    if (!op) return;
    op.attempts += 1;
    let request: Request;
    if (op.method === 'post') {
      request = { kind: 'request', requestID: op.requestID, method: 'post', entity: record.ref, body: { value: op.value } };
    } else if (op.method === 'patchDiff') {
      const base = op.base ?? record.confirmed?.meta.validFrom;
      request = {
        kind: 'request',
        requestID: op.requestID,
        method: 'patchDiff',
        entity: record.ref,
        ...(base ? { headers: { ifUnmodifiedSince: base } } : {}),
        body: { diff: op.diff },
      };
    } else {
      request = { kind: 'request', requestID: op.requestID, method: op.method, entity: record.ref };
    }
    if (this.send(request)) record.inFlight = op.requestID;
  }

  private onMessage(conn: string, data: unknown): void {
    const bytes =
      data instanceof ArrayBuffer ? new Uint8Array(data) : data instanceof Uint8Array ? data : new TextEncoder().encode(String(data));
    this.frame({ transport: 'websocket', conn, dir: 'in', kind: 'message', b64: bytesToBase64(bytes), size: bytes.byteLength });
    const decoded = decodeWire(bytes);
    const parsed = decoded.ok ? parseWireMessage(decoded.value) : undefined;
    if (!parsed?.ok) return; // The server only sends valid messages; anything else is ignored, not fatal.
    const message = parsed.message;
    if (message.kind === 'update') this.onUpdate(message);
    else if (message.kind === 'response') this.onResponse(message);
    this.notifyWaiters();
  }

  /** Brings `confirmed` to `meta` with a diff from `base`; false when that diff does not apply to what is held. */
  private applyConfirmed(record: EntityRecord, body: { diff: Diff; meta: Meta; baseValidFrom: string }): boolean {
    const held = record.confirmed;
    if (held && held.meta.validFrom >= body.meta.validFrom) return true;
    if (!held || held.meta.validFrom !== body.baseValidFrom) return false;
    record.confirmed = { value: applyDiff(held.value, body.diff), meta: body.meta };
    record.deleted = Boolean(body.meta.deleted);
    return true;
  }

  private setConfirmed(record: EntityRecord, value: EntityValue, meta: Meta): void {
    if (record.confirmed && record.confirmed.meta.validFrom > meta.validFrom) return;
    record.confirmed = { value, meta };
    record.deleted = Boolean(meta.deleted);
  }

  private onUpdate(update: Update): void {
    const record = this.entities.get(keyOf(update.entity));
    if (!record?.subscribed) return;
    if (!this.applyConfirmed(record, update)) {
      if (!record.fetching) this.fetch(record); // A stale subscriber: re-fetch to become current.
      return;
    }
    this.changed(record);
  }

  private onResponse(response: Response): void {
    if (response.status >= 400) this.errors.push(response);
    const record = response.entity ? this.entities.get(keyOf(response.entity)) : undefined;
    if (!record) return;
    if (record.fetching && record.fetching === response.requestID) {
      this.onGetResponse(record, response);
    } else if (record.inFlight && record.inFlight === response.requestID) {
      this.onOpResponse(record, response);
    }
    this.changed(record);
    this.flush(record);
  }

  private onGetResponse(record: EntityRecord, response: Response): void {
    record.fetching = undefined;
    const body = response.body;
    if (response.status === 200 && body && 'diff' in body && body.diff) {
      if (!this.applyConfirmed(record, body as DiffBody)) {
        // The diff is from a version we do not hold: fetch the whole value.
        record.confirmed = undefined;
        this.fetch(record);
      }
    } else if (response.status === 200 && body && 'value' in body && body.value && body.meta) {
      this.setConfirmed(record, body.value, body.meta);
    } else if (response.status === 404 && body?.meta) {
      record.deleted = true;
      if (record.confirmed) record.confirmed = { ...record.confirmed, meta: body.meta };
    }
  }

  private onOpResponse(record: EntityRecord, response: Response): void {
    record.inFlight = undefined;
    const op = record.ops[0];
    if (!op) return;
    const body = response.body;
    const retry = (base: string | undefined) => {
      if (op.attempts >= (this.options.maxAttempts ?? 5)) record.ops.shift();
      else if (op.method === 'patchDiff' && base) op.base = base;
    };
    if (response.status < 300) {
      if (body && 'diff' in body && body.diff && body.meta && body.baseValidFrom) {
        if (!this.applyConfirmed(record, body as DiffBody)) this.fetch(record);
      } else if (body && 'value' in body && body.value && body.meta) {
        this.setConfirmed(record, body.value, body.meta);
      }
      record.ops.shift();
      const next = record.ops[0];
      if (next?.method === 'patchDiff' && !next.base && body?.meta) next.base = body.meta.validFrom;
      return;
    }
    if (response.status === 412 && body && 'diff' in body && body.diff && body.meta && body.baseValidFrom) {
      // Conflicting changes since our base: take them, then retry our change on the newest version.
      if (!this.applyConfirmed(record, body as DiffBody)) this.fetch(record);
      retry(body.meta.validFrom);
      return;
    }
    if ((response.status === 409 || response.status === 412) && body && 'value' in body && body.value && body.meta) {
      this.setConfirmed(record, body.value, body.meta);
      retry(body.meta.validFrom);
      return;
    }
    if (response.status === 400 && op.method === 'post') {
      // Already exists (a post re-sent after its answer was lost): follow the entity instead.
      record.ops.shift();
      this.fetch(record);
      return;
    }
    if (response.status >= 500) {
      retry(undefined);
      return;
    }
    // 400, 404, 428: the change cannot be applied as it is; it is dropped and the error kept in `errors`.
    if (response.status === 404 && body?.meta?.deleted) record.deleted = true;
    record.ops.shift();
  }
}
