/** Node's local store: a JSON file of pending updates; each change rewrites it through a temp file and a rename. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { type LocalStore, PendingEntry, Replica } from './pending.ts';

export class FileLocalStore implements LocalStore {
  private entries: PendingEntry[] | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  async load(): Promise<PendingEntry[]> {
    if (!this.entries) {
      try {
        const parsed = z.array(PendingEntry).safeParse(JSON.parse(await readFile(this.file, 'utf8')));
        this.entries = parsed.success ? parsed.data : [];
      } catch {
        this.entries = [];
      }
    }
    return [...this.entries];
  }

  async put(entry: PendingEntry): Promise<void> {
    const entries = await this.load();
    this.entries = [...entries.filter((e) => e.update.id !== entry.update.id), entry].sort((a, b) => a.timestamp - b.timestamp);
    await this.save();
  }

  async delete(updateId: string): Promise<void> {
    const entries = await this.load();
    this.entries = entries.filter((e) => e.update.id !== updateId);
    await this.save();
  }

  async loadReplica(): Promise<Replica | undefined> {
    try {
      const parsed = Replica.safeParse(JSON.parse(await readFile(this.replicaFile, 'utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  saveReplica(replica: Replica): Promise<void> {
    return this.write(this.replicaFile, JSON.stringify(replica));
  }

  private get replicaFile(): string {
    return this.file.replace(/\.unsaved\.json$/, '').concat('.replica.json');
  }

  private write(file: string, text: string): Promise<void> {
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, file);
    });
    return this.writing;
  }

  private save(): Promise<void> {
    return this.write(this.file, JSON.stringify(this.entries ?? []));
  }
}
