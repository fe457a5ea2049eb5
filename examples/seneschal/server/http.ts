/** Small HTTP helpers: bounded JSON bodies, JSON replies with CORS (the demo page is served from another origin). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorBody } from '@syncscope/protocols/seneschal';

export const MAX_BODY_BYTES = 1 << 20;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

export function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'bad-message', `body larger than ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', reject);
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(JSON.parse(text));
      } catch (error) {
        reject(new HttpError(400, 'bad-message', `body is not JSON: ${error instanceof Error ? error.message : String(error)}`));
      }
    });
  });
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'content-type, authorization',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
};

export function sendText(response: ServerResponse, status: number, contentType: string, text: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...CORS });
  response.end(text);
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  sendText(response, status, 'application/json', JSON.stringify(body));
}

export function sendError(response: ServerResponse, error: HttpError): void {
  const body: ErrorBody = { error: { code: error.code, message: error.message, ...(error.path ? { path: error.path } : {}) } };
  sendJson(response, error.status, body);
}

export function sendPreflight(response: ServerResponse): void {
  response.writeHead(204, CORS);
  response.end();
}
