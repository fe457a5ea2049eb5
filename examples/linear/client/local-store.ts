/**
 * What the client persists (IndexedDB in the browser, memory in Node tests): the models, the transaction queue,
 * and the last sync id. `load()` answers undefined when there is no local data, which sends the client to a full
 * bootstrap; otherwise it takes a delta bootstrap from its last sync id (the note's startup).
 */
import type { JsonModel, Transaction } from '@syncscope/protocols/linear';

export interface StoredModel {
  key: string;
  model: JsonModel;
  syncId: number;
}

export interface QueuedTransaction {
  tx: Transaction;
  enqueuedAt: number;
  /** Set once the server accepted it; it leaves the queue when the client has caught up to this sync id. */
  syncId?: number;
}

export interface LocalData {
  models: StoredModel[];
  queue: QueuedTransaction[];
  lastSyncId: number;
}

export interface LocalStore {
  load(): Promise<LocalData | undefined>;
  /** A full bootstrap: every model replaced. */
  replaceModels(models: readonly StoredModel[], lastSyncId: number): Promise<void>;
  /** A delta or live change: some models written, some removed, the cursor moved. */
  applyModels(put: readonly StoredModel[], removed: readonly string[], lastSyncId: number): Promise<void>;
  putTransaction(item: QueuedTransaction): Promise<void>;
  removeTransactions(ids: readonly string[]): Promise<void>;
}

/** A LocalStore in memory: survives a client being stopped and started again, as IndexedDB survives a reload. */
export class MemoryStore implements LocalStore {
  private models = new Map<string, StoredModel>();
  private queue = new Map<string, QueuedTransaction>();
  private lastSyncId: number | undefined;

  async load(): Promise<LocalData | undefined> {
    if (this.lastSyncId === undefined) return undefined;
    return { models: [...this.models.values()], queue: [...this.queue.values()], lastSyncId: this.lastSyncId };
  }

  async replaceModels(models: readonly StoredModel[], lastSyncId: number): Promise<void> {
    this.models = new Map(models.map((m) => [m.key, m]));
    this.lastSyncId = lastSyncId;
  }

  async applyModels(put: readonly StoredModel[], removed: readonly string[], lastSyncId: number): Promise<void> {
    for (const m of put) this.models.set(m.key, m);
    for (const key of removed) this.models.delete(key);
    this.lastSyncId = Math.max(this.lastSyncId ?? 0, lastSyncId);
  }

  async putTransaction(item: QueuedTransaction): Promise<void> {
    this.queue.set(item.tx.id, item);
  }

  async removeTransactions(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.queue.delete(id);
  }
}
