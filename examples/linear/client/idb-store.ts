/**
 * The browser's LocalStore: IndexedDB with three object stores, as the note asks (bootstrap written to the store,
 * every change written down as a transaction): `models` (key: Class/id), `transactions` (the queue, key: tx id)
 * and `meta` (the last sync id). One database per user and server, so two accounts never mix their data.
 */
import type { LocalData, LocalStore, QueuedTransaction, StoredModel } from './local-store.ts';

const VERSION = 1;

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export function databaseName(server: string, username: string): string {
  return `linear-sync:${username}@${server}`;
}

export class IdbStore implements LocalStore {
  private db: Promise<IDBDatabase> | undefined;

  constructor(readonly name: string) {}

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const req = indexedDB.open(this.name, VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore('models', { keyPath: 'key' });
        db.createObjectStore('transactions', { keyPath: 'tx.id' });
        db.createObjectStore('meta');
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    return this.db;
  }

  async load(): Promise<LocalData | undefined> {
    const db = await this.open();
    const tx = db.transaction(['models', 'transactions', 'meta'], 'readonly');
    const [models, queue, lastSyncId] = await Promise.all([
      request(tx.objectStore('models').getAll() as IDBRequest<StoredModel[]>),
      request(tx.objectStore('transactions').getAll() as IDBRequest<QueuedTransaction[]>),
      request(tx.objectStore('meta').get('lastSyncId') as IDBRequest<number | undefined>),
    ]);
    if (lastSyncId === undefined) return undefined;
    return { models, queue, lastSyncId };
  }

  async replaceModels(models: readonly StoredModel[], lastSyncId: number): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(['models', 'meta'], 'readwrite');
    const store = tx.objectStore('models');
    store.clear();
    for (const model of models) store.put(model);
    tx.objectStore('meta').put(lastSyncId, 'lastSyncId');
    await done(tx);
  }

  async applyModels(put: readonly StoredModel[], removed: readonly string[], lastSyncId: number): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(['models', 'meta'], 'readwrite');
    const store = tx.objectStore('models');
    for (const model of put) store.put(model);
    for (const key of removed) store.delete(key);
    const meta = tx.objectStore('meta');
    const current = await request(meta.get('lastSyncId') as IDBRequest<number | undefined>);
    meta.put(Math.max(current ?? 0, lastSyncId), 'lastSyncId');
    await done(tx);
  }

  async putTransaction(item: QueuedTransaction): Promise<void> {
    const db = await this.open();
    const tx = db.transaction('transactions', 'readwrite');
    tx.objectStore('transactions').put(item);
    await done(tx);
  }

  async removeTransactions(ids: readonly string[]): Promise<void> {
    const db = await this.open();
    const tx = db.transaction('transactions', 'readwrite');
    for (const id of ids) tx.objectStore('transactions').delete(id);
    await done(tx);
  }

  async close(): Promise<void> {
    if (this.db) (await this.db).close();
    this.db = undefined;
  }
}
