/**
 * The tap bench's flood server, in a child process of its own: the page and its WebSocket floods are served from
 * there, so the server's send loop does not compete for the bench process's event loop with playwright (which, in
 * DevTools mode, receives a CDP event per frame). Run as a script it prints `{"port":N}` on stdout and stops when
 * its stdin closes (so it cannot outlive the bench); `startFloodServer` spawns it.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { encodeCbor } from '@syncscope/protocols';
import { WebSocketServer } from 'ws';

export type Flow = 'receive-json' | 'receive-cbor' | 'send-json' | 'send-cbor';

const cborMessage = encodeCbor({ op: 'set', key: 'k', value: 1 });

const PAGE = `<!doctype html><meta charset="utf-8"><title>flood</title><script>
window.flood = (url, flow, count) => new Promise((resolve, reject) => {
  const socket = new WebSocket(url + '?flow=' + flow + '&count=' + count);
  socket.binaryType = 'arraybuffer';
  let received = 0, start = 0;
  socket.onerror = () => reject(new Error('socket error'));
  socket.onmessage = (event) => {
    if (flow.startsWith('receive')) {
      if (received === 0) start = performance.now();
      // Touch the payload as an app would: parse text, read the binary length.
      if (typeof event.data === 'string') JSON.parse(event.data); else if (event.data.byteLength < 1) throw new Error('empty');
      if (++received === count) { resolve(count / ((performance.now() - start) / 1000)); socket.close(); }
    } else if (event.data === 'done') { resolve(count / ((performance.now() - start) / 1000)); socket.close(); }
  };
  socket.onopen = () => {
    if (!flow.startsWith('send')) return;
    start = performance.now();
    const binary = flow === 'send-cbor' ? new Uint8Array(${JSON.stringify([...cborMessage])}) : null;
    // Sends go out 1,000 per task, as an app's sync loop would, not in one task that never yields.
    let i = 0;
    const burst = () => { const end = Math.min(count, i + 1000); for (; i < end; i++) socket.send(binary ?? JSON.stringify({ op: 'set', key: 'k' + (i % 100), value: i })); if (i < count) setTimeout(burst, 0); };
    burst();
  };
});
</script>`;

/** Serves PAGE at / and the floods at ws://…/?flow=&count= on 127.0.0.1, port 0. */
async function serve(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(PAGE);
  });
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const binary = Buffer.from(cborMessage);
  wss.on('connection', (socket, request) => {
    const params = new URL(request.url ?? '/', 'http://x').searchParams;
    const flow = params.get('flow') as Flow;
    const count = Number(params.get('count'));
    if (flow.startsWith('receive')) {
      for (let i = 0; i < count; i++) {
        if (flow === 'receive-cbor') socket.send(binary, { binary: true });
        else socket.send(JSON.stringify({ op: 'set', key: `k${i % 100}`, value: i }));
      }
      return;
    }
    let got = 0;
    socket.on('message', () => {
      if (++got === count) socket.send('done');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Spawns this file as a child process and waits for its port. */
export async function startFloodServer(): Promise<{ port: number; close(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`flood server exited (code ${code}) before listening`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  return {
    port,
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { port, close } = await serve();
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => void close().then(() => process.exit(0)));
}
