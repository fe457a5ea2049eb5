/**
 * Convergence as a property: random interleavings of edits by three clients over real sockets, each client
 * going offline and back at random, always end with every client and the server on the same todos, and every
 * timeline entry the server acknowledged present in storage (applied or rejected), exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NodeSqlsyncClient } from './client/node-client.ts';
import { waitFor } from './scenarios/index.ts';
import { startServer } from './server/index.ts';
import type { TodoMutation } from './shared/mutations.ts';

const ids = ['a', 'b', 'c'];
const step = fc.record({
  client: fc.integer({ min: 0, max: 2 }),
  action: fc.oneof(
    fc.record({ tag: fc.constant('AddTodo' as const), id: fc.constantFrom(...ids), text: fc.constantFrom('one', 'two', 'three') }),
    fc.record({ tag: fc.constant('SetText' as const), id: fc.constantFrom(...ids), text: fc.constantFrom('edited', 'changed') }),
    fc.record({ tag: fc.constant('ToggleDone' as const), id: fc.constantFrom(...ids), done: fc.boolean() }),
    fc.record({ tag: fc.constant('DeleteTodo' as const), id: fc.constantFrom(...ids) }),
    fc.constant('offline' as const),
    fc.constant('online' as const),
  ),
});

describe('sqlsync convergence (property, real sockets)', () => {
  it('any interleaving of edits and disconnections converges and keeps every acknowledged entry', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const dataDir = mkdtempSync(join(tmpdir(), 'sqlsync-prop-'));
        const server = await startServer({ port: 0, host: '127.0.0.1', dataDir });
        const clients = ['x', 'y', 'z'].map(
          (name) => new NodeSqlsyncClient({ url: server.url, doc: 'prop', timeline: `tl-${name}`, name }),
        );
        try {
          await Promise.all(clients.map((c) => c.connect()));
          for (const { client, action } of steps) {
            const c = clients[client] as NodeSqlsyncClient;
            if (action === 'offline') await c.disconnect();
            else if (action === 'online') {
              if (c.status === 'disconnected') await c.connect();
            } else c.mutate(action as TodoMutation);
          }
          for (const c of clients) if (c.status === 'disconnected') await c.connect();
          const storageLast = () =>
            Number(server.coordinator.query('prop', 'SELECT COALESCE(MAX(lsn), -1) AS last FROM sqlsync_storage')[0]?.last ?? -1);
          await waitFor('convergence', () => clients.every((c) => c.settled && (c.storage.range?.last ?? -1) === storageLast()));
          const serverTodos = server.coordinator
            .query('prop', 'SELECT id, text, done FROM todos ORDER BY id')
            .map((row) => ({ id: String(row.id), text: String(row.text), done: Number(row.done) === 1 }));
          for (const c of clients) expect(c.todos()).toEqual(serverTodos);
          for (const c of clients) {
            const acked = c.serverTimeline?.last ?? -1;
            const inStorage = server.coordinator
              .query('prop', `SELECT tlsn FROM sqlsync_storage WHERE timeline = '${c.timeline.id}' ORDER BY lsn`)
              .map((row) => Number(row.tlsn));
            expect(inStorage).toEqual(Array.from({ length: acked + 1 }, (_, i) => i));
          }
        } finally {
          for (const c of clients) await c.close();
          await server.close();
          rmSync(dataDir, { recursive: true, force: true });
        }
      }),
      { numRuns: 12 },
    );
  });
});
