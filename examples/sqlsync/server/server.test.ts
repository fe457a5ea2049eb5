import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSqlsync } from '@syncscope/protocols/sqlsync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../scenarios/index.ts';
import { DocumentStore } from './document-store.ts';
import { type RunningServer, startServer } from './index.ts';

let server: RunningServer;
const dataDir = mkdtempSync(join(tmpdir(), 'sqlsync-server-test-'));

beforeAll(async () => {
  server = await startServer({ port: 0, host: '127.0.0.1', dataDir });
});
afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A raw socket that collects the server's replies, each checked against the protocol's own decoder. */
async function rawSocket(): Promise<{ ws: WebSocket; replies: Array<Record<string, any>>; send: (data: string | Buffer) => void }> {
  const ws = new WebSocket(server.syncUrl);
  const replies: Array<Record<string, any>> = [];
  ws.on('message', (data) => {
    const text = data.toString();
    const decoded = decodeSqlsync({ seq: 0, t: 0, transport: 'websocket', conn: 'x', dir: 'in', kind: 'message', text });
    if (!decoded.ok) throw new Error(`server sent an undecodable message: ${decoded.error.reason}`);
    replies.push(JSON.parse(text));
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, replies, send: (data) => ws.send(data) };
}

describe('sqlsync server: bad input gets protocol errors, never a crash', () => {
  it('answers malformed, wrong-typed, unknown and binary messages with error naming the field', async () => {
    const { ws, replies, send } = await rawSocket();
    try {
      send('{not json');
      send(JSON.stringify({ type: 'open', docs: [{ doc: 'has space', storageRange: null, timeline: 't' }] }));
      send(JSON.stringify({ type: 'teleport' }));
      send(Buffer.from([0, 1, 2]));
      send(
        JSON.stringify({
          type: 'timeline-sync',
          doc: 'd1',
          partial: { id: 't1', range: { first: 0, last: 0 }, entries: [{ tag: 'AddTodo' }] },
        }),
      );
      await waitFor('five replies', () => replies.length >= 5);
      expect(replies.map((r) => r.code)).toEqual(['bad-message', 'bad-message', 'bad-message', 'bad-message', 'not-open']);
      expect(replies[1]?.field).toBe('docs.0.doc');
      expect(replies[2]?.field).toBe('type');
      // Still serving after all of that.
      send(JSON.stringify({ type: 'open', docs: [{ doc: 'd1', storageRange: null, timeline: 't1' }] }));
      await waitFor('the open answer', () => replies.some((r) => r.type === 'timeline-range'));
    } finally {
      ws.close();
    }
  });

  it('hands a timeline to its newest connection, rejects different content at a held LSN, and gaps', async () => {
    const a = await rawSocket();
    const b = await rawSocket();
    try {
      a.send(JSON.stringify({ type: 'open', docs: [{ doc: 'd2', storageRange: null, timeline: 'shared' }] }));
      await waitFor('a open', () => a.replies.length >= 1);
      // A second open of the same timeline takes it over (the first link is presumed dead) and tells the first;
      // the first link then gets not-open for that document until it opens it again.
      b.send(JSON.stringify({ type: 'open', docs: [{ doc: 'd2', storageRange: null, timeline: 'shared' }] }));
      await waitFor('b answered', () => b.replies.length >= 1);
      expect(b.replies[0]).toMatchObject({ type: 'timeline-range', timeline: 'shared' });
      await waitFor('a told', () => a.replies.length >= 2);
      expect(a.replies[1]).toMatchObject({ type: 'error', code: 'duplicate-timeline' });
      const probe = {
        type: 'timeline-sync',
        doc: 'd2',
        partial: { id: 'shared', range: { first: 0, last: 0 }, entries: [{ tag: 'AddTodo', id: 'z', text: 'z' }] },
      };
      a.send(JSON.stringify(probe));
      await waitFor('a refused', () => a.replies.length >= 3);
      expect(a.replies[2]).toMatchObject({ type: 'error', code: 'not-open' });
      a.send(JSON.stringify({ type: 'open', docs: [{ doc: 'd2', storageRange: null, timeline: 'shared' }] }));
      await waitFor('a back', () => a.replies.length >= 4);
      await waitFor('b told', () => b.replies.length >= 2);

      const sync = (first: number, text: string) =>
        JSON.stringify({
          type: 'timeline-sync',
          doc: 'd2',
          partial: { id: 'shared', range: { first, last: first }, entries: [{ tag: 'AddTodo', id: 'a', text }] },
        });
      a.send(sync(0, 'one'));
      await waitFor('ack', () => a.replies.some((r) => r.type === 'timeline-range' && r.range?.last === 0));
      a.send(sync(0, 'one')); // an identical resend is fine
      a.send(sync(0, 'two'));
      a.send(sync(5, 'gap'));
      await waitFor('errors', () => a.replies.filter((r) => r.type === 'error').length >= 4);
      expect(a.replies.filter((r) => r.type === 'error').map((r) => r.code)).toEqual([
        'duplicate-timeline',
        'not-open',
        'duplicate-timeline',
        'lsn-gap',
      ]);
    } finally {
      a.ws.close();
      b.ws.close();
    }
  });
});

describe('sqlsync server under random input', () => {
  it('answers every random message with a decodable reply and keeps serving', async () => {
    const types = ['open', 'timeline-sync', 'storage-range', 'timeline-range', 'nonsense'];
    const message = fc.oneof(
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc
        .record(
          {
            type: fc.constantFrom(...types),
            doc: fc.oneof(fc.constant('fz'), fc.string()),
            docs: fc.anything(),
            partial: fc.anything(),
            range: fc.anything(),
          },
          { requiredKeys: ['type'] },
        )
        .map((value) => JSON.stringify(value)),
    );
    const batch = fc.sample(fc.array(message, { minLength: 60, maxLength: 60 }), { numRuns: 1, seed: 4 })[0] as string[];
    const { ws, replies, send } = await rawSocket();
    try {
      for (const text of batch) send(text);
      send(JSON.stringify({ type: 'open', docs: [{ doc: 'fz', storageRange: null, timeline: 'fz-probe' }] }));
      await waitFor('the probe open to be answered', () => replies.some((r) => r.type === 'timeline-range' && r.timeline === 'fz-probe'));
      // Every random message got exactly one error, except the few that happened to be valid.
      expect(replies.filter((r) => r.type === 'error').length).toBeGreaterThan(50);
    } finally {
      ws.close();
    }
  });
});

describe('document store durability', () => {
  it('applies after a restart what was received (acknowledged) before it, exactly once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqlsync-store-test-'));
    try {
      const first = new DocumentStore('doc', dir);
      first.receiveTimeline('t1', 0, [
        { tag: 'AddTodo', id: 'a', text: 'A' },
        { tag: 'AddTodo', id: 'a', text: 'again' },
      ]);
      first.receiveTimeline('t2', 0, [{ tag: 'AddTodo', id: 'b', text: 'B' }]);
      // "Crash" before any step: nothing applied yet.
      expect(first.storageRange()).toBeNull();
      first.close();

      const second = new DocumentStore('doc', dir);
      expect(second.timelineRange('t1')).toEqual({ first: 0, last: 1 });
      while (second.hasWork) second.step();
      expect(second.storageRange()).toEqual({ first: 0, last: 2 });
      const entries = second.storageEntries(0, 10);
      expect(entries.map((e) => [e.timeline, e.lsn, e.rejected ?? null])).toEqual([
        ['t1', 0, null],
        ['t1', 1, 'todo a already exists'],
        ['t2', 0, null],
      ]);
      second.close();

      const third = new DocumentStore('doc', dir);
      expect(third.hasWork).toBe(false);
      expect(third.query('SELECT id, text FROM todos ORDER BY id')).toEqual([
        { id: 'a', text: 'A' },
        { id: 'b', text: 'B' },
      ]);
      third.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
