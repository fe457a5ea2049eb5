import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRegistry, Deriver } from '@syncscope/protocols';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { type FrameInput, Recorder } from '../record/recorder.ts';
import { startProxy } from './proxy.ts';

// A target that answers HTTP (including a streamed NDJSON body) and echoes WebSocket messages, text and binary.
let target: Server;
let targetUrl: string;
beforeAll(async () => {
  target = createServer((req, res) => {
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"a":1}\n');
      setTimeout(() => res.end('{"b":2}\n'), 20);
      return;
    }
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-seen': req.headers['x-app'] ?? '' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body }));
    });
  });
  const wss = new WebSocketServer({ server: target, handleProtocols: (protocols) => (protocols.has('sync.v1') ? 'sync.v1' : false) });
  wss.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => {
      if (!isBinary && data.toString() === 'bye') socket.close(4001, 'asked to');
      else socket.send(data, { binary: isBinary });
    });
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `ws://127.0.0.1:${(target.address() as AddressInfo).port}`;
});
afterAll(async () => {
  target.closeAllConnections();
  await new Promise((resolve) => target.close(resolve));
});

describe('syncscope proxy', () => {
  it('passes HTTP through unchanged and records request and response', async () => {
    const frames: FrameInput[] = [];
    const proxy = await startProxy({ target: targetUrl, onFrame: (f) => frames.push(f) });
    try {
      const direct = await fetch(`${targetUrl.replace('ws', 'http')}/change?x=1`, {
        method: 'POST',
        body: '{"tx":1}',
        headers: { 'x-app': 'demo' },
      });
      const viaProxy = await fetch(`${proxy.url}/change?x=1`, { method: 'POST', body: '{"tx":1}', headers: { 'x-app': 'demo' } });
      expect(viaProxy.status).toBe(direct.status);
      expect(viaProxy.headers.get('x-seen')).toBe('demo');
      expect(await viaProxy.text()).toBe(await direct.text());
      const streamed = await (await fetch(`${proxy.url}/stream`)).text();
      expect(streamed).toBe('{"a":1}\n{"b":2}\n');
      await new Promise((r) => setTimeout(r, 20));
      expect(frames.map((f) => `${f.kind}:${f.meta?.method}:${new URL(f.meta?.url ?? '').pathname}`)).toEqual([
        'request:POST:/change',
        'response:POST:/change',
        'request:GET:/stream',
        'response:GET:/stream',
      ]);
      expect(frames[0]?.text).toBe('{"tx":1}');
      expect(frames[1]?.meta?.status).toBe(201);
      expect(frames[3]?.text).toBe('{"a":1}\n{"b":2}\n');
    } finally {
      await proxy.close();
    }
  });

  it('passes WebSocket text, binary, subprotocol and close codes through, and records them in order', async () => {
    const recorder = new Recorder();
    const proxy = await startProxy({ target: targetUrl, onFrame: (f) => recorder.add(f) });
    try {
      const socket = new WebSocket(`${proxy.url.replace('http', 'ws')}/echo`, ['sync.v1']);
      const received: Array<string | Buffer> = [];
      const closed = new Promise<[number, string]>((resolve) => socket.on('close', (code, reason) => resolve([code, reason.toString()])));
      socket.on('message', (data: Buffer, isBinary) => received.push(isBinary ? data : data.toString()));
      await new Promise((resolve) => socket.once('open', resolve));
      expect(socket.protocol).toBe('sync.v1');
      const echoed = () => new Promise((resolve) => socket.once('message', resolve));
      socket.send('hello');
      await echoed();
      socket.send(Buffer.from([1, 2, 255]));
      await echoed();
      socket.send('bye');
      expect(await closed).toEqual([4001, 'asked to']);
      expect(received).toEqual(['hello', Buffer.from([1, 2, 255])]);
      const frames = recorder.all();
      expect(frames.map((f) => `${f.kind}:${f.dir}`)).toEqual([
        'open:out',
        'message:out',
        'message:in',
        'message:out',
        'message:in',
        'message:out',
        'close:in',
      ]);
      expect(frames[0]?.meta?.subprotocol).toBe('sync.v1');
      expect(frames[3]?.b64).toBe('AQL/');
      expect(frames.at(-1)?.meta).toMatchObject({ code: 4001, reason: 'asked to' });
      // What the proxy recorded is a session the fold reads without a single undecodable frame (an echo path no
      // protocol claims, so the sniffer types each payload).
      const deriver = new Deriver(createRegistry());
      for (const frame of frames) deriver.push(frame);
      deriver.finish();
      expect(frames.every((_, i) => deriver.info(i)?.ok)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('answers 502 with the reason when the target is down, and records the error', async () => {
    const frames: FrameInput[] = [];
    const proxy = await startProxy({ target: 'http://127.0.0.1:9', onFrame: (f) => frames.push(f) });
    try {
      const response = await fetch(`${proxy.url}/x`);
      expect(response.status).toBe(502);
      expect(await response.text()).toMatch(/^syncscope proxy: http:\/\/127\.0\.0\.1:9\/x is unreachable/);
      expect(frames.some((f) => f.kind === 'error')).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});
