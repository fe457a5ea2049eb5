/**
 * fetch: the app gets the native promise and the native Response; the tap reads its own `clone()` of the body
 * (a tee), so the app's stream is neither consumed nor delayed. A streamed body (NDJSON, JSON lines, SSE) is
 * recorded as it arrives: response frames with meta.chunk true holding whole lines, then a last one without chunk.
 */
import type { Capture, FramePart } from '../capture.ts';
import type { Patches } from '../patch.ts';
import { bytesPayload, headersRecord, isBlob, isTextual, type PayloadFields, resolveUrl, wirePayload } from '../payload.ts';

const STREAMED = /ndjson|jsonl|json-seq|event-stream/i;

export interface FetchTapOptions {
  /** Bytes of a (non-streamed) body kept; the rest is cut and meta.truncated set. */
  maxBodyBytes?: number;
}

export function tapFetch(g: typeof globalThis, capture: Capture, patches: Patches, options: FetchTapOptions = {}): void {
  if (typeof g.fetch !== 'function') return;
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  patches.method(g, 'fetch', (target, self, args) => {
    const exchange = capture.active ? capture.guard('fetch', () => describe(args)) : undefined;
    const promise = Reflect.apply(target, self, args) as Promise<Response>;
    if (exchange) {
      capture.guard('fetch', () =>
        promise.then(
          (response) => capture.guard('fetch', () => onResponse(exchange, response)),
          (error: unknown) =>
            capture.emit({
              ...exchange.base,
              dir: 'in',
              kind: 'error',
              meta: { url: exchange.url, method: exchange.method, error: String(error) },
            }),
        ),
      );
    }
    return promise;
  });

  interface Exchange {
    base: Pick<FramePart, 'transport' | 'conn'>;
    url: string;
    method: string;
  }

  function describe(args: unknown[]): Exchange {
    const [input, init] = args as [RequestInfo | URL, RequestInit | undefined];
    const request = typeof Request !== 'undefined' && input instanceof Request ? input : undefined;
    const url = resolveUrl(request ? request.url : input);
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = headersRecord(new Headers(init?.headers ?? request?.headers));
    const exchange: Exchange = { base: { transport: 'http', conn: capture.connId('http') }, url, method };
    const part: FramePart = { ...exchange.base, dir: 'out', kind: 'request', meta: { url, method, headers } };
    const body = init?.body;
    if (body !== undefined && body !== null) {
      const payload = requestBody(body);
      if (payload) capture.emit({ ...part, ...payload });
      else if (isBlob(body)) {
        const complete = capture.reserve(part);
        body.arrayBuffer().then(
          (buffer) => complete(bodyPayload(new Uint8Array(buffer), headers['content-type'])),
          () => complete(undefined),
        );
      } else capture.emit({ ...part, meta: { ...part.meta, body: `not captured (${Object.prototype.toString.call(body)})` } });
    } else if (request?.body) {
      // Read a copy now: once fetch has run, the Request's own body is used.
      const complete = capture.reserve(part);
      request
        .clone()
        .arrayBuffer()
        .then(
          (buffer) => complete(bodyPayload(new Uint8Array(buffer), headers['content-type'])),
          () => complete(undefined),
        );
    } else capture.emit(part);
    return exchange;
  }

  function requestBody(body: unknown): PayloadFields | undefined {
    if (typeof body === 'string') return { text: body };
    if (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) return { text: body.toString() };
    return wirePayload(body);
  }

  function onResponse(exchange: Exchange, response: Response): void {
    const headers = headersRecord(response.headers);
    const contentType = headers['content-type'];
    const meta = {
      url: response.url || exchange.url,
      method: exchange.method,
      status: response.status,
      statusText: response.statusText,
      headers,
    };
    const part: FramePart = { ...exchange.base, dir: 'in', kind: 'response', meta };
    if (!response.body || response.bodyUsed) {
      capture.emit(part);
      return;
    }
    const reader = response.clone().body?.getReader();
    if (!reader) {
      capture.emit(part);
      return;
    }
    const fail = (error: unknown) => capture.emit({ ...part, meta: { ...meta, error: `body: ${String(error)}` } });
    if (contentType && STREAMED.test(contentType)) streamLines(reader, part).catch(fail);
    else
      readCapped(reader).then(({ bytes, truncated }) => {
        const payload = bodyPayload(bytes, contentType);
        capture.emit({ ...part, ...payload, ...(truncated ? { meta: { ...meta, truncated: true } } : {}) });
      }, fail);
  }

  async function streamLines(reader: ReadableStreamDefaultReader<Uint8Array>, part: FramePart): Promise<void> {
    const decoder = new TextDecoder();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += decoder.decode(value, { stream: true });
      const end = rest.lastIndexOf('\n');
      if (end >= 0 && capture.active) {
        capture.emit({ ...part, text: rest.slice(0, end + 1), meta: { ...part.meta, chunk: true } });
        rest = rest.slice(end + 1);
      }
    }
    rest += decoder.decode();
    capture.emit(rest ? { ...part, text: rest } : part);
  }

  async function readCapped(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<{ bytes: Uint8Array; truncated: boolean }> {
    const parts: Uint8Array[] = [];
    let length = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      length += value.byteLength;
      if (length > maxBody) {
        // Cancelling our branch of the tee leaves the app's branch running.
        reader.cancel().catch(() => {});
        break;
      }
    }
    const bytes = new Uint8Array(Math.min(length, maxBody));
    let offset = 0;
    for (const part of parts) {
      const take = Math.min(part.byteLength, bytes.length - offset);
      bytes.set(part.subarray(0, take), offset);
      offset += take;
      if (offset >= bytes.length) break;
    }
    return { bytes, truncated: length > maxBody };
  }
}

/** A body as text when its type is textual and it is valid UTF-8, otherwise as base64. */
export function bodyPayload(bytes: Uint8Array, contentType: string | undefined): PayloadFields {
  if (isTextual(contentType)) {
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), size: bytes.byteLength };
    } catch {
      // Not UTF-8 after all: keep the bytes.
    }
  }
  return bytesPayload(bytes);
}
