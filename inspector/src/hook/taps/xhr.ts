/**
 * XMLHttpRequest: open/setRequestHeader/send are wrapped to learn the request; the response is read on `loadend`
 * through the accessor that matches the app's responseType (reading another one would throw in the app's object).
 */
import type { Capture, FramePart } from '../capture.ts';
import type { Patches } from '../patch.ts';
import { isBlob, type PayloadFields, resolveUrl, wirePayload } from '../payload.ts';
import { bodyPayload } from './fetch.ts';

interface XhrState {
  conn: string;
  method: string;
  url: string;
  headers: Record<string, string>;
}

export function tapXhr(g: typeof globalThis, capture: Capture, patches: Patches): void {
  const Native = g.XMLHttpRequest;
  if (typeof Native !== 'function') return;
  const proto = Native.prototype;
  const states = new WeakMap<XMLHttpRequest, XhrState>();
  const addListener = g.EventTarget.prototype.addEventListener;

  patches.method(proto, 'open', (target, self, args) => {
    const result = Reflect.apply(target, self, args);
    capture.guard('xhr', () =>
      states.set(self as XMLHttpRequest, {
        conn: capture.connId('xhr'),
        method: String(args[0]).toUpperCase(),
        url: resolveUrl(args[1]),
        headers: {},
      }),
    );
    return result;
  });

  patches.method(proto, 'setRequestHeader', (target, self, args) => {
    const result = Reflect.apply(target, self, args);
    const state = states.get(self as XMLHttpRequest);
    if (state) {
      const name = String(args[0]).toLowerCase();
      state.headers[name] = state.headers[name] === undefined ? String(args[1]) : `${state.headers[name]}, ${String(args[1])}`;
    }
    return result;
  });

  patches.method(proto, 'send', (target, self, args) => {
    const xhr = self as XMLHttpRequest;
    const state = capture.active ? states.get(xhr) : undefined;
    if (!state) return Reflect.apply(target, self, args);
    const base = { transport: 'http', conn: state.conn } as const;
    const meta = { url: state.url, method: state.method };
    let requested = false;
    const request = () => {
      if (requested) return;
      requested = true;
      const part: FramePart = { ...base, dir: 'out', kind: 'request', meta: { ...meta, headers: state.headers } };
      const body = args[0];
      const payload = typeof body === 'string' ? { text: body } : wirePayload(body);
      capture.emit(payload ? { ...part, ...payload } : part);
    };
    // Listen before sending: a synchronous request finishes inside send().
    addListener.call(xhr, 'loadend', () =>
      capture.guard('xhr', () => {
        request();
        if (xhr.status === 0)
          return capture.emit({ ...base, dir: 'in', kind: 'error', meta: { ...meta, error: 'network error, abort or timeout' } });
        const headers = parseHeaders(xhr.getAllResponseHeaders());
        const part: FramePart = {
          ...base,
          dir: 'in',
          kind: 'response',
          meta: { ...meta, status: xhr.status, statusText: xhr.statusText, headers },
        };
        const response = responsePayload(xhr, headers['content-type']);
        if (response instanceof Promise) {
          const complete = capture.reserve(part);
          response.then(complete, () => complete(undefined));
        } else capture.emit(response ? { ...part, ...response } : part);
      }),
    );
    const result = Reflect.apply(target, self, args);
    capture.guard('xhr', request);
    return result;
  });
}

function responsePayload(xhr: XMLHttpRequest, contentType: string | undefined): PayloadFields | Promise<PayloadFields> | undefined {
  switch (xhr.responseType) {
    case '':
    case 'text':
      return xhr.responseText ? { text: xhr.responseText } : undefined;
    case 'json':
      return xhr.response === null ? undefined : { json: xhr.response };
    case 'arraybuffer':
      return xhr.response ? wirePayload(xhr.response) : undefined;
    case 'blob':
      return isBlob(xhr.response) ? xhr.response.arrayBuffer().then((b) => bodyPayload(new Uint8Array(b), contentType)) : undefined;
    default:
      return undefined;
  }
}

function parseHeaders(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of raw.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}
