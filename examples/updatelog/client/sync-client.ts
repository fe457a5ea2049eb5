/**
 * The updatelog client, the same in Node and the browser. Following the design note:
 *  - a method call becomes an update `{id, actions: [{type: method, data: arg}]}`, saved locally first (it
 *    survives a reload), applied to the view through the same replay path as remote updates, and sent to the
 *    user's area as soon as the store can be reached;
 *  - reading starts from the latest snapshot, then every shared update after its last key, then polls with
 *    start-after the newest key read;
 *  - the view is the shared log replayed in key order with the client's own not-yet-shared updates on top.
 * Local timestamps never repeat: two calls in one millisecond get consecutive milliseconds.
 */
import {
  areaPrefix,
  parseUpdateKey,
  resolveArea,
  SHARED_AREA,
  SNAPSHOT_AREA,
  Snapshot,
  Update,
  USER_AREA_TEMPLATE,
  updateKey,
} from '@syncscope/protocols/updatelog';
import type { AppModel } from '../engine/app-model.ts';
import { byLogOrder, type LoggedUpdate, replayUpdate } from '../engine/replay.ts';
import { stateOfSnapshot } from '../engine/snapshot.ts';
import type { FrameObserver } from './frames.ts';
import type { LocalStore, PendingEntry } from './pending.ts';
import { type RequestSigner, S3Client, StoreError, StoreUnreachable } from './s3-client.ts';

export interface ClientOptions<S> {
  /** S3 endpoint: the embedded server's url, or e.g. https://s3.eu-west-1.amazonaws.com for a real bucket. */
  endpoint: string;
  bucket: string;
  appId: string;
  dataSet: string;
  userId: string;
  /** Names this client in recordings; defaults to the user id. */
  clientId?: string;
  app: AppModel<S>;
  local: LocalStore;
  onFrame?: FrameObserver;
  sign?: RequestSigner;
  now?: () => number;
  /** max-keys per ListObjectsV2 page. */
  pageSize?: number;
  newId?: () => string;
  /** Told after every change to the local store, so other tabs sharing it can re-read it. */
  onLocalChange?: (op: 'put' | 'delete', updateId: string) => void;
}

export interface ClientStatus {
  online: boolean;
  unsaved: number;
  /** Stored in the user area, not yet seen in the shared log. */
  awaitingPromotion: number;
  snapshotTimestamp: number | null;
  lastKey: string | null;
  lastError: string | null;
}

export class UpdatelogClient<S> {
  readonly s3: S3Client;
  online = true;
  private unsaved: PendingEntry[] = [];
  private readonly sentIds = new Map<string, PendingEntry>();
  private shared: S;
  private sharedIds = new Set<string>();
  private snapshotLoaded = false;
  private snapshotTimestamp: number | null = null;
  private lastKey: string | null = null;
  private lastLocalTs = 0;
  private lastError: string | null = null;
  private view: S | undefined;
  private flushing: Promise<number> | undefined;
  private syncing: Promise<number> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly clientId: string;

  private constructor(private readonly options: ClientOptions<S>) {
    this.clientId = options.clientId ?? options.userId;
    this.shared = options.app.empty();
    this.s3 = new S3Client({
      endpoint: options.endpoint,
      bucket: options.bucket,
      clientId: this.clientId,
      ...(options.onFrame ? { onFrame: options.onFrame } : {}),
      ...(options.sign ? { sign: options.sign } : {}),
    });
  }

  /** A client with its unsaved updates loaded from the local store (what a reload finds). */
  static async open<S>(options: ClientOptions<S>): Promise<UpdatelogClient<S>> {
    const client = new UpdatelogClient(options);
    client.unsaved = (await options.local.load()).sort((a, b) => a.timestamp - b.timestamp);
    client.lastLocalTs = Math.max(0, ...client.unsaved.map((e) => e.timestamp));
    const replica = await options.local.loadReplica();
    if (replica) {
      try {
        const state = options.app.types.revive(replica.state, ['state']);
        if (options.app.isState(state)) {
          client.shared = state;
          client.sharedIds = new Set(replica.sharedIds);
          client.lastKey = replica.lastKey;
          client.snapshotTimestamp = replica.snapshotTimestamp;
          client.snapshotLoaded = true;
        }
      } catch {
        // A replica this version cannot read is rebuilt from the store on the next sync.
      }
    }
    return client;
  }

  get userArea(): string {
    return resolveArea(USER_AREA_TEMPLATE, this.options.userId);
  }

  /** The app as this client sees it: the shared log, then its own updates the log does not have yet. */
  state(): S {
    if (!this.view) {
      const own = [...this.sentIds.values(), ...this.unsaved].filter((e) => !this.sharedIds.has(e.update.id));
      this.view = own
        .map((e): LoggedUpdate => ({ timestamp: e.timestamp, update: e.update }))
        .sort(byLogOrder)
        .reduce((state, logged) => replayUpdate(this.options.app, state, logged), this.shared);
    }
    return this.view;
  }

  status(): ClientStatus {
    return {
      online: this.online,
      unsaved: this.unsaved.length,
      awaitingPromotion: [...this.sentIds.keys()].filter((id) => !this.sharedIds.has(id)).length,
      snapshotTimestamp: this.snapshotTimestamp,
      lastKey: this.lastKey,
      lastError: this.lastError,
    };
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Calls a method of the app: makes the update, saves it locally, shows it, and sends it when it can.
   * Resolves once it is saved locally (not when the store has it: that may be much later, offline).
   */
  async call(method: string, arg: unknown): Promise<Update> {
    const update = Update.parse({ id: this.newId(), actions: [{ type: method, data: this.options.app.types.toJson(arg) }] });
    const timestamp = Math.max(this.now(), this.lastLocalTs + 1);
    this.lastLocalTs = timestamp;
    const entry = { timestamp, update };
    await this.options.local.put(entry);
    this.reportLocal({ op: 'put', key: update.id, value: update });
    this.options.onLocalChange?.('put', update.id);
    this.unsaved = [...this.unsaved, entry];
    this.changed();
    if (this.online) void this.flush().catch(() => undefined);
    return update;
  }

  /** Sends unsaved updates in order; stops at the first failure (they stay saved locally). Returns how many were stored. */
  flush(): Promise<number> {
    if (!this.flushing) {
      this.flushing = this.flushNow().finally(() => {
        this.flushing = undefined;
      });
    }
    return this.flushing;
  }

  /** Loads the latest snapshot (the first time), then reads every shared update after the newest key it has. */
  sync(): Promise<number> {
    if (!this.syncing) {
      this.syncing = this.syncNow().finally(() => {
        this.syncing = undefined;
      });
    }
    return this.syncing;
  }

  /** Flush and sync on an interval (polling), until stop(). */
  start(intervalMs: number): void {
    this.stop();
    const tick = () => {
      if (!this.online) return;
      void this.flush()
        .then(() => this.sync())
        .catch(() => undefined);
    };
    this.timer = setInterval(tick, intervalMs);
    tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Re-reads the unsaved updates another tab may have added to (or sent from) the shared local store. */
  async reloadLocal(): Promise<void> {
    const entries = (await this.options.local.load()).sort((a, b) => a.timestamp - b.timestamp);
    this.unsaved = entries.filter((e) => !this.sharedIds.has(e.update.id));
    this.lastLocalTs = Math.max(this.lastLocalTs, ...entries.map((e) => e.timestamp));
    this.changed();
  }

  setOnline(online: boolean): void {
    this.online = online;
    this.changed();
  }

  private async flushNow(): Promise<number> {
    let stored = 0;
    while (this.online && this.unsaved.length) {
      const entry = this.unsaved[0] as PendingEntry;
      const key = updateKey({
        appId: this.options.appId,
        dataSet: this.options.dataSet,
        area: this.userArea,
        timestamp: entry.timestamp,
        id: entry.update.id,
      });
      try {
        await this.s3.putObject(key, JSON.stringify(entry.update));
      } catch (thrown) {
        // Unreachable or refused: the update stays saved locally and is tried again on the next flush.
        this.fail(thrown);
        return stored;
      }
      this.lastError = null;
      this.unsaved = this.unsaved.filter((e) => e.update.id !== entry.update.id);
      this.sentIds.set(entry.update.id, entry);
      await this.options.local.delete(entry.update.id);
      this.reportLocal({ op: 'delete', key: entry.update.id });
      this.options.onLocalChange?.('delete', entry.update.id);
      stored++;
      this.changed();
    }
    return stored;
  }

  private async syncNow(): Promise<number> {
    if (!this.online) return 0;
    try {
      if (!this.snapshotLoaded) await this.loadSnapshot();
      const prefix = areaPrefix(this.options.appId, this.options.dataSet, SHARED_AREA);
      const keys = await this.s3.listAll(prefix, this.lastKey ?? undefined, this.options.pageSize);
      let read = 0;
      for (const key of keys) {
        const parts = parseUpdateKey(key);
        if (!parts) continue;
        const object = await this.s3.getObject(key);
        if (!object) continue;
        const update = Update.safeParse(JSON.parse(object.body));
        if (!update.success || this.sharedIds.has(update.data.id)) {
          this.lastKey = key;
          continue;
        }
        this.shared = replayUpdate(this.options.app, this.shared, { timestamp: parts.timestamp, update: update.data });
        this.sharedIds.add(update.data.id);
        this.sentIds.delete(update.data.id);
        this.lastKey = key;
        read++;
      }
      this.lastError = null;
      if (read) {
        await this.saveReplica();
        this.changed();
      }
      return read;
    } catch (thrown) {
      this.fail(thrown);
      return 0;
    }
  }

  private async loadSnapshot(): Promise<void> {
    const keys = await this.s3.listAll(
      areaPrefix(this.options.appId, this.options.dataSet, SNAPSHOT_AREA),
      undefined,
      this.options.pageSize,
    );
    const latest = keys.at(-1);
    if (latest) {
      const object = await this.s3.getObject(latest);
      if (object) {
        const snapshot = Snapshot.parse(JSON.parse(object.body));
        this.shared = stateOfSnapshot(this.options.app, snapshot);
        this.snapshotTimestamp = snapshot.timestamp;
        this.lastKey = snapshot.lastKey;
      }
    }
    this.snapshotLoaded = true;
    await this.saveReplica();
    this.changed();
  }

  private saveReplica(): Promise<void> {
    return this.options.local.saveReplica({
      lastKey: this.lastKey,
      snapshotTimestamp: this.snapshotTimestamp,
      state: this.options.app.types.toJson(this.shared),
      sharedIds: [...this.sharedIds],
    });
  }

  private fail(thrown: unknown): void {
    this.lastError =
      thrown instanceof StoreUnreachable || thrown instanceof StoreError
        ? thrown.message
        : thrown instanceof Error
          ? thrown.message
          : String(thrown);
    this.changed();
  }

  private reportLocal(json: unknown): void {
    this.options.onFrame?.({
      transport: 'idb',
      conn: `${this.clientId}:local`,
      dir: 'local',
      kind: 'write',
      meta: { db: `updatelog:${this.options.appId}.${this.options.dataSet}`, store: 'unsavedUpdates', client: this.clientId },
      json,
    });
  }

  private changed(): void {
    this.view = undefined;
    for (const listener of this.listeners) listener();
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private newId(): string {
    return this.options.newId?.() ?? crypto.randomUUID();
  }
}
