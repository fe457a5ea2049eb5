/**
 * IndexedDB storage for the browser client: the local copy in `objects` (one record per object id) and the
 * unsent dispatches in `unsent` (one record per dispatch id). Saves write only what changed since the last save,
 * in one transaction, so the stores always hold a consistent state; each write can be reported as a syncscope
 * `idb` frame.
 */
import type { FrameInput } from '@syncscope/inspector/record';
import type { StoredDispatch } from '@syncscope/protocols/seneschal';
import type { ClientStorage } from './client.ts';
import type { LocalObject, LocalState } from './state.ts';

export const OBJECTS_STORE = 'objects';
export const UNSENT_STORE = 'unsent';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function openDatabase(name: string): Promise<IDBDatabase> {
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => {
    open.result.createObjectStore(OBJECTS_STORE);
    open.result.createObjectStore(UNSENT_STORE);
  };
  return request(open);
}

type Write = { store: string; op: 'put' | 'delete'; key: string; value?: unknown };

/** Puts and deletes that turn `before` into `after`, compared record by record. */
function diff<T>(store: string, before: ReadonlyMap<string, string>, after: ReadonlyMap<string, T>): Write[] {
  const writes: Write[] = [];
  for (const [key, value] of after) if (before.get(key) !== JSON.stringify(value)) writes.push({ store, op: 'put', key, value });
  for (const key of before.keys()) if (!after.has(key)) writes.push({ store, op: 'delete', key });
  return writes;
}

export function idbStorage(dbName: string, onFrame?: (frame: FrameInput) => void): ClientStorage {
  let database: Promise<IDBDatabase> | undefined;
  const db = () => {
    database ??= openDatabase(dbName);
    return database;
  };
  // JSON of each record as last written, so a save only touches what changed.
  let savedObjects = new Map<string, string>();
  let savedUnsent = new Map<string, string>();

  return {
    async load() {
      const handle = await db();
      const tx = handle.transaction([OBJECTS_STORE, UNSENT_STORE], 'readonly');
      const [objectKeys, objects, unsentKeys, unsent] = await Promise.all([
        request(tx.objectStore(OBJECTS_STORE).getAllKeys()),
        request(tx.objectStore(OBJECTS_STORE).getAll()),
        request(tx.objectStore(UNSENT_STORE).getAllKeys()),
        request(tx.objectStore(UNSENT_STORE).getAll()),
      ]);
      const confirmed: Record<string, LocalObject> = {};
      objectKeys.forEach((key, i) => {
        confirmed[String(key)] = objects[i] as LocalObject;
      });
      const dispatches = (unsent as StoredDispatch[]).slice().sort((a, b) => a.envelope.timestamp - b.envelope.timestamp);
      savedObjects = new Map(Object.entries(confirmed).map(([k, v]) => [k, JSON.stringify(v)]));
      savedUnsent = new Map(unsentKeys.map((key, i) => [String(key), JSON.stringify(unsent[i])]));
      if (!objectKeys.length && !unsentKeys.length) return undefined;
      return { confirmed, unsent: dispatches };
    },

    async save(state: LocalState) {
      const objects = new Map(Object.entries(state.confirmed));
      const unsent = new Map(state.unsent.map((d) => [d.id, d]));
      const writes = [...diff(UNSENT_STORE, savedUnsent, unsent), ...diff(OBJECTS_STORE, savedObjects, objects)];
      if (!writes.length) return;
      const handle = await db();
      const tx = handle.transaction([OBJECTS_STORE, UNSENT_STORE], 'readwrite');
      for (const write of writes) {
        const store = tx.objectStore(write.store);
        if (write.op === 'put') store.put(write.value, write.key);
        else store.delete(write.key);
      }
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
      });
      for (const write of writes) {
        const saved = write.store === OBJECTS_STORE ? savedObjects : savedUnsent;
        if (write.op === 'put') saved.set(write.key, JSON.stringify(write.value));
        else saved.delete(write.key);
        onFrame?.({
          transport: 'idb',
          conn: `idb:${dbName}`,
          dir: 'local',
          kind: 'write',
          json: { op: write.op, key: write.key, ...(write.op === 'put' ? { value: write.value } : {}) },
          meta: { db: dbName, store: write.store },
        });
      }
    },
  };
}
