/** Small HTTP helpers: bounded JSON bodies, JSON answers, protocol-level errors, and CORS for the demo page. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorBody } from './deps.ts';

export const MAX_BODY_BYTES = 1_000_000;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: Array<string | number>,
  ) {
    super(message);
  }
}

export const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, content-type, x-client-id',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
};

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify(value);
  res.writeHead(status, { ...CORS_HEADERS, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  const body: ErrorBody = { error: { code: error.code, message: error.message, ...(error.path ? { path: error.path } : {}) } };
  sendJson(res, error.status, body);
}

/** The request body parsed as JSON, or an HttpError saying why not (too big, not JSON). */
export function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES && !failed) {
        failed = true;
        reject(new HttpError(413, 'too-large', `the body exceeds ${MAX_BODY_BYTES} bytes`));
        req.resume();
      } else if (!failed) chunks.push(chunk);
    });
    req.on('error', (error) => {
      if (!failed) reject(new HttpError(400, 'bad-request', error.message));
    });
    req.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(JSON.parse(text));
      } catch (thrown) {
        reject(new HttpError(400, 'bad-json', `the body is not JSON: ${thrown instanceof Error ? thrown.message : 'parse error'}`));
      }
    });
  });
}
