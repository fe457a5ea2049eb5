/**
 * HAR import and export. Chrome's DevTools writes WebSocket traffic into an entry's `_webSocketMessages`
 * ({type: send|receive, time in seconds, opcode 1 text | 2 binary as base64, data}); requests and responses
 * carry their bodies in postData and content. HAR is untrusted input: it is validated, and an entry that is not
 * usable is reported by index rather than failing the whole file.
 */
import { type RawFrame, safeStringify } from '@syncscope/protocols/core';
import { z } from 'zod';

const Header = z.object({ name: z.string(), value: z.string() });

const WebSocketMessage = z.object({
  type: z.enum(['send', 'receive']),
  time: z.number(),
  opcode: z.number().int(),
  data: z.string(),
});

const HarEntry = z.looseObject({
  startedDateTime: z.string(),
  time: z.number().optional(),
  _resourceType: z.string().optional(),
  request: z.looseObject({
    method: z.string(),
    url: z.string(),
    headers: z.array(Header).default([]),
    postData: z.looseObject({ mimeType: z.string().optional(), text: z.string().optional(), encoding: z.string().optional() }).optional(),
  }),
  response: z.looseObject({
    status: z.number().int(),
    statusText: z.string().optional(),
    headers: z.array(Header).default([]),
    content: z
      .looseObject({
        size: z.number().optional(),
        mimeType: z.string().optional(),
        text: z.string().optional(),
        encoding: z.string().optional(),
      })
      .optional(),
  }),
  _webSocketMessages: z.array(WebSocketMessage).optional(),
});
type HarEntry = z.infer<typeof HarEntry>;

const Har = z.object({ log: z.looseObject({ version: z.string().optional(), entries: z.array(z.unknown()) }) });

export interface HarImport {
  frames: RawFrame[];
  /** Entries that could not be read, with their index in log.entries and why. */
  errors: Array<{ entry: number; reason: string }>;
}

const headerRecord = (headers: ReadonlyArray<{ name: string; value: string }>) =>
  Object.fromEntries(headers.map((h) => [h.name.toLowerCase(), h.value]));

/** Reads a HAR document (already parsed JSON). Throws only when the document is not HAR at all. */
export function importHar(document: unknown): HarImport {
  const parsed = Har.safeParse(document);
  if (!parsed.success) throw new Error('not a HAR file: expected {"log": {"entries": [...]}}');
  const unsorted: Array<Omit<RawFrame, 'seq'>> = [];
  const errors: HarImport['errors'] = [];
  parsed.data.log.entries.forEach((raw, index) => {
    const entry = HarEntry.safeParse(raw);
    if (!entry.success) {
      const issue = entry.error.issues[0];
      errors.push({ entry: index, reason: `${issue?.path.join('.') || 'entry'}: ${issue?.message ?? 'invalid'}` });
      return;
    }
    const started = Date.parse(entry.data.startedDateTime);
    if (Number.isNaN(started)) {
      errors.push({ entry: index, reason: `startedDateTime "${entry.data.startedDateTime}" is not a date` });
      return;
    }
    if (entry.data._webSocketMessages !== undefined || entry.data._resourceType === 'websocket') {
      unsorted.push(...webSocketFrames(entry.data, index, started));
    } else {
      unsorted.push(...httpFrames(entry.data, index, started));
    }
  });
  // HAR lists entries by start time; their WebSocket messages interleave, so order everything by time.
  const ordered = unsorted.map((frame, i) => ({ frame, i })).sort((a, b) => a.frame.t - b.frame.t || a.i - b.i);
  return { frames: ordered.map(({ frame }, seq) => ({ seq, ...frame }) as RawFrame), errors };
}

function webSocketFrames(entry: HarEntry, index: number, started: number): Array<Omit<RawFrame, 'seq'>> {
  const conn = `har-ws-${index}`;
  const responseHeaders = headerRecord(entry.response.headers);
  const subprotocol = responseHeaders['sec-websocket-protocol'];
  const url = entry.request.url;
  const frames: Array<Omit<RawFrame, 'seq'>> = [
    { t: started, transport: 'websocket', conn, dir: 'out', kind: 'open', meta: { url, ...(subprotocol ? { subprotocol } : {}) } },
  ];
  for (const message of entry._webSocketMessages ?? []) {
    const payload = message.opcode === 2 ? { b64: message.data } : { text: message.data };
    frames.push({
      t: message.time * 1000,
      transport: 'websocket',
      conn,
      dir: message.type === 'send' ? 'out' : 'in',
      kind: 'message',
      ...payload,
      meta: { url },
    });
  }
  return frames;
}

function httpFrames(entry: HarEntry, index: number, started: number): Array<Omit<RawFrame, 'seq'>> {
  const conn = `har-http-${index}`;
  const { request, response } = entry;
  const requestBody = request.postData?.text;
  const content = response.content;
  const responseBody = content?.text;
  const base = { transport: 'http' as const, conn };
  return [
    {
      ...base,
      t: started,
      dir: 'out',
      kind: 'request',
      ...(requestBody === undefined ? {} : request.postData?.encoding === 'base64' ? { b64: requestBody } : { text: requestBody }),
      meta: { url: request.url, method: request.method, headers: headerRecord(request.headers) },
    },
    {
      ...base,
      t: started + (entry.time ?? 0),
      dir: 'in',
      kind: 'response',
      ...(responseBody === undefined ? {} : content?.encoding === 'base64' ? { b64: responseBody } : { text: responseBody }),
      meta: {
        url: request.url,
        method: request.method,
        status: response.status,
        ...(response.statusText ? { statusText: response.statusText } : {}),
        headers: headerRecord(response.headers),
      },
    },
  ];
}

export interface HarExport {
  har: { log: { version: string; creator: { name: string; version: string }; entries: unknown[] } };
  /** Frames HAR has no place for (BroadcastChannel, worker, IndexedDB, OPFS): exported as a session file instead. */
  skipped: number;
}

const toHeaders = (headers: Record<string, string> | undefined) => Object.entries(headers ?? {}).map(([name, value]) => ({ name, value }));

function bodyOf(frame: RawFrame): { text?: string; encoding?: 'base64' } {
  if (frame.text !== undefined) return { text: frame.text };
  if (frame.b64 !== undefined) return { text: frame.b64, encoding: 'base64' };
  if (frame.json !== undefined) return { text: safeStringify(frame.json) };
  return {};
}

/** Writes a session as HAR 1.2 the way Chrome does, so Chrome-reading tools open it. */
export function exportHar(frames: readonly RawFrame[]): HarExport {
  const byConn = new Map<string, RawFrame[]>();
  let skipped = 0;
  for (const frame of frames) {
    if (frame.transport !== 'websocket' && frame.transport !== 'http') {
      skipped++;
      continue;
    }
    const list = byConn.get(frame.conn) ?? [];
    list.push(frame);
    byConn.set(frame.conn, list);
  }
  const entries: Array<{ started: number; entry: unknown }> = [];
  for (const list of byConn.values()) {
    const first = list[0] as RawFrame;
    if (first.transport === 'websocket') {
      const url = list.find((f) => f.meta?.url)?.meta?.url ?? `ws://unknown/${first.conn}`;
      const subprotocol = list.find((f) => f.meta?.subprotocol)?.meta?.subprotocol;
      entries.push({
        started: first.t,
        entry: {
          startedDateTime: new Date(first.t).toISOString(),
          time: (list.at(-1) as RawFrame).t - first.t,
          _resourceType: 'websocket',
          request: { method: 'GET', url, httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
          response: {
            status: 101,
            statusText: 'Switching Protocols',
            httpVersion: 'HTTP/1.1',
            headers: subprotocol ? [{ name: 'Sec-WebSocket-Protocol', value: subprotocol }] : [],
            cookies: [],
            content: { size: 0, mimeType: 'x-unknown' },
            redirectURL: '',
            headersSize: -1,
            bodySize: 0,
          },
          cache: {},
          timings: { send: 0, wait: 0, receive: 0 },
          _webSocketMessages: list
            .filter((f) => f.kind === 'message')
            .map((f) => ({
              type: f.dir === 'out' ? 'send' : 'receive',
              time: f.t / 1000,
              opcode: f.b64 !== undefined ? 2 : 1,
              data: f.b64 ?? f.text ?? safeStringify(f.json),
            })),
        },
      });
      continue;
    }
    // An http connection holds request/response pairs in order.
    for (let i = 0; i < list.length; i++) {
      const request = list[i] as RawFrame;
      if (request.kind !== 'request') continue;
      const response = list.slice(i + 1).find((f) => f.kind === 'response');
      const reqBody = bodyOf(request);
      const resBody = response ? bodyOf(response) : {};
      entries.push({
        started: request.t,
        entry: {
          startedDateTime: new Date(request.t).toISOString(),
          time: response ? response.t - request.t : 0,
          request: {
            method: request.meta?.method ?? 'GET',
            url: request.meta?.url ?? '',
            httpVersion: 'HTTP/1.1',
            headers: toHeaders(request.meta?.headers),
            queryString: [],
            cookies: [],
            headersSize: -1,
            bodySize: reqBody.text?.length ?? 0,
            ...(reqBody.text !== undefined
              ? { postData: { mimeType: request.meta?.headers?.['content-type'] ?? 'application/octet-stream', ...reqBody } }
              : {}),
          },
          response: {
            status: response?.meta?.status ?? 0,
            statusText: response?.meta?.statusText ?? '',
            httpVersion: 'HTTP/1.1',
            headers: toHeaders(response?.meta?.headers),
            cookies: [],
            content: { size: resBody.text?.length ?? 0, mimeType: response?.meta?.headers?.['content-type'] ?? 'x-unknown', ...resBody },
            redirectURL: '',
            headersSize: -1,
            bodySize: resBody.text?.length ?? 0,
          },
          cache: {},
          timings: { send: 0, wait: response ? response.t - request.t : 0, receive: 0 },
        },
      });
    }
  }
  entries.sort((a, b) => a.started - b.started);
  return {
    har: { log: { version: '1.2', creator: { name: 'syncscope', version: '0.1.0' }, entries: entries.map((e) => e.entry) } },
    skipped,
  };
}
