/**
 * Where a client keeps its unsaved updates until the store has them, so they survive a reload or a crash.
 * The browser uses IndexedDB (idb-local-store.ts); Node and tests use a JSON file (file-local-store.ts).
 */
import { Update } from '@syncscope/protocols/updatelog';
import { z } from 'zod';

export const PendingEntry = z.object({ timestamp: z.number().int().nonnegative(), update: Update });
export type PendingEntry = z.infer<typeof PendingEntry>;

/**
 * The client's replica of the shared log (lsd-storage keeps `${appId}.${dataSet}.updates` for the same reason):
 * the state as typed JSON, the last key read and the ids read, so a reload shows everything at once, offline too.
 */
export const Replica = z.object({
  lastKey: z.string().nullable(),
  snapshotTimestamp: z.number().int().nullable(),
  state: z.unknown(),
  sharedIds: z.array(z.string()),
});
export type Replica = z.infer<typeof Replica>;

export interface LocalStore {
  /** Every unsaved update, oldest first. */
  load(): Promise<PendingEntry[]>;
  put(entry: PendingEntry): Promise<void>;
  delete(updateId: string): Promise<void>;
  loadReplica(): Promise<Replica | undefined>;
  saveReplica(replica: Replica): Promise<void>;
}

/** Keeps nothing across reloads: for a client that is told to forget. */
export class MemoryLocalStore implements LocalStore {
  private entries: PendingEntry[] = [];
  private replica: Replica | undefined;
  async loadReplica(): Promise<Replica | undefined> {
    return this.replica;
  }
  async saveReplica(replica: Replica): Promise<void> {
    this.replica = replica;
  }
  async load(): Promise<PendingEntry[]> {
    return [...this.entries];
  }
  async put(entry: PendingEntry): Promise<void> {
    this.entries = [...this.entries.filter((e) => e.update.id !== entry.update.id), entry].sort((a, b) => a.timestamp - b.timestamp);
  }
  async delete(updateId: string): Promise<void> {
    this.entries = this.entries.filter((e) => e.update.id !== updateId);
  }
}
