/**
 * The update log on top of the object store: the promoter that copies accepted user updates to the shared area
 * (stamping them in strictly increasing milliseconds, so polling with start-after never misses one), the
 * server's own replica of the app (to flag validation failures and to roll up snapshots), and the roll-up job.
 * Promotions and roll-ups run one at a time, in order, on one chain.
 */
import {
  areaPrefix,
  IMMUTABLE_CACHE_CONTROL,
  type PromotedMeta,
  parseSnapshotKey,
  parseUpdateKey,
  promotedMetaToHeaders,
  SHARED_AREA,
  SNAPSHOT_AREA,
  Snapshot,
  snapshotKey,
  Update,
  updateKey,
} from '@syncscope/protocols/updatelog';
import type { AppModel } from '../engine/app-model.ts';
import { replayUpdate } from '../engine/replay.ts';
import { makeSnapshot, stateOfSnapshot } from '../engine/snapshot.ts';
import type { FileObjectStore } from './object-store.ts';

export interface LogConfig {
  appId: string;
  dataSet: string;
}

export class LogService<S> {
  private state: S;
  private last: { key: string; timestamp: number } | null = null;
  private sharedCount = 0;
  private snapshotTimestamp = -1;
  private readonly promoted = new Set<string>();
  private chain: Promise<unknown> = Promise.resolve();
  /** Errors of background promotions, kept for the health endpoint and tests rather than thrown into nowhere. */
  readonly errors: string[] = [];

  private constructor(
    private readonly store: FileObjectStore,
    private readonly app: AppModel<S>,
    readonly config: LogConfig,
  ) {
    this.state = app.empty();
  }

  /** Rebuilds the replica from the latest snapshot and the shared area, then promotes anything a crash left behind. */
  static async open<S>(store: FileObjectStore, app: AppModel<S>, config: LogConfig): Promise<LogService<S>> {
    const service = new LogService(store, app, config);
    await service.load();
    await service.promoteLeftovers();
    return service;
  }

  get sharedPrefix(): string {
    return areaPrefix(this.config.appId, this.config.dataSet, SHARED_AREA);
  }

  get snapshotPrefix(): string {
    return areaPrefix(this.config.appId, this.config.dataSet, SNAPSHOT_AREA);
  }

  current(): S {
    return this.state;
  }

  /** Queues the promotion of a stored user update; resolves once it is in the shared area (or failed). */
  promote(key: string): Promise<void> {
    return this.enqueue(() => this.promoteNow(key));
  }

  /** Writes a snapshot of everything promoted so far, unless the newest snapshot already covers it. */
  rollup(): Promise<string | undefined> {
    return this.enqueue(() => this.rollupNow());
  }

  /** Resolves when every queued promotion and roll-up has finished. */
  idle(): Promise<void> {
    return this.enqueue(async () => undefined);
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.chain.then(job);
    this.chain = run.catch((thrown: unknown) => {
      this.errors.push(thrown instanceof Error ? thrown.message : String(thrown));
    });
    return run;
  }

  private async load(): Promise<void> {
    const snapshots = this.allKeys(this.snapshotPrefix);
    const latest = snapshots.at(-1);
    let after: string | undefined;
    if (latest) {
      const object = await this.store.get(latest);
      const snapshot = object && Snapshot.safeParse(parseJson(object.body.toString('utf8')));
      if (snapshot?.success) {
        this.state = stateOfSnapshot(this.app, snapshot.data);
        this.snapshotTimestamp = snapshot.data.timestamp;
        this.sharedCount = snapshot.data.updateCount;
        if (snapshot.data.lastKey) {
          this.last = { key: snapshot.data.lastKey, timestamp: snapshot.data.timestamp };
          after = snapshot.data.lastKey;
        }
      }
    }
    for (const key of this.allKeys(this.sharedPrefix)) {
      const parts = parseUpdateKey(key);
      if (!parts) continue;
      this.promoted.add(parts.id);
      if (after !== undefined && key <= after) continue;
      const update = await this.readUpdate(key);
      if (!update) continue;
      this.state = replayUpdate(this.app, this.state, { timestamp: parts.timestamp, update });
      this.last = { key, timestamp: parts.timestamp };
      this.sharedCount++;
    }
  }

  private async promoteLeftovers(): Promise<void> {
    const prefix = `${this.config.appId}/${this.config.dataSet}/`;
    const leftovers = this.allKeys(prefix)
      .map((key) => ({ key, parts: parseUpdateKey(key) }))
      .filter(({ parts }) => parts?.area.startsWith('user-') && !this.promoted.has(parts.id))
      .sort((a, b) => (a.parts?.timestamp ?? 0) - (b.parts?.timestamp ?? 0));
    for (const { key } of leftovers) await this.promote(key);
  }

  private async promoteNow(key: string): Promise<void> {
    const parts = parseUpdateKey(key);
    if (!parts || this.promoted.has(parts.id)) return;
    const update = await this.readUpdate(key);
    if (!update) throw new Error(`promoter: ${key} is not a readable update`);
    const lastTs = this.last?.timestamp ?? -1;
    const timestamp = parts.timestamp > lastTs ? parts.timestamp : lastTs + 1;
    const meta: PromotedMeta = { madeAt: parts.timestamp, sourceKey: key };
    if (timestamp !== parts.timestamp) meta.restamped = parts.timestamp === lastTs ? 'collision' : 'out-of-order';
    const before = new Set(this.app.flags(this.state).map(flagKey));
    const next = replayUpdate(this.app, this.state, { timestamp, update });
    const added = this.app.flags(next).filter((flag) => flag.updateId === update.id && !before.has(flagKey(flag)));
    if (added.length) meta.validation = added.map((flag) => flag.reason).join('; ');
    const sharedKey = updateKey({ ...parts, area: SHARED_AREA, timestamp });
    const headers = promotedMetaToHeaders(meta);
    const metaHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
    await this.store.put(sharedKey, Buffer.from(JSON.stringify(update)), { contentType: 'application/json', meta: metaHeaders });
    this.state = next;
    this.last = { key: sharedKey, timestamp };
    this.sharedCount++;
    this.promoted.add(update.id);
  }

  private async rollupNow(): Promise<string | undefined> {
    if (!this.last || this.last.timestamp <= this.snapshotTimestamp) return undefined;
    const key = snapshotKey({ appId: this.config.appId, dataSet: this.config.dataSet, timestamp: this.last.timestamp });
    if (parseSnapshotKey(key) && this.store.has(key)) return undefined;
    const snapshot = makeSnapshot(this.app, this.state, this.last, this.sharedCount);
    await this.store.put(key, Buffer.from(JSON.stringify(snapshot)), {
      contentType: 'application/json',
      cacheControl: IMMUTABLE_CACHE_CONTROL,
    });
    this.snapshotTimestamp = this.last.timestamp;
    return key;
  }

  private async readUpdate(key: string): Promise<Update | undefined> {
    const object = await this.store.get(key);
    if (!object) return undefined;
    try {
      const checked = Update.safeParse(JSON.parse(object.body.toString('utf8')));
      return checked.success ? checked.data : undefined;
    } catch {
      return undefined;
    }
  }

  private allKeys(prefix: string): string[] {
    const keys: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = this.store.list(prefix, after, 1000);
      keys.push(...page.keys.map((info) => info.key));
      if (!page.truncated) return keys;
      after = keys.at(-1);
    }
  }
}

function flagKey(flag: { updateId: string; rule: string; reason: string }): string {
  return `${flag.updateId}/${flag.rule}/${flag.reason}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
