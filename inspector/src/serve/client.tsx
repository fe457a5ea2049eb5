/**
 * The standalone page's script: a PanelSession fed by the server's WebSocket (frames of remote sinks, already
 * validated there and validated again here, since the page trusts nobody), plus a session file named in the URL
 * (?session=name) fetched from the server. Drag and drop and the file picker work as in every shell.
 */
import { BRIDGE_VERSION, eventFromJson, type PanelToRemote, parseMessage, RemoteToPanel, SOURCE } from '../bridge/index.ts';
import { mountPanel, PanelSession } from '../panel/index.tsx';

type Theme = 'light' | 'dark' | 'auto';

const params = new URLSearchParams(location.search);
const theme = (['light', 'dark'].includes(params.get('theme') ?? '') ? params.get('theme') : 'auto') as Theme;
let socket: WebSocket | undefined;

const live = params.get('live') !== '0';
const session = new PanelSession(
  live
    ? {
        send: (command) => {
          const message: PanelToRemote = { source: SOURCE.panel, v: BRIDGE_VERSION, command };
          if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
        },
      }
    : {},
);
(globalThis as { syncscope?: unknown }).syncscope = { session };

function connect(attempt = 0): void {
  const url = new URL('/panel', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  socket = new WebSocket(url);
  socket.addEventListener('open', () => session.setConnected(true));
  socket.addEventListener('message', (event) => {
    let data: unknown;
    try {
      data = JSON.parse(String(event.data));
    } catch {
      return;
    }
    const parsed = parseMessage(RemoteToPanel, data);
    if (!parsed.ok) {
      session.lastError = `ignored a bad message from the server: ${parsed.error}`;
      return;
    }
    session.origin = parsed.message.client;
    session.accept(eventFromJson(parsed.message.event));
  });
  socket.addEventListener('close', () => {
    session.setConnected(false);
    // Reconnect with a bounded back-off: the server may restart while the page stays open.
    setTimeout(() => connect(attempt + 1), Math.min(5000, 250 * 2 ** attempt));
  });
}

async function loadNamedSession(name: string): Promise<void> {
  const response = await fetch(`/sessions/${encodeURIComponent(name)}`);
  if (!response.ok) {
    session.lastError = `session ${name}: ${response.status} ${response.statusText}`;
    return;
  }
  const { importFile, importSessionStream } = await import('../panel/files.ts');
  if (/\.har$/i.test(name) || !response.body) {
    const outcome = await importFile(session.store, new File([await response.blob()], name), () => {});
    if (!outcome.ok) session.lastError = outcome.error;
  } else {
    // Parsed as it downloads: a big recording lists while the rest is still arriving.
    try {
      await importSessionStream(session.store, response.body, name, Number(response.headers.get('content-length')) || 0, () => {});
    } catch (error) {
      session.store.clear();
      session.lastError = error instanceof Error ? error.message : String(error);
    }
  }
  if (session.live) session.setRecording(false);
}

const root = document.getElementById('app') as HTMLElement;
mountPanel(root, session, { theme, title: 'syncscope' });
const named = params.get('session');
if (named) void loadNamedSession(named);
if (live) connect();
