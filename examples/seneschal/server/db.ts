/**
 * The server's durable state in SQLite (better-sqlite3): the note's Dispatch and Queue tables, plus users, groups,
 * the CUID-to-UUID association, access lists and the master copy with a timestamp per property. WAL with
 * synchronous=FULL: once a transaction returns, it survives a crash, so acknowledging after commit loses nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (uuid TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS group_members (gid TEXT NOT NULL, uuid TEXT NOT NULL, PRIMARY KEY (gid, uuid));
CREATE TABLE IF NOT EXISTS clients (cuid TEXT PRIMARY KEY, uuid TEXT NOT NULL, last_seen INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS dispatch (
  id TEXT PRIMARY KEY, oid TEXT NOT NULL, timestamp INTEGER NOT NULL, dispatch TEXT NOT NULL, origin TEXT NOT NULL,
  user TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS queue (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, cuid TEXT NOT NULL, dispatch_id TEXT NOT NULL, UNIQUE (cuid, dispatch_id)
);
CREATE TABLE IF NOT EXISTS objects (oid TEXT PRIMARY KEY, slice TEXT NOT NULL, props TEXT NOT NULL, times TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS access (oid TEXT NOT NULL, kind TEXT NOT NULL, principal TEXT NOT NULL, PRIMARY KEY (oid, kind, principal));
`;

export interface MasterObject {
  oid: string;
  slice: string;
  props: Record<string, unknown>;
  times: Record<string, number>;
}

export interface Principal {
  kind: 'user' | 'group';
  id: string;
}

export class Store {
  readonly db: Database.Database;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, 'seneschal.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
  }

  /** Each SQL text is prepared once: preparing costs more than running these small statements. */
  private readonly statements = new Map<string, Database.Statement>();

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  close(): void {
    this.db.close();
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /** The JWT signing secret, created once and kept so that tokens outlive a restart. */
  secret(): Uint8Array {
    const row = this.statement('SELECT value FROM meta WHERE key = ?').get('jwt-secret') as { value: string } | undefined;
    if (row) return Buffer.from(row.value, 'base64');
    const fresh = randomBytes(32);
    this.statement('INSERT INTO meta (key, value) VALUES (?, ?)').run('jwt-secret', fresh.toString('base64'));
    return fresh;
  }

  // ---- users, groups, clients --------------------------------------------------------------------------------

  addUser(uuid: string, username: string, passwordHash: string): boolean {
    return (
      this.statement('INSERT OR IGNORE INTO users (uuid, username, password_hash) VALUES (?, ?, ?)').run(uuid, username, passwordHash)
        .changes === 1
    );
  }

  userByName(username: string): { uuid: string; password_hash: string } | undefined {
    return this.statement('SELECT uuid, password_hash FROM users WHERE username = ?').get(username) as
      | { uuid: string; password_hash: string }
      | undefined;
  }

  userExists(uuid: string): boolean {
    return this.statement('SELECT 1 FROM users WHERE uuid = ?').get(uuid) !== undefined;
  }

  addGroupMember(gid: string, uuid: string): void {
    this.statement('INSERT OR IGNORE INTO group_members (gid, uuid) VALUES (?, ?)').run(gid, uuid);
  }

  groupsOf(uuid: string): string[] {
    return (this.statement('SELECT gid FROM group_members WHERE uuid = ?').all(uuid) as Array<{ gid: string }>).map((r) => r.gid);
  }

  membersOf(gid: string): string[] {
    return (this.statement('SELECT uuid FROM group_members WHERE gid = ?').all(gid) as Array<{ uuid: string }>).map((r) => r.uuid);
  }

  client(cuid: string): { uuid: string; last_seen: number } | undefined {
    return this.statement('SELECT uuid, last_seen FROM clients WHERE cuid = ?').get(cuid) as
      | { uuid: string; last_seen: number }
      | undefined;
  }

  /** Associates a CUID with a UUID (the note: done at login). Returns true when the association is new. */
  associate(cuid: string, uuid: string, now: number): boolean {
    const existing = this.client(cuid);
    if (existing && existing.uuid === uuid) {
      this.statement('UPDATE clients SET last_seen = ? WHERE cuid = ?').run(now, cuid);
      return false;
    }
    // A device handed to another user starts over: its old queue was addressed to the old user.
    if (existing) this.statement('DELETE FROM queue WHERE cuid = ?').run(cuid);
    this.statement('INSERT OR REPLACE INTO clients (cuid, uuid, last_seen) VALUES (?, ?, ?)').run(cuid, uuid, now);
    return true;
  }

  touch(cuid: string, now: number): void {
    this.statement('UPDATE clients SET last_seen = ? WHERE cuid = ?').run(now, cuid);
  }

  clientsOfUser(uuid: string): string[] {
    return (this.statement('SELECT cuid FROM clients WHERE uuid = ?').all(uuid) as Array<{ cuid: string }>).map((r) => r.cuid);
  }

  /** The note: a CUID unseen for the timeout loses its association and its queue. Returns the CUIDs dropped. */
  expireClients(olderThan: number): string[] {
    return this.transaction(() => {
      const stale = (this.statement('SELECT cuid FROM clients WHERE last_seen < ?').all(olderThan) as Array<{ cuid: string }>).map(
        (r) => r.cuid,
      );
      for (const cuid of stale) {
        this.statement('DELETE FROM queue WHERE cuid = ?').run(cuid);
        this.statement('DELETE FROM clients WHERE cuid = ?').run(cuid);
      }
      return stale;
    });
  }

  // ---- dispatches and queues ----------------------------------------------------------------------------------

  hasDispatch(id: string): boolean {
    return this.statement('SELECT 1 FROM dispatch WHERE id = ?').get(id) !== undefined;
  }

  /** `origin` is the sending CUID (or the server's id for its own dispatches), `user` the sender's UUID. */
  addDispatch(id: string, oid: string, timestamp: number, dispatch: unknown, origin: string, user = ''): void {
    this.statement('INSERT OR IGNORE INTO dispatch (id, oid, timestamp, dispatch, origin, user) VALUES (?, ?, ?, ?, ?, ?)').run(
      id,
      oid,
      timestamp,
      JSON.stringify(dispatch),
      origin,
      user,
    );
  }

  /** Dispatches clients sent (not the server's own), in arrival order. */
  clientDispatches(): Array<{ id: string; oid: string; dispatch: string; origin: string; user: string }> {
    return this.statement(
      "SELECT id, oid, dispatch, origin, user FROM dispatch WHERE origin != 'seneschal' ORDER BY rowid",
    ).all() as Array<{
      id: string;
      oid: string;
      dispatch: string;
      origin: string;
      user: string;
    }>;
  }

  enqueue(cuid: string, dispatchId: string): void {
    this.statement('INSERT OR IGNORE INTO queue (cuid, dispatch_id) VALUES (?, ?)').run(cuid, dispatchId);
  }

  /** A client's queue, oldest first: the dispatch rows it still has to receive. */
  queueOf(cuid: string): Array<{ id: string; dispatch: string }> {
    return this.statement(
      'SELECT d.id AS id, d.dispatch AS dispatch FROM queue q JOIN dispatch d ON d.id = q.dispatch_id WHERE q.cuid = ? ORDER BY q.seq',
    ).all(cuid) as Array<{ id: string; dispatch: string }>;
  }

  dequeue(cuid: string, ids: readonly string[]): void {
    const drop = this.statement('DELETE FROM queue WHERE cuid = ? AND dispatch_id = ?');
    this.transaction(() => {
      for (const id of ids) drop.run(cuid, id);
    });
  }

  // ---- master copy and access lists ---------------------------------------------------------------------------

  object(oid: string): MasterObject | undefined {
    const row = this.statement('SELECT oid, slice, props, times FROM objects WHERE oid = ?').get(oid) as
      | { oid: string; slice: string; props: string; times: string }
      | undefined;
    return row && { oid: row.oid, slice: row.slice, props: JSON.parse(row.props), times: JSON.parse(row.times) };
  }

  putObject(object: MasterObject): void {
    this.statement('INSERT OR REPLACE INTO objects (oid, slice, props, times) VALUES (?, ?, ?, ?)').run(
      object.oid,
      object.slice,
      JSON.stringify(object.props),
      JSON.stringify(object.times),
    );
  }

  allObjects(): MasterObject[] {
    const rows = this.statement('SELECT oid, slice, props, times FROM objects ORDER BY rowid').all() as Array<{
      oid: string;
      slice: string;
      props: string;
      times: string;
    }>;
    return rows.map((row) => ({ oid: row.oid, slice: row.slice, props: JSON.parse(row.props), times: JSON.parse(row.times) }));
  }

  /** Items that belong to a list (their listID property names it). */
  itemsOf(listID: string): MasterObject[] {
    return this.allObjects().filter((o) => o.props.listID === listID);
  }

  acl(oid: string): Principal[] {
    return this.statement('SELECT kind, principal AS id FROM access WHERE oid = ?').all(oid) as Principal[];
  }

  grant(oid: string, principal: Principal): void {
    this.statement('INSERT OR IGNORE INTO access (oid, kind, principal) VALUES (?, ?, ?)').run(oid, principal.kind, principal.id);
  }

  revoke(oid: string, principal: Principal): void {
    this.statement('DELETE FROM access WHERE oid = ? AND kind = ? AND principal = ?').run(oid, principal.kind, principal.id);
  }
}
