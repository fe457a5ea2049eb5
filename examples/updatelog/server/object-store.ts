/**
 * The embedded object store behind the S3 subset: one file per object under `${dataDir}/objects/${bucket}/`,
 * named by the URL-encoded key, holding a JSON header line (etag, time, content type, cache control, user
 * metadata) and then the body. Writes are atomic and durable: a temp file is written and fsynced, then renamed
 * over the target, then the directory is fsynced; so once `put` resolves the object survives a crash, and a
 * reader never sees half an object. An in-memory sorted index of keys answers listings.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface ObjectInfo {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
  contentType: string;
  cacheControl?: string;
  /** x-amz-meta-* headers, names lower-cased. */
  meta: Record<string, string>;
}

export interface StoredObject extends ObjectInfo {
  body: Buffer;
}

interface Header {
  etag: string;
  lastModified: string;
  contentType: string;
  cacheControl?: string;
  meta: Record<string, string>;
}

export interface ListPage {
  keys: ObjectInfo[];
  truncated: boolean;
}

/** Bytes of object bodies kept in memory, and the largest body kept (a log is many small updates). */
const CACHE_BYTES = 32 * 1024 * 1024;
const MAX_CACHED_BODY = 64 * 1024;

export class FileObjectStore {
  private readonly index = new Map<string, ObjectInfo>();
  /**
   * Recently read or written objects, least recently used first (a Map keeps insertion order). Only this store
   * writes its directory, and it updates an entry when it writes the file, so a cached object is never stale;
   * a catch-up GETs thousands of small updates, which then need no open/read/close each.
   */
  private readonly cache = new Map<string, StoredObject>();
  private cachedBytes = 0;
  private sortedKeys: string[] = [];
  private readonly objectsDir: string;
  private readonly tmpDir: string;

  private constructor(
    dataDir: string,
    readonly bucket: string,
  ) {
    this.objectsDir = join(dataDir, 'objects', encodeURIComponent(bucket));
    this.tmpDir = join(dataDir, 'tmp');
  }

  /** Opens (or creates) the store and indexes what a previous run left; stray temp files are removed. */
  static async open(dataDir: string, bucket: string): Promise<FileObjectStore> {
    const store = new FileObjectStore(dataDir, bucket);
    await mkdir(store.objectsDir, { recursive: true });
    await rm(store.tmpDir, { recursive: true, force: true });
    await mkdir(store.tmpDir, { recursive: true });
    for (const name of await readdir(store.objectsDir)) {
      if (!name.endsWith('.obj')) continue;
      const key = decodeURIComponent(name.slice(0, -4));
      const object = await store.readFile(key);
      if (!object) continue;
      const { body: _body, ...info } = object;
      store.remember(info); // the index holds no bodies: the cache below does, within its bound
      store.keep(object); // the log service reads them right after opening
    }
    return store;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  head(key: string): ObjectInfo | undefined {
    return this.index.get(key);
  }

  async get(key: string): Promise<StoredObject | undefined> {
    if (!this.index.has(key)) return undefined;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const object = await this.readFile(key);
    if (object) this.keep(object);
    return object;
  }

  private keep(object: StoredObject): void {
    const previous = this.cache.get(object.key);
    if (previous) {
      this.cache.delete(object.key);
      this.cachedBytes -= previous.body.length;
    }
    if (object.body.length > MAX_CACHED_BODY) return;
    this.cache.set(object.key, object);
    this.cachedBytes += object.body.length;
    for (const [key, old] of this.cache) {
      if (this.cachedBytes <= CACHE_BYTES) break;
      this.cache.delete(key);
      this.cachedBytes -= old.body.length;
    }
  }

  async put(
    key: string,
    body: Buffer,
    options: { contentType?: string; cacheControl?: string; meta?: Record<string, string> } = {},
  ): Promise<ObjectInfo> {
    const header: Header = {
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: new Date().toISOString(),
      contentType: options.contentType ?? 'application/octet-stream',
      meta: options.meta ?? {},
      ...(options.cacheControl ? { cacheControl: options.cacheControl } : {}),
    };
    const tmp = join(this.tmpDir, `${randomUUID()}.tmp`);
    const file = await open(tmp, 'w');
    try {
      await file.write(`${JSON.stringify(header)}\n`);
      await file.write(body);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.pathOf(key));
    await this.syncDir();
    const info = infoOf(key, header, body.length);
    this.remember(info);
    this.keep({ ...info, body: Buffer.from(body) }); // a copy: the caller keeps its buffer
    return info;
  }

  /** Keys under `prefix` strictly after `after`, in key (byte) order, at most `max`. */
  list(prefix: string, after: string | undefined, max: number): ListPage {
    let low = 0;
    let high = this.sortedKeys.length;
    const from = after !== undefined && after > prefix ? after : prefix;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.sortedKeys[mid] as string) < from) low = mid + 1;
      else high = mid;
    }
    const keys: ObjectInfo[] = [];
    for (let i = low; i < this.sortedKeys.length; i++) {
      const key = this.sortedKeys[i] as string;
      if (!key.startsWith(prefix)) break;
      if (after !== undefined && key <= after) continue;
      if (keys.length === max) return { keys, truncated: true };
      keys.push(this.index.get(key) as ObjectInfo);
    }
    return { keys, truncated: false };
  }

  private remember(info: ObjectInfo): void {
    if (!this.index.has(info.key)) {
      let low = 0;
      let high = this.sortedKeys.length;
      while (low < high) {
        const mid = (low + high) >> 1;
        if ((this.sortedKeys[mid] as string) < info.key) low = mid + 1;
        else high = mid;
      }
      this.sortedKeys.splice(low, 0, info.key);
    }
    this.index.set(info.key, info);
  }

  private pathOf(key: string): string {
    return join(this.objectsDir, `${encodeURIComponent(key)}.obj`);
  }

  private async readFile(key: string): Promise<StoredObject | undefined> {
    let raw: Buffer;
    try {
      raw = await readFile(this.pathOf(key));
    } catch {
      return undefined;
    }
    const newline = raw.indexOf(10);
    if (newline < 0) return undefined;
    let header: Header;
    try {
      header = JSON.parse(raw.subarray(0, newline).toString('utf8')) as Header;
    } catch {
      return undefined; // Not a file this store wrote (writes are atomic): left alone, not served.
    }
    const body = raw.subarray(newline + 1);
    return { ...infoOf(key, header, body.length), body };
  }

  private async syncDir(): Promise<void> {
    try {
      const dir = await open(this.objectsDir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch {
      // Some filesystems refuse fsync on directories; the rename itself is still atomic.
    }
  }
}

function infoOf(key: string, header: Header, size: number): ObjectInfo {
  return {
    key,
    size,
    etag: header.etag,
    lastModified: new Date(header.lastModified),
    contentType: header.contentType,
    meta: header.meta,
    ...(header.cacheControl ? { cacheControl: header.cacheControl } : {}),
  };
}
