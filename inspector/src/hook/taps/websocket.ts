/**
 * WebSocket: the constructor becomes a Proxy whose construct trap adds the tap's listeners to each new socket
 * before the app can add any (so the app's own listener order is untouched), and `send` is wrapped to record what
 * the native `send` accepted and put on the wire — a send that throws (before open) throws exactly as without
 * the tap, and one after close (which the browser drops) is not recorded.
 */
import type { Capture } from '../capture.ts';
import type { Patches } from '../patch.ts';
import { isBlob, wirePayload } from '../payload.ts';

export function tapWebSocket(g: typeof globalThis, capture: Capture, patches: Patches): void {
  const Native = g.WebSocket;
  if (typeof Native !== 'function') return;
  const addListener = g.EventTarget.prototype.addEventListener;
  const conns = new WeakMap<WebSocket, string>();
  const open = new Set<WebSocket>();

  const frameOpen = (ws: WebSocket, conn: string, late: boolean) =>
    capture.emit({
      transport: 'websocket',
      conn,
      dir: 'out',
      kind: 'open',
      meta: { url: ws.url, ...(ws.protocol ? { subprotocol: ws.protocol } : {}), ...(late ? { late: true } : {}) },
    });

  const message = (conn: string, dir: 'in' | 'out', data: unknown) => {
    // Text, the common case, as one object literal: this runs for every message of every socket.
    if (typeof data === 'string') return capture.emit({ transport: 'websocket', conn, dir, kind: 'message', text: data });
    const part = { transport: 'websocket', conn, dir, kind: 'message' } as const;
    const payload = wirePayload(data);
    if (payload) return capture.emit({ ...part, ...payload });
    if (isBlob(data)) {
      const complete = capture.reserve(part);
      data.arrayBuffer().then(
        (buffer) => complete(wirePayload(buffer)),
        () => complete(undefined),
      );
    }
  };

  const attach = (ws: WebSocket) => {
    const conn = capture.connId('ws');
    conns.set(ws, conn);
    const on = (type: string, run: (event: Event) => void) =>
      addListener.call(ws, type, (event: Event) => {
        if (capture.active) capture.guard('websocket', () => run(event));
      });
    addListener.call(ws, 'open', () => open.add(ws));
    addListener.call(ws, 'close', () => open.delete(ws));
    on('open', () => frameOpen(ws, conn, false));
    // Not through `on`: no closure per message, and the message is read only while capture is active.
    addListener.call(ws, 'message', (event: Event) => {
      if (!capture.active) return;
      try {
        message(conn, 'in', (event as MessageEvent).data);
      } catch (thrown) {
        capture.report('websocket', thrown);
      }
    });
    on('error', () => capture.emit({ transport: 'websocket', conn, dir: 'in', kind: 'error', meta: { url: ws.url } }));
    on('close', (event) => {
      const { code, reason, wasClean } = event as CloseEvent;
      capture.emit({ transport: 'websocket', conn, dir: 'in', kind: 'close', meta: { url: ws.url, code, reason, wasClean } });
    });
  };

  patches.constructor_(g, 'WebSocket', (target, args, newTarget) => {
    const ws = Reflect.construct(target, args, newTarget) as WebSocket;
    capture.guard('websocket', () => attach(ws));
    return ws;
  });

  patches.method(Native.prototype, 'send', (target, self, args) => {
    // Only a send on an open socket reaches the wire; after close the browser drops it silently.
    const wasOpen = (self as WebSocket | undefined)?.readyState === 1;
    const result = Reflect.apply(target, self, args);
    const conn = capture.active && wasOpen ? conns.get(self as WebSocket) : undefined;
    if (conn) capture.guard('websocket', () => message(conn, 'out', args[0]));
    return result;
  });

  // Sockets opened while nobody listened are announced when someone starts, so their URL is known.
  capture.onActivate(() => {
    for (const ws of open) {
      const conn = conns.get(ws);
      if (conn) frameOpen(ws, conn, true);
    }
  });
}
