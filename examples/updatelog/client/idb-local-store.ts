/**
 * The browser's local store: IndexedDB, one database per app data set and client, with the unsaved updates
 * (keyed by update id) and the replica of the shared log. Each write is its own transaction, so a reload or a
 * crash keeps every update whose call resolved.
 */
import { type LocalStore, PendingEntry, Replica } from './pending.ts';

const UNSAVED = 'unsavedUpdates';
const REPLICA = 'replica';

export function localDbName(appId: string, dataSet: string, clientId: string): string {
  return `updatelog:${appId}.${dataSet}:${clientId}`;
}

export class IdbLocalStore implements LocalStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(name: string): Promise<IdbLocalStore> {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(UNSAVED);
        request.result.createObjectStore(REPLICA);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error(`cannot open IndexedDB ${name}`));
      request.onblocked = () => reject(new Error(`IndexedDB ${name} is blocked by another tab`));
    });
    return new IdbLocalStore(db);
  }

  close(): void {
    this.db.close();
  }

  async load(): Promise<PendingEntry[]> {
    const values = await this.run<unknown[]>(UNSAVED, 'readonly', (store) => store.getAll());
    return values
      .map((value) => PendingEntry.safeParse(value))
      .filter((parsed) => parsed.success)
      .map((parsed) => parsed.data)
      .sort((a, b) => a.timestamp - b.timestamp);
  }

  async put(entry: PendingEntry): Promise<void> {
    await this.run(UNSAVED, 'readwrite', (store) => store.put(entry, entry.update.id));
  }

  async delete(updateId: string): Promise<void> {
    await this.run(UNSAVED, 'readwrite', (store) => store.delete(updateId));
  }

  async loadReplica(): Promise<Replica | undefined> {
    const parsed = Replica.safeParse(await this.run<unknown>(REPLICA, 'readonly', (store) => store.get(REPLICA)));
    return parsed.success ? parsed.data : undefined;
  }

  async saveReplica(replica: Replica): Promise<void> {
    await this.run(REPLICA, 'readwrite', (store) => store.put(replica, REPLICA));
  }

  /** One request in its own transaction; resolves when the transaction has committed, not just the request. */
  private run<T>(storeName: string, mode: IDBTransactionMode, request: (store: IDBObjectStore) => IDBRequest): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const transaction = this.db.transaction(storeName, mode);
      const pending = request(transaction.objectStore(storeName));
      transaction.oncomplete = () => resolve(pending.result as T);
      transaction.onerror = () => reject(transaction.error ?? pending.error ?? new Error('IndexedDB transaction failed'));
      transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    });
  }
}
