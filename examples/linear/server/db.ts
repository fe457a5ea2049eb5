/**
 * The server's durable state in one SQLite file (WAL, synchronous FULL so that an acknowledged change survives a
 * crash): the objects of every team, the last sync id that changed each field (to tell stale changes), the sync
 * log with its monotonically increasing sync id, and the result of every transaction already applied, so that a
 * client resending a batch after a lost reply or a restart gets the same answer and nothing is applied twice.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { hashPassword } from './auth.ts';
import type { JsonModel, SyncAction, SyncActionLetter, TransactionResult } from './deps.ts';
import { seedTracker } from './seed.ts';

export interface StoredObject {
  modelName: string;
  id: string;
  team: string;
  data: JsonModel;
  syncId: number;
  deleted: boolean;
  archived: boolean;
}

interface ObjectRow {
  model_name: string;
  id: string;
  team: string;
  data: string;
  sync_id: number;
  deleted: number;
  archived: number;
}

const toObject = (row: ObjectRow): StoredObject => ({
  modelName: row.model_name,
  id: row.id,
  team: row.team,
  data: JSON.parse(row.data) as JsonModel,
  syncId: row.sync_id,
  deleted: row.deleted === 1,
  archived: row.archived === 1,
});

export class Store {
  readonly db: Database.Database;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, 'linear.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, password TEXT NOT NULL, team TEXT NOT NULL, user_id TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS objects (
        model_name TEXT NOT NULL, id TEXT NOT NULL, team TEXT NOT NULL, data TEXT NOT NULL,
        sync_id INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, archived INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (model_name, id));
      CREATE INDEX IF NOT EXISTS objects_team_sync ON objects (team, sync_id);
      CREATE TABLE IF NOT EXISTS field_sync (model_name TEXT NOT NULL, id TEXT NOT NULL, field TEXT NOT NULL, sync_id INTEGER NOT NULL, client_id TEXT,
        PRIMARY KEY (model_name, id, field));
      CREATE TABLE IF NOT EXISTS sync_log (sync_id INTEGER PRIMARY KEY AUTOINCREMENT, team TEXT NOT NULL, model_name TEXT NOT NULL,
        model_id TEXT NOT NULL, action TEXT NOT NULL, data TEXT, transaction_id TEXT, client_id TEXT);
      CREATE TABLE IF NOT EXISTS applied (transaction_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, result TEXT NOT NULL);
    `);
    if (!this.db.prepare('SELECT 1 FROM users LIMIT 1').get()) this.db.transaction(() => seedTracker(this, hashPassword))();
  }

  /** The JWT secret, made once and kept with the data so that tokens outlive a restart. */
  secret(): Uint8Array {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get('jwt-secret') as { value: Buffer } | undefined;
    if (row) return new Uint8Array(row.value);
    const secret = randomBytes(32);
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('jwt-secret', secret);
    return new Uint8Array(secret);
  }

  addUser(username: string, passwordHash: string, team: string, userId: string): void {
    this.db.prepare('INSERT INTO users (username, password, team, user_id) VALUES (?, ?, ?, ?)').run(username, passwordHash, team, userId);
  }

  user(username: string): { username: string; password: string; team: string; userId: string } | undefined {
    const row = this.db.prepare('SELECT username, password, team, user_id FROM users WHERE username = ?').get(username) as
      | { username: string; password: string; team: string; user_id: string }
      | undefined;
    return row && { username: row.username, password: row.password, team: row.team, userId: row.user_id };
  }

  lastSyncId(): number {
    const row = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'sync_log'").get() as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  object(modelName: string, id: string): StoredObject | undefined {
    const row = this.db.prepare('SELECT * FROM objects WHERE model_name = ? AND id = ?').get(modelName, id) as ObjectRow | undefined;
    return row && toObject(row);
  }

  /** The last sync id that changed a field, and the client that changed it (none for seed data). */
  fieldChange(modelName: string, id: string, field: string): { syncId: number; clientId: string | null } {
    const row = this.db
      .prepare('SELECT sync_id, client_id FROM field_sync WHERE model_name = ? AND id = ? AND field = ?')
      .get(modelName, id, field) as { sync_id: number; client_id: string | null } | undefined;
    return { syncId: row?.sync_id ?? 0, clientId: row?.client_id ?? null };
  }

  /** Appends to the sync log and writes the object with the new sync id. Call inside a transaction. */
  record(
    team: string,
    action: SyncActionLetter,
    object: Omit<StoredObject, 'syncId'>,
    fields: readonly string[],
    tx?: { id: string; clientId: string },
  ): SyncAction {
    const info = this.db
      .prepare('INSERT INTO sync_log (team, model_name, model_id, action, data, transaction_id, client_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(team, object.modelName, object.id, action, JSON.stringify(object.data), tx?.id ?? null, tx?.clientId ?? null);
    const syncId = Number(info.lastInsertRowid);
    this.db
      .prepare(
        `INSERT INTO objects (model_name, id, team, data, sync_id, deleted, archived) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (model_name, id) DO UPDATE SET data = excluded.data, sync_id = excluded.sync_id, deleted = excluded.deleted, archived = excluded.archived`,
      )
      .run(object.modelName, object.id, team, JSON.stringify(object.data), syncId, object.deleted ? 1 : 0, object.archived ? 1 : 0);
    const setField = this.db.prepare(
      'INSERT INTO field_sync (model_name, id, field, sync_id, client_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT (model_name, id, field) DO UPDATE SET sync_id = excluded.sync_id, client_id = excluded.client_id',
    );
    for (const field of fields) setField.run(object.modelName, object.id, field, syncId, tx?.clientId ?? null);
    return {
      __class: 'SyncAction',
      id: syncId,
      modelName: object.modelName,
      modelId: object.id,
      action,
      data: object.data,
      ...(tx ? { transactionId: tx.id, clientId: tx.clientId } : {}),
    };
  }

  /** Every object of a team changed after `since` (0: all of them), with the sync id they were read at. */
  objectsSince(team: string, since: number): { objects: StoredObject[]; lastSyncId: number } {
    return this.db.transaction(() => {
      const rows = this.db.prepare('SELECT * FROM objects WHERE team = ? AND sync_id > ? ORDER BY sync_id').all(team, since) as ObjectRow[];
      return { objects: rows.map(toObject), lastSyncId: this.lastSyncId() };
    })();
  }

  appliedResult(transactionId: string): TransactionResult | undefined {
    const row = this.db.prepare('SELECT result FROM applied WHERE transaction_id = ?').get(transactionId) as { result: string } | undefined;
    return row && (JSON.parse(row.result) as TransactionResult);
  }

  rememberResult(clientId: string, result: TransactionResult): void {
    this.db
      .prepare('INSERT OR REPLACE INTO applied (transaction_id, client_id, result) VALUES (?, ?, ?)')
      .run(result.id, clientId, JSON.stringify(result));
  }

  close(): void {
    this.db.close();
  }
}
