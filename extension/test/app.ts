/**
 * A tiny app for the extension tests: an HTML page that opens a WebSocket to its own server and a ws server that
 * answers each JSON message with an acknowledgement. Until the reference engines' demos are wired into these tests,
 * this is the page whose traffic the panel must show.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>syncscope test app</title></head>
<body><h1>test app</h1><ul id="log"></ul>
<script>
  // The socket opens at DOMContentLoaded, after module scripts (such as one mounting the overlay) have run.
  const received = [];
  let socket;
  let opened;
  window.app = { ready: new Promise((resolve) => (opened = resolve)), send: (value) => socket.send(JSON.stringify(value)), received };
  const start = () => {
    socket = new WebSocket('ws://' + location.host + '/sync');
    socket.addEventListener('open', opened);
    socket.addEventListener('message', (e) => {
      received.push(e.data);
      const li = document.createElement('li');
      li.textContent = e.data;
      document.getElementById('log').append(li);
    });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
</script></body></html>`;

export interface TestAppOptions {
  /** Extra files served as they are (path -> content type and body), e.g. a bundled overlay. */
  files?: Map<string, { type: string; body: string }>;
  /** HTML inserted before the app's script (e.g. a module that mounts the overlay first). */
  head?: string;
}

export interface TestApp {
  url: string;
  /** Every path requested from the server, in order (a test can check that nothing fetched a path it planted). */
  requests: string[];
  close(): Promise<void>;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const page = options.head ? PAGE.replace('<body>', `<body>${options.head}`) : PAGE;
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.url === '/' || request.url?.startsWith('/?')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(page);
      return;
    }
    const file = options.files?.get(request.url ?? '');
    if (file) {
      response.writeHead(200, { 'content-type': file.type });
      response.end(file.body);
      return;
    }
    response.writeHead(404);
    response.end();
  });
  const wss = new WebSocketServer({ server, path: '/sync' });
  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ type: 'hello', server: 'test-app' }));
    ws.on('message', (data) => {
      let value: unknown;
      try {
        value = JSON.parse(String(data));
      } catch {
        value = String(data);
      }
      ws.send(JSON.stringify({ type: 'ack', of: value }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((r) => wss.close(r));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
