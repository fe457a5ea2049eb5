/**
 * The demo application: a shared todo list. Its mutations and its deterministic reducer, run identically by the
 * server (better-sqlite3) and by every client (better-sqlite3 in Node, sqlite-wasm in the browser): the same
 * storage entries replayed in the same order give the same database everywhere.
 *
 * The reducer refuses (and the refusal is recorded in storage, visible to the sender): an add whose id exists,
 * an edit or toggle of a todo that does not exist (deleted concurrently), and anything not a todo mutation.
 */
import { z } from 'zod';

const TodoId = z.string().min(1).max(64);
const Text = z.string().trim().min(1, 'text is empty').max(500, 'text is longer than 500 characters');

export const TodoMutation = z.discriminatedUnion('tag', [
  z.object({ tag: z.literal('AddTodo'), id: TodoId, text: Text }),
  z.object({ tag: z.literal('SetText'), id: TodoId, text: Text }),
  z.object({ tag: z.literal('ToggleDone'), id: TodoId, done: z.boolean() }),
  z.object({ tag: z.literal('DeleteTodo'), id: TodoId }),
]);
export type TodoMutation = z.infer<typeof TodoMutation>;

/** The little SQL surface the reducer needs; both SQLite bindings are adapted to it. */
export interface SqlDatabase {
  run(sql: string, params?: ReadonlyArray<string | number | null>): void;
  all(sql: string, params?: ReadonlyArray<string | number | null>): Array<Record<string, unknown>>;
}

export const SCHEMA_SQL = 'CREATE TABLE IF NOT EXISTS todos (id TEXT PRIMARY KEY, text TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0)';

export type ReduceOutcome = { ok: true } | { ok: false; reason: string };

const exists = (db: SqlDatabase, id: string) => db.all('SELECT 1 AS one FROM todos WHERE id = ?', [id]).length > 0;

/** Applies one mutation. The caller wraps it in a savepoint: a refusal leaves the database untouched. */
export function applyMutation(db: SqlDatabase, raw: unknown): ReduceOutcome {
  const parsed = TodoMutation.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `not a todo mutation: ${issue ? `${issue.path.join('.') || 'mutation'}: ${issue.message}` : 'invalid'}` };
  }
  const m = parsed.data;
  db.run(SCHEMA_SQL);
  switch (m.tag) {
    case 'AddTodo':
      if (exists(db, m.id)) return { ok: false, reason: `todo ${m.id} already exists` };
      db.run('INSERT INTO todos (id, text, done) VALUES (?, ?, 0)', [m.id, m.text]);
      return { ok: true };
    case 'SetText':
      if (!exists(db, m.id)) return { ok: false, reason: `todo ${m.id} does not exist` };
      db.run('UPDATE todos SET text = ? WHERE id = ?', [m.text, m.id]);
      return { ok: true };
    case 'ToggleDone':
      if (!exists(db, m.id)) return { ok: false, reason: `todo ${m.id} does not exist` };
      db.run('UPDATE todos SET done = ? WHERE id = ?', [m.done ? 1 : 0, m.id]);
      return { ok: true };
    case 'DeleteTodo':
      db.run('DELETE FROM todos WHERE id = ?', [m.id]);
      return { ok: true };
  }
}

export interface Todo {
  id: string;
  text: string;
  done: boolean;
}

export function listTodos(db: SqlDatabase): Todo[] {
  db.run(SCHEMA_SQL);
  return db
    .all('SELECT id, text, done FROM todos ORDER BY id')
    .map((row) => ({ id: String(row.id), text: String(row.text), done: Number(row.done) === 1 }));
}
