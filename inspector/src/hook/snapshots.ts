/**
 * On-demand snapshots, sent as a sequence of `snapshot` events (index 0.., `done` on the last) so that no message
 * grows with the size of the data: IndexedDB databases, stores and records in batches; the OPFS directory tree with
 * sizes; a file's bytes up to a cap, in slices.
 */
import type { RawFrame } from '@syncscope/protocols/core';
import type { Capture, FramePart } from './capture.ts';
import { bytesPayload } from './payload.ts';

const RECORDS_PER_CHUNK = 200;
const ENTRIES_PER_CHUNK = 500;
const BYTES_PER_CHUNK = 256 * 1024;
const MAX_TREE_ENTRIES = 20_000;

class SnapshotSender {
  private index = 0;
  constructor(
    private readonly capture: Capture,
    private readonly requestId: string,
    private readonly kind: 'idb' | 'opfs',
  ) {}
  send(parts: FramePart[], done = false, error?: string): void {
    const frames = parts.map((part, i) => this.capture.redact({ ...part, seq: i, t: Date.now() } as RawFrame));
    this.capture.send({
      type: 'snapshot',
      requestId: this.requestId,
      kind: this.kind,
      index: this.index++,
      done,
      frames,
      ...(error ? { error } : {}),
    });
  }
}

const request = <T>(req: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

export async function snapshotIndexedDb(g: typeof globalThis, capture: Capture, requestId: string, maxRecords = 100_000): Promise<void> {
  const sender = new SnapshotSender(capture, requestId, 'idb');
  try {
    const factory = g.indexedDB;
    if (!factory) throw new Error('IndexedDB is not available here');
    let budget = maxRecords;
    for (const info of await factory.databases()) {
      if (!info.name) continue;
      const db = await openExisting(factory, info.name);
      if (!db) continue;
      try {
        for (const storeName of Array.from(db.objectStoreNames)) {
          const store = db.transaction(storeName, 'readonly').objectStore(storeName);
          const meta = { db: db.name, store: storeName };
          const base: FramePart = { transport: 'idb', conn: `idb:${db.name}`, dir: 'local', kind: 'snapshot', meta };
          const describe = {
            db: db.name,
            version: db.version,
            store: storeName,
            keyPath: store.keyPath,
            indexes: Array.from(store.indexNames),
          };
          let after: IDBValidKey | undefined;
          let part = 0;
          for (;;) {
            const count = Math.min(RECORDS_PER_CHUNK, budget);
            if (count <= 0) break;
            const read = db.transaction(storeName, 'readonly').objectStore(storeName);
            const range = after === undefined ? undefined : IDBKeyRange.lowerBound(after, true);
            const [keys, values] = await Promise.all([request(read.getAllKeys(range, count)), request(read.getAll(range, count))]);
            budget -= keys.length;
            const records = keys.map((key, i) => ({ key, value: values[i] }));
            sender.send([{ ...base, json: { ...describe, part: part++, records } }]);
            if (keys.length < count) break;
            after = keys[keys.length - 1];
          }
        }
      } finally {
        db.close();
      }
    }
    sender.send([], true);
  } catch (thrown) {
    sender.send([], true, thrown instanceof Error ? thrown.message : String(thrown));
  }
}

/** Opens a database without creating or upgrading it, and lets go the moment the app wants a new version. */
function openExisting(factory: IDBFactory, name: string): Promise<IDBDatabase | undefined> {
  return new Promise((resolve) => {
    const req = factory.open(name);
    req.onupgradeneeded = () => {
      // It did not exist (deleted meanwhile): abort so the snapshot does not create it.
      req.transaction?.abort();
    };
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => resolve(undefined);
    req.onblocked = () => resolve(undefined);
  });
}

interface FsEntry {
  path: string;
  kind: 'file' | 'directory';
  size?: number;
}

export async function snapshotOpfs(
  g: typeof globalThis,
  capture: Capture,
  requestId: string,
  path?: string,
  maxBytes = 1024 * 1024,
): Promise<void> {
  const sender = new SnapshotSender(capture, requestId, 'opfs');
  const base: FramePart = { transport: 'opfs', conn: 'opfs', dir: 'local', kind: 'snapshot' };
  try {
    const storage = g.navigator?.storage;
    if (!storage?.getDirectory) throw new Error('OPFS is not available here');
    const root = await storage.getDirectory();
    if (path === undefined) {
      const entries: FsEntry[] = [];
      await walk(root, '', entries);
      for (let i = 0; i < entries.length; i += ENTRIES_PER_CHUNK) {
        sender.send([{ ...base, json: { tree: entries.slice(i, i + ENTRIES_PER_CHUNK), truncated: entries.length >= MAX_TREE_ENTRIES } }]);
      }
      sender.send([], true);
      return;
    }
    const segments = path.split('/').filter(Boolean);
    const fileName = segments.pop();
    if (!fileName) throw new Error(`"${path}" is not a file path`);
    let dir = root;
    for (const segment of segments) dir = await dir.getDirectoryHandle(segment);
    const file = await (await dir.getFileHandle(fileName)).getFile();
    const end = Math.min(file.size, maxBytes);
    for (let offset = 0; offset < end || offset === 0; offset += BYTES_PER_CHUNK) {
      const bytes = new Uint8Array(await file.slice(offset, Math.min(end, offset + BYTES_PER_CHUNK)).arrayBuffer());
      const meta = { path, size: file.size, offset, truncated: file.size > maxBytes };
      sender.send([{ ...base, ...bytesPayload(bytes), meta }]);
      if (end === 0) break;
    }
    sender.send([], true);
  } catch (thrown) {
    sender.send([], true, thrown instanceof Error ? thrown.message : String(thrown));
  }
}

async function walk(dir: FileSystemDirectoryHandle, prefix: string, out: FsEntry[]): Promise<void> {
  for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
    if (out.length >= MAX_TREE_ENTRIES) return;
    const path = `${prefix}/${name}`;
    if (handle.kind === 'file') out.push({ path, kind: 'file', size: (await (handle as FileSystemFileHandle).getFile()).size });
    else {
      out.push({ path, kind: 'directory' });
      await walk(handle as FileSystemDirectoryHandle, path, out);
    }
  }
}
