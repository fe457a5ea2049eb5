/**
 * The client's network, instrumented: every HTTP exchange and WebSocket frame is reported to an `onFrame` observer
 * as a frame (the project's conventions: one conn per exchange or socket; streamed NDJSON as chunk frames of whole
 * lines), with secrets (password, token, Authorization) already replaced by "[redacted]".
 */
import type { RawFrame } from '@syncscope/protocols/core';

export type FrameInput = Omit<RawFrame, 'seq' | 't'> & { t?: number };
export type FrameObserver = (frame: FrameInput) => void;

export const REDACTED = '[redacted]';

/** The subset of the WebSocket API both the browser's and the `ws` package's sockets have. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: any) => void): void;
}
export type SocketFactory = (url: string) => SocketLike;

function redactJson(text: string, fields: readonly string[]): { text: string; redacted: string[] } {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (typeof value !== 'object' || value === null) return { text, redacted: [] };
    const redacted = fields.filter((f) => typeof value[f] === 'string');
    if (!redacted.length) return { text, redacted };
    return { text: JSON.stringify({ ...value, ...Object.fromEntries(redacted.map((f) => [f, REDACTED])) }), redacted };
  } catch {
    return { text, redacted: [] };
  }
}

const SECRET_FIELDS = ['password', 'token'];

export class Wire {
  private next = 0;
  /** Tells this client instance's connections from those of an earlier instance with the same client id. */
  private readonly instance = Math.random().toString(36).slice(2, 6);

  constructor(
    private readonly clientId: string,
    private readonly observe: FrameObserver | undefined,
  ) {}

  private connId(kind: string): string {
    this.next += 1;
    return `${this.clientId}:${this.instance}:${kind}${this.next}`;
  }

  private emit(frame: FrameInput): void {
    try {
      this.observe?.(frame);
    } catch {
      // An observer's failure must not break the client.
    }
  }

  /**
   * A request, reported as request and response frames. NDJSON responses are read as a stream: each piece of
   * whole lines is reported as it arrives (meta.chunk) and the body text is returned whole.
   */
  async request(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string },
  ): Promise<{ status: number; text: string }> {
    const conn = this.connId('http');
    const headers = { ...init.headers };
    const redacted: string[] = [];
    if (headers.authorization) {
      headers.authorization = REDACTED;
      redacted.push('authorization');
    }
    let body: string | undefined;
    if (init.body !== undefined) {
      const r = redactJson(init.body, SECRET_FIELDS);
      body = r.text;
      redacted.push(...r.redacted);
    }
    this.emit({
      transport: 'http',
      conn,
      dir: 'out',
      kind: 'request',
      ...(body !== undefined ? { text: body } : {}),
      meta: { url, method: init.method, headers, ...(redacted.length ? { redacted } : {}) },
    });
    let response: Response;
    try {
      response = await fetch(url, { method: init.method, headers: init.headers, ...(init.body !== undefined ? { body: init.body } : {}) });
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown.message : String(thrown);
      this.emit({ transport: 'http', conn, dir: 'in', kind: 'error', meta: { url, method: init.method, error } });
      throw thrown;
    }
    const contentType = response.headers.get('content-type') ?? '';
    const meta = { url, method: init.method, status: response.status, headers: { 'content-type': contentType } };
    if (contentType.includes('ndjson') && response.body) {
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let text = '';
      let pending = '';
      let partial = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        partial += decoder.decode(value, { stream: true });
        const cut = partial.lastIndexOf('\n') + 1;
        if (cut === 0) continue;
        // The previous piece is known not to be the last only now: report it as a chunk.
        if (pending) this.emit({ transport: 'http', conn, dir: 'in', kind: 'response', text: pending, meta: { ...meta, chunk: true } });
        pending = partial.slice(0, cut);
        text += pending;
        partial = partial.slice(cut);
      }
      partial += decoder.decode();
      text += partial;
      this.emit({ transport: 'http', conn, dir: 'in', kind: 'response', text: pending + partial, meta });
      return { status: response.status, text };
    }
    const text = await response.text();
    const r = redactJson(text, SECRET_FIELDS);
    this.emit({
      transport: 'http',
      conn,
      dir: 'in',
      kind: 'response',
      ...(text ? { text: r.text } : {}),
      meta: { ...meta, ...(r.redacted.length ? { redacted: r.redacted } : {}) },
    });
    return { status: response.status, text };
  }

  /** A socket whose every frame is reported; `send` redacts the handshake token in the report only. */
  socket(factory: SocketFactory, url: string): { socket: SocketLike; send(text: string): void } {
    const conn = this.connId('ws');
    this.emit({ transport: 'websocket', conn, dir: 'out', kind: 'open', meta: { url } });
    const socket = factory(url);
    socket.addEventListener('message', (event: { data: unknown }) => {
      const data = event.data;
      const text = typeof data === 'string' ? data : data instanceof ArrayBuffer ? new TextDecoder().decode(data) : String(data);
      this.emit({ transport: 'websocket', conn, dir: 'in', kind: 'message', text });
    });
    socket.addEventListener('close', (event: { code?: number; reason?: string }) => {
      this.emit({
        transport: 'websocket',
        conn,
        dir: 'in',
        kind: 'close',
        meta: { code: event.code ?? 1006, reason: String(event.reason ?? '') },
      });
    });
    socket.addEventListener('error', (event: { message?: string }) => {
      this.emit({ transport: 'websocket', conn, dir: 'in', kind: 'error', meta: { error: event.message ?? 'socket error' } });
    });
    return {
      socket,
      send: (text: string) => {
        const r = redactJson(text, ['token']);
        this.emit({
          transport: 'websocket',
          conn,
          dir: 'out',
          kind: 'message',
          text: r.text,
          ...(r.redacted.length ? { meta: { redacted: r.redacted } } : {}),
        });
        socket.send(text);
      },
    };
  }
}
