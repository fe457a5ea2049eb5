/**
 * The `ws` package's client WebSocket, tapped on its prototype: `send` (recorded once the native call accepted it
 * on an open socket) and `emit` (open, message, close and error as the app's listeners get them). The class and
 * its instances are untouched otherwise; server-side sockets and sockets marked with `ignoreSocket` are skipped.
 */
import type { Capture } from '../hook/capture.ts';
import type { Patches } from '../hook/patch.ts';
import { bytesPayload } from '../hook/payload.ts';

interface WsLike {
  url?: string;
  protocol?: string;
  readyState?: number;
  _isServer?: boolean;
}

export type WsClass = { prototype: object };

const ignored = new WeakSet<object>();

/** The remote sink's own socket must not record itself. */
export function ignoreSocket(socket: object): void {
  ignored.add(socket);
}

export function tapWsClass(WebSocket: WsClass, capture: Capture, patches: Patches): void {
  const conns = new WeakMap<object, string>();
  const open = new Set<WsLike>();
  const connOf = (ws: WsLike) => {
    let conn = conns.get(ws);
    if (!conn) {
      conn = capture.connId('ws');
      conns.set(ws, conn);
    }
    return conn;
  };
  const skip = (ws: WsLike | undefined) => !ws || ws._isServer === true || ignored.has(ws);
  const openFrame = (ws: WsLike, late: boolean) =>
    capture.emit({
      transport: 'websocket',
      conn: connOf(ws),
      dir: 'out',
      kind: 'open',
      meta: { url: ws.url, ...(ws.protocol ? { subprotocol: ws.protocol } : {}), ...(late ? { late: true } : {}) },
    });

  patches.method(WebSocket.prototype, 'send', (target, self, args) => {
    const ws = self as WsLike;
    const wasOpen = ws?.readyState === 1;
    const result = Reflect.apply(target, self, args);
    if (wasOpen && capture.active && !skip(ws)) {
      capture.guard('ws', () => {
        const [data, options] = args as [unknown, { binary?: boolean } | undefined];
        const binary =
          typeof options === 'object' && options !== null && options.binary !== undefined ? options.binary : typeof data !== 'string';
        capture.emit({ transport: 'websocket', conn: connOf(ws), dir: 'out', kind: 'message', ...payloadOf(data, binary) });
      });
    }
    return result;
  });

  // `emit` lives on EventEmitter.prototype; an own wrapper on the class's prototype shadows it for sockets only.
  const proto = WebSocket.prototype as { emit?: unknown };
  if (!Object.hasOwn(proto, 'emit')) {
    const inherited = proto.emit as (...args: unknown[]) => boolean;
    Object.defineProperty(proto, 'emit', { value: inherited, writable: true, configurable: true, enumerable: false });
    patches.onUndo(() => {
      delete (proto as { emit?: unknown }).emit;
    });
  }
  patches.method(proto, 'emit', (target, self, args) => {
    const ws = self as WsLike;
    if (!skip(ws)) capture.guard('ws', () => observe(ws, args));
    return Reflect.apply(target, self, args);
  });

  function observe(ws: WsLike, [event, a, b]: unknown[]): void {
    if (event === 'open') open.add(ws);
    if (event === 'close') open.delete(ws);
    if (!capture.active) return;
    const conn = connOf(ws);
    if (event === 'open') openFrame(ws, false);
    else if (event === 'message') capture.emit({ transport: 'websocket', conn, dir: 'in', kind: 'message', ...payloadOf(a, b === true) });
    else if (event === 'close') {
      const reason = typeof b === 'string' ? b : b instanceof Uint8Array ? new TextDecoder().decode(b) : '';
      capture.emit({ transport: 'websocket', conn, dir: 'in', kind: 'close', meta: { url: ws.url, code: Number(a), reason } });
    } else if (event === 'error') {
      capture.emit({
        transport: 'websocket',
        conn,
        dir: 'in',
        kind: 'error',
        meta: { url: ws.url, error: String((a as Error)?.message ?? a) },
      });
    }
  }

  capture.onActivate(() => {
    for (const ws of open) openFrame(ws, true);
  });
}

/** ws hands messages over as a Buffer, an ArrayBuffer or Buffer fragments, with a separate isBinary flag. */
function payloadOf(data: unknown, binary: boolean) {
  let bytes: Uint8Array | undefined;
  if (typeof data === 'string') return binary ? bytesPayload(new TextEncoder().encode(data)) : { text: data };
  if (Array.isArray(data)) {
    const parts = data as Uint8Array[];
    bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.byteLength;
    }
  } else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else bytes = new TextEncoder().encode(String(data));
  return binary ? bytesPayload(bytes) : { text: new TextDecoder().decode(bytes) };
}
