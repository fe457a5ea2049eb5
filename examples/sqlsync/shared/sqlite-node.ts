/**
 * The reducer's SQL surface over better-sqlite3 (Node only: the server and the Node client). Statements are
 * prepared once per SQL text and reused: the reducer runs the same few statements for every mutation, and
 * compiling them again each time cost more than running them.
 */
import type Database from 'better-sqlite3';
import type { SqlDatabase } from './mutations.ts';

export function nodeSql(db: Database.Database): SqlDatabase & { exec(sql: string): void } {
  const statements = new Map<string, Database.Statement>();
  const statement = (sql: string) => {
    let prepared = statements.get(sql);
    if (!prepared) {
      prepared = db.prepare(sql);
      statements.set(sql, prepared);
    }
    return prepared;
  };
  return {
    run: (sql, params = []) => void statement(sql).run(...params),
    all: (sql, params = []) => statement(sql).all(...params) as Array<Record<string, unknown>>,
    exec: (sql) => void db.exec(sql),
  };
}
