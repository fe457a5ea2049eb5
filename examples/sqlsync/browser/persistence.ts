/**
 * Where the browser client keeps its journals (a DocumentSnapshot per document): the Origin Private File System
 * when the browser offers writable OPFS files, IndexedDB otherwise (the note's "OPFS, potentially falling back to
 * IndexedDB"). A save resolves only once the data is committed, so the worker acknowledges a mutation only
 * after it is safe from a reload or a browser restart.
 */
import type { DocumentSnapshot } from '../shared/client-document.ts';

export interface SnapshotStore {
  kind: 'opfs' | 'idb';
  load(doc: string): Promise<DocumentSnapshot | undefined>;
  save(snapshot: DocumentSnapshot): Promise<void>;
}

const fileName = (doc: string) => `sqlsync-${doc}.json`;

export async function openOpfsStore(): Promise<SnapshotStore | undefined> {
  try {
    const root = await navigator.storage.getDirectory();
    const probe = await root.getFileHandle('sqlsync-probe', { create: true });
    if (typeof (probe as { createWritable?: unknown }).createWritable !== 'function') return undefined;
    return {
      kind: 'opfs',
      async load(doc) {
        try {
          const handle = await root.getFileHandle(fileName(doc));
          const text = await (await handle.getFile()).text();
          return text ? (JSON.parse(text) as DocumentSnapshot) : undefined;
        } catch {
          return undefined; // no file yet
        }
      },
      async save(snapshot) {
        const handle = await root.getFileHandle(fileName(snapshot.doc), { create: true });
        // createWritable writes to a swap file that replaces the original on close: a crash leaves the old one.
        const writable = await handle.createWritable();
        await writable.write(JSON.stringify(snapshot));
        await writable.close();
      },
    };
  } catch {
    return undefined;
  }
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export const IDB_NAME = 'sqlsync';
const STORE = 'documents';

export async function openIdbStore(name = IDB_NAME): Promise<SnapshotStore> {
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE);
  const db = await request(open);
  return {
    kind: 'idb',
    async load(doc) {
      const tx = db.transaction(STORE, 'readonly');
      return (await request(tx.objectStore(STORE).get(doc))) as DocumentSnapshot | undefined;
    },
    async save(snapshot) {
      const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
      tx.objectStore(STORE).put(snapshot, snapshot.doc);
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
    },
  };
}

export async function openSnapshotStore(): Promise<SnapshotStore> {
  return (await openOpfsStore()) ?? (await openIdbStore());
}

/** Serialises saves per document, so a slow write never lands after a newer one. */
export class SaveQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly store: SnapshotStore) {}
  save(snapshot: DocumentSnapshot): Promise<void> {
    const next = this.tail.then(() => this.store.save(snapshot));
    this.tail = next.catch(() => undefined);
    return next;
  }
}
