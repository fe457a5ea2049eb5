/**
 * The fault proxies themselves, against a tiny real server on 127.0.0.1 (HTTP echo + WebSocket echo): each fault
 * does what it says on the wire, and without faults they are transparent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import {
  cutInsideDataFrame,
  cutInsideText,
  frameHead,
  prng,
  startFaultProxy,
  startTcpProxy,
  waitUntil,
  withoutExtensionOffer,
} from './index.ts';

let upstream: Server;
let wss: WebSocketServer;
let upstreamUrl = '';
const received: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('aborted', () => requests.push(`aborted ${req.url}`));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      requests.push(`${req.method} ${req.url} ${body}`);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`echo:${body}:${'x'.repeat(200)}`);
    });
  });
  wss = new WebSocketServer({ server: upstream });
  wss.on('connection', (ws) => {
    ws.on('message', (data, binary) => {
      received.push(data.toString());
      ws.send(binary ? data : `echo:${data.toString()}`, { binary });
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

function open(url: string): Promise<{ ws: WebSocket; inbox: string[]; closed: Promise<number> }> {
  const ws = new WebSocket(url.replace(/^http/, 'ws'));
  const inbox: string[] = [];
  ws.on('message', (data) => inbox.push(data.toString()));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, inbox, closed }));
    ws.once('error', reject);
  });
}

describe('tcp proxy', () => {
  it('forwards bytes, and cuts a connection inside a WebSocket frame in either direction', async () => {
    const proxy = await startTcpProxy({ upstreamPort: Number(new URL(upstreamUrl).port) });
    try {
      const a = await open(proxy.url);
      a.ws.send('hello');
      await waitUntil('the echo', () => a.inbox.length === 1);
      expect(a.inbox).toEqual(['echo:hello']);
      // Server to client: the echo of "tear me" is cut in the middle of its frame.
      const down = proxy.cut('down', (chunk) => cutInsideText(chunk, 'tear me'));
      a.ws.send('tear me');
      const report = await down;
      expect(report.delivered).toBeLessThan(report.length);
      expect(await a.closed).toBe(1006);
      expect(a.inbox).toEqual(['echo:hello']);
      // Client to server: a masked frame, matched on its unmasked payload, torn after half its payload.
      const b = await open(proxy.url);
      const before = received.length;
      const up = proxy.cut('up', (chunk, info) =>
        info.index > 0 ? cutInsideDataFrame(chunk, 0.5, (p) => p.toString().startsWith('never')) : undefined,
      );
      b.ws.send('fine');
      b.ws.send('never arrives whole');
      await up;
      expect(await b.closed).toBe(1006);
      await waitUntil('the server to get the first message', () => received.length > before);
      expect(received.slice(before)).toEqual(['fine']);
    } finally {
      await proxy.close();
    }
  });
});

describe('tcp proxy chaos', () => {
  it('tears connections at seeded points and counts them; disarm stops it', async () => {
    const proxy = await startTcpProxy({ upstreamPort: Number(new URL(upstreamUrl).port) });
    try {
      proxy.chaos({ prng: prng(7), cut: 1, dirs: ['down'] });
      const a = await open(proxy.url).catch(() => undefined);
      // The upgrade answer is a connection's first chunk, which chaos leaves alone by default.
      expect(a).toBeDefined();
      a?.ws.send('torn on the way back');
      expect(await a?.closed).toBe(1006);
      expect(proxy.cuts).toBe(1);
      proxy.disarm();
      const b = await open(proxy.url);
      b.ws.send('whole');
      await waitUntil('the echo', () => b.inbox.length === 1);
      expect(b.inbox).toEqual(['echo:whole']);
      b.ws.close();
    } finally {
      await proxy.close();
    }
  });
});

describe('fault proxy', () => {
  it('WebSocket: duplicates and swaps whole messages in either direction', async () => {
    const proxy = await startFaultProxy({ upstream: upstreamUrl });
    try {
      const a = await open(proxy.url);
      const before = received.length;
      const dup = proxy.ws.duplicate('up', (m) => m.data.toString() === 'one');
      a.ws.send('one');
      await dup;
      await waitUntil('both copies', () => a.inbox.length === 2);
      expect(received.slice(before)).toEqual(['one', 'one']);
      const swap = proxy.ws.swap('down', (m) => m.data.toString() === 'echo:two');
      a.ws.send('two');
      a.ws.send('three');
      expect((await swap).overtakenBy?.data.toString()).toBe('echo:three');
      await waitUntil('the swapped pair', () => a.inbox.length === 4);
      expect(a.inbox.slice(2)).toEqual(['echo:three', 'echo:two']);
      a.ws.close();
    } finally {
      await proxy.close();
    }
  });

  it('HTTP: replays a request, tears an answer or a request mid-body, holds an answer behind a later one', async () => {
    const proxy = await startFaultProxy({ upstream: upstreamUrl });
    try {
      expect(await (await fetch(`${proxy.url}/plain`, { method: 'POST', body: 'a' })).text()).toMatch(/^echo:a:x+$/);
      const replay = proxy.http.replay((e) => e.url === '/twice');
      const before = requests.length;
      await (await fetch(`${proxy.url}/twice`, { method: 'POST', body: 'b' })).text();
      expect((await replay).statuses).toEqual([200, 200]);
      expect(requests.slice(before)).toEqual(['POST /twice b', 'POST /twice b']);

      const tear = proxy.http.tearResponse((e) => e.url === '/torn');
      await expect(fetch(`${proxy.url}/torn`).then((r) => r.text())).rejects.toThrow();
      expect((await tear).delivered).toBeLessThan((await tear).length ?? 0);

      const tearUp = proxy.http.tearRequest((e) => e.url === '/upload');
      await expect(fetch(`${proxy.url}/upload`, { method: 'POST', body: 'y'.repeat(1000) })).rejects.toThrow();
      await tearUp;
      await waitUntil('the server to see the aborted upload', () => requests.includes('aborted /upload'));

      const hold = proxy.http.hold((e) => e.url === '/first');
      const order: string[] = [];
      const first = fetch(`${proxy.url}/first`).then(async (r) => order.push(`first ${(await r.text()).length}`));
      await waitUntil('the first request to reach the server', () => requests.some((r) => r.startsWith('GET /first')));
      const second = fetch(`${proxy.url}/second`).then(async (r) => order.push(`second ${(await r.text()).length}`));
      await Promise.all([first, second]);
      expect(order.map((o) => o.split(' ')[0])).toEqual(['second', 'first']);
      expect((await hold).overtakenBy?.url).toBe('/second');
    } finally {
      await proxy.close();
    }
  });
});

describe('frame helpers', () => {
  it('reads a compressed frame head and takes the deflate offer out of an upgrade request only', () => {
    expect(frameHead(Buffer.from([0xc2, 0x05, 1, 2, 3, 4, 5]))).toMatchObject({
      compressed: true,
      opcode: 2,
      payloadLength: 5,
      headerLength: 2,
    });
    expect(frameHead(Buffer.from([0xa2, 0x05]))).toBeUndefined();
    const upgrade = 'GET /x HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n';
    expect(withoutExtensionOffer(Buffer.from(upgrade)).toString()).toBe('GET /x HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n');
    const post = 'POST /x HTTP/1.1\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n';
    expect(withoutExtensionOffer(Buffer.from(post)).toString()).toBe(post);
  });
});
