/**
 * A long offline queue: 10,000 mutations made offline sync and rebase to the server state, while another client's
 * edits land in storage between them (so rebases both fast-forward over our own entries and really rebase over
 * theirs). Every client and the server end on the same todos, and every acknowledged entry is in storage once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeSqlsyncClient } from './client/node-client.ts';
import { waitFor } from './scenarios/index.ts';
import { startServer } from './server/index.ts';
import type { TodoMutation } from './shared/mutations.ts';

const TOTAL = 10_000;
const TODOS = 500;

function offlineQueue(): TodoMutation[] {
  const out: TodoMutation[] = [];
  for (let i = 0; i < TODOS; i++) out.push({ tag: 'AddTodo', id: `todo-${i}`, text: `todo ${i}` });
  for (let i = 0; out.length < TOTAL; i++) {
    const id = `todo-${i % TODOS}`;
    out.push(i % 2 === 0 ? { tag: 'SetText', id, text: `edit ${i}` } : { tag: 'ToggleDone', id, done: i % 4 === 1 });
  }
  return out;
}

describe('sqlsync long offline queue', () => {
  it('10,000 offline mutations sync, rebase over edits of another client, and converge', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sqlsync-long-'));
    const server = await startServer({ port: 0, host: '127.0.0.1', dataDir });
    const offline = new NodeSqlsyncClient({ url: server.url, doc: 'long', timeline: 'tl-offline', name: 'offline', reconnect: false });
    const other = new NodeSqlsyncClient({ url: server.url, doc: 'long', timeline: 'tl-other', name: 'other', reconnect: false });
    try {
      await offline.connect();
      await other.connect();
      await offline.disconnect();
      for (const mutation of offlineQueue()) expect(offline.mutate(mutation).ok).toBe(true);
      // The other client's own todos, and edits of todos the offline client is about to create (rejected until
      // they exist, or applied after it: either way every side must agree).
      for (let i = 0; i < 20; i++) other.mutate({ tag: 'AddTodo', id: `other-${i}`, text: `theirs ${i}` });
      await offline.connect();
      for (let i = 0; i < 50; i++) other.mutate({ tag: 'SetText', id: `todo-${i * 7}`, text: `their edit ${i}` });

      const storageLast = () =>
        Number(server.coordinator.query('long', 'SELECT COALESCE(MAX(lsn), -1) AS last FROM sqlsync_storage')[0]?.last ?? -1);
      await waitFor(
        'both clients to settle on all of storage',
        () => [offline, other].every((c) => c.settled && (c.storage.range?.last ?? -1) === storageLast()),
        6000,
      );
      const serverTodos = server.coordinator
        .query('long', 'SELECT id, text, done FROM todos ORDER BY id')
        .map((row) => ({ id: String(row.id), text: String(row.text), done: Number(row.done) === 1 }));
      expect(serverTodos).toHaveLength(TODOS + 20);
      expect(offline.todos()).toEqual(serverTodos);
      expect(other.todos()).toEqual(serverTodos);
      expect(offline.rejections).toEqual([]);
      const inStorage = server.coordinator
        .query('long', "SELECT tlsn FROM sqlsync_storage WHERE timeline = 'tl-offline' ORDER BY lsn")
        .map((row) => Number(row.tlsn));
      expect(inStorage).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
    } finally {
      await offline.close();
      await other.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
