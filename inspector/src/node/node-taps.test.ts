import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from '@syncscope/protocols/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { testDissector } from '../../../protocols/core/test-dissector.ts';
import { readSessionLines } from '../session/session-file.ts';
import { type RemoteSink, sessionFileSink, startRemoteSink } from '../sinks/node.ts';
import { connectRemoteSink, installNodeTaps } from './index.ts';

/** An app server: a test-protocol WebSocket that acks every set, and an NDJSON stream. */
let app: { origin: string; close(): Promise<void> };
let sink: RemoteSink;

beforeAll(async () => {
  const server = createServer((request, response) => {
    if (request.url === '/items') {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.write('{"id":1}\n{"id"');
      setImmediate(() => response.end(':2}\n'));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"ok":true}');
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) =>
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { key: string };
      socket.send(JSON.stringify({ op: 'ack', key: message.key }));
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  app = {
    origin: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  sink = await startRemoteSink({ registry: new Registry([testDissector]) });
});

afterAll(async () => {
  await sink?.close();
  await app?.close();
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('Node taps', () => {
  it('stream a ws client and fetch to the remote sink, where the frames arrive and decode', async () => {
    const originalSend = WebSocket.prototype.send;
    const originalFetch = globalThis.fetch;
    const taps = installNodeTaps({ WebSocket });
    const dir = await mkdtemp(join(tmpdir(), 'syncscope-node-'));
    const file = sessionFileSink(join(dir, 'session.syncscope.jsonl'));
    const offFile = taps.subscribe(file);
    const remote = connectRemoteSink(taps, { url: sink.url, client: 'client-a', budget: 4096 });
    try {
      await remote.ready;
      const ws = new WebSocket(`ws://${app.origin}/test-sync`);
      expect(() => ws.send('too early')).toThrow(/not open/);
      await new Promise((resolve) => ws.once('open', resolve));
      const acked = new Promise((resolve) => ws.once('message', resolve));
      ws.send(JSON.stringify({ op: 'set', key: 'a', value: 1, password: 'pw' }));
      await acked;
      ws.send(JSON.stringify({ op: 'set', key: 'big', value: 2, pad: 'x'.repeat(20_000) }));
      await new Promise((resolve) => ws.once('message', resolve));
      const items = await (await fetch(`http://${app.origin}/items`)).text();
      expect(items).toBe('{"id":1}\n{"id":2}\n');
      ws.close(1000, 'done');
      await new Promise((resolve) => ws.once('close', resolve));

      const store = sink.store;
      await until(() => store.query({ conn: 'client-a|ws-1' }).some((p) => store.frame(p)?.kind === 'close'));
      await until(() => store.query({}).filter((p) => store.frame(p)?.kind === 'response').length >= 2);
      const ws1 = store.query({ conn: 'client-a|ws-1' }).map((p) => store.frame(p));
      expect(ws1.map((f) => `${f?.kind}:${f?.dir}`)).toEqual([
        'open:out',
        'message:out',
        'message:in',
        'message:out',
        'message:in',
        'close:in',
      ]);
      expect(store.protocolOf('client-a|ws-1')).toBe('test');
      const decoded = store.query({ conn: 'client-a|ws-1' }).map((p) => store.decode(p));
      expect(decoded.every((d) => d?.ok)).toBe(true);
      expect(decoded.map((d) => (d?.ok ? d.type : ''))).toEqual(['open', 'set', 'ack', 'set', 'ack', 'close']);
      // The 20 kB message crossed in chunks of at most 4 kB and came back whole; the password did not leave.
      expect(ws1[3]?.text).toContain('x'.repeat(20_000));
      expect(ws1[1]?.text).toContain('"password":"[redacted]"');
      expect(store.redactions).toContain('field:/password/i');
      expect(store.models().test?.entities.a?.value).toBe(1);
      // fetch: request, then the NDJSON body as whole-line chunks and a last frame.
      const http = [...store.frames()].filter((f) => f.transport === 'http' && f.meta?.url?.endsWith('/items'));
      expect(http[0]?.kind).toBe('request');
      expect(
        http
          .slice(1)
          .map((f) => f.text ?? '')
          .join(''),
      ).toBe(items);
      expect(http.slice(1, -1).every((f) => f.meta?.chunk === true)).toBe(true);
      // The sink's own socket was never captured.
      expect([...store.frames()].some((f) => f.meta?.url?.startsWith(sink.url.replace(/\/$/, '')))).toBe(false);
      expect(sink.clients().get('client-a')).toEqual({ connected: true, dropped: 0 });
    } finally {
      await remote.close();
      offFile();
      await file.close();
      taps.uninstall();
    }
    expect(WebSocket.prototype.send).toBe(originalSend);
    expect(Object.hasOwn(WebSocket.prototype, 'emit')).toBe(false);
    expect(globalThis.fetch).toBe(originalFetch);
    // The same frames, written as a session file as they came.
    const text = await readFile(join(dir, 'session.syncscope.jsonl'), 'utf8');
    const session = await readSessionLines(text.trim().split('\n'));
    expect(session.frames.filter((f) => f.transport === 'websocket').length).toBe(6);
    await rm(dir, { recursive: true, force: true });
  });

  it('the remote sink rejects what is not a valid message and refuses a non-loopback host by default', async () => {
    const rejects: string[] = [];
    const guarded = await startRemoteSink({ onReject: (reason) => rejects.push(reason) });
    const socket = new WebSocket(guarded.url);
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send('not json');
    socket.send(
      JSON.stringify({ source: 'syncscope-remote', v: 1, client: 'x', event: { type: 'frames', frames: [{ seq: -1 }], dropped: 0 } }),
    );
    socket.send(JSON.stringify({ source: 'syncscope-remote', v: 1, type: 'chunk', id: 'c', index: 3, count: 2, b64: '' }));
    await until(() => rejects.length === 3);
    socket.close();
    await guarded.close();
    expect(rejects[0]).toBe('not JSON');
    expect(rejects[1]).toMatch(/^event\.frames\.0\./);
    expect(rejects[2]).toMatch(/not below its count/);
    expect(guarded.store.size).toBe(0);
    await expect(startRemoteSink({ host: '0.0.0.0' })).rejects.toThrow(/not loopback/);
  });
});
