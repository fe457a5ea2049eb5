/**
 * The S3 subset over node:http (path-style URLs): PUT / GET / HEAD object and ListObjectsV2. Every inbound
 * request is checked with the protocol's schemas; anything wrong gets an S3 error document naming what and
 * where, and no request can take the process down. Clients may only PUT updates into user areas of this app's
 * data set; the shared area and snapshots are written by the server (promoter, roll-up).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  areaOf,
  errorToXml,
  IMMUTABLE_CACHE_CONTROL,
  isUserMetaHeader,
  ListRequest,
  listedObject,
  listResultToXml,
  parseUpdateKey,
  SHARED_AREA,
  SNAPSHOT_AREA,
  Update,
} from '@syncscope/protocols/updatelog';
import type { LogService } from './log-service.ts';
import type { FileObjectStore } from './object-store.ts';

export const MAX_BODY_BYTES = 256 * 1024;
const MAX_KEY_LENGTH = 512;
const EXPOSED = [
  'ETag',
  'Cache-Control',
  'Last-Modified',
  'x-amz-meta-made-at',
  'x-amz-meta-restamped',
  'x-amz-meta-validation',
  'x-amz-meta-source-key',
];

class S3Failure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface S3HandlerOptions {
  store: FileObjectStore;
  log: LogService<unknown>;
  autoPromote: boolean;
}

export function createS3Handler(options: S3HandlerOptions) {
  const { store, log } = options;
  let requestCount = 0;

  const keyLocks = new Map<string, Promise<unknown>>();
  async function withKeyLock<T>(key: string, job: () => Promise<T>): Promise<T> {
    const previous = keyLocks.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(job);
    keyLocks.set(key, run);
    try {
      return await run;
    } finally {
      if (keyLocks.get(key) === run) keyLocks.delete(key);
    }
  }

  return async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = `req-${++requestCount}`;
    response.setHeader('Access-Control-Allow-Origin', '*');
    response.setHeader('Access-Control-Expose-Headers', EXPOSED.join(', '));
    response.setHeader('x-amz-request-id', requestId);
    let resource = request.url ?? '/';
    try {
      const url = new URL(request.url ?? '/', 'http://local.invalid');
      resource = url.pathname;
      const method = request.method ?? 'GET';
      if (method === 'OPTIONS') {
        response.writeHead(204, {
          'Access-Control-Allow-Methods': 'GET, PUT, HEAD, POST',
          'Access-Control-Allow-Headers':
            'content-type, if-none-match, authorization, x-amz-date, x-amz-content-sha256, x-amz-security-token',
          'Access-Control-Max-Age': '600',
        });
        response.end();
        return;
      }
      if (url.pathname === '/_updatelog/rollup' && method === 'POST') {
        const key = await log.rollup();
        return sendJson(response, 200, { snapshot: key ?? null });
      }
      if (url.pathname === '/_updatelog/health') return sendJson(response, 200, { ok: true, errors: log.errors });
      const [bucket, key] = splitPath(url.pathname);
      if (bucket !== store.bucket) throw new S3Failure(404, 'NoSuchBucket', `The specified bucket does not exist: ${bucket || '(none)'}`);
      if (!key) {
        if (method !== 'GET') throw new S3Failure(405, 'MethodNotAllowed', `${method} on a bucket is not supported; use GET ?list-type=2`);
        return listObjects(url, response);
      }
      if (key.length > MAX_KEY_LENGTH) throw new S3Failure(400, 'KeyTooLongError', `keys are at most ${MAX_KEY_LENGTH} characters`);
      if (method === 'GET' || method === 'HEAD') return await getObject(request, response, key, method === 'HEAD');
      if (method === 'PUT') return await putObject(request, response, key);
      throw new S3Failure(405, 'MethodNotAllowed', `${method} is not part of the S3 subset (PUT, GET, HEAD, ListObjectsV2)`);
    } catch (thrown) {
      const failure =
        thrown instanceof S3Failure
          ? thrown
          : new S3Failure(500, 'InternalError', thrown instanceof Error ? thrown.message : 'internal error');
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const body = errorToXml({ Code: failure.code, Message: failure.message, Resource: resource, RequestId: requestId });
      response.writeHead(failure.status, { 'Content-Type': 'application/xml' });
      response.end(request.method === 'HEAD' ? undefined : body);
    }
  };

  function listObjects(url: URL, response: ServerResponse): void {
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = value;
    if (query['list-type'] === undefined) throw new S3Failure(400, 'InvalidArgument', 'only ListObjectsV2 is supported: add list-type=2');
    const checked = ListRequest.safeParse(query);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new S3Failure(400, 'InvalidArgument', `${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}`);
    }
    const params = checked.data;
    const maxKeys = params['max-keys'] ?? 1000;
    let after = params['start-after'];
    const token = params['continuation-token'];
    if (token !== undefined) {
      const decoded = Buffer.from(token, 'base64url').toString('utf8');
      if (!decoded.startsWith('k:')) throw new S3Failure(400, 'InvalidArgument', 'continuation-token: not a token this server issued');
      after = decoded.slice(2);
    }
    const page = store.list(params.prefix, after, maxKeys);
    const lastKey = page.keys.at(-1)?.key;
    const xml = listResultToXml({
      Name: store.bucket,
      Prefix: params.prefix,
      ...(params['start-after'] !== undefined ? { StartAfter: params['start-after'] } : {}),
      ...(token !== undefined ? { ContinuationToken: token } : {}),
      ...(page.truncated && lastKey ? { NextContinuationToken: Buffer.from(`k:${lastKey}`).toString('base64url') } : {}),
      KeyCount: page.keys.length,
      MaxKeys: maxKeys,
      IsTruncated: page.truncated,
      Contents: page.keys.map((info) => listedObject(info.key, info.size, info.etag, info.lastModified)),
    });
    response.writeHead(200, { 'Content-Type': 'application/xml' });
    response.end(xml);
  }

  async function getObject(request: IncomingMessage, response: ServerResponse, key: string, headOnly: boolean): Promise<void> {
    const object = headOnly ? store.head(key) : await store.get(key);
    if (!object) throw new S3Failure(404, 'NoSuchKey', `The specified key does not exist: ${key}`);
    const headers: Record<string, string> = {
      ETag: object.etag,
      'Last-Modified': object.lastModified.toUTCString(),
      'Content-Type': object.contentType,
      'Content-Length': String(object.size),
      ...object.meta,
    };
    if (object.cacheControl) headers['Cache-Control'] = object.cacheControl;
    if (request.headers['if-none-match'] === object.etag) {
      response.writeHead(304, headers);
      response.end();
      return;
    }
    response.writeHead(200, headers);
    response.end(headOnly || !('body' in object) ? undefined : (object as { body: Buffer }).body);
  }

  async function putObject(request: IncomingMessage, response: ServerResponse, key: string): Promise<void> {
    const parts = parseUpdateKey(key);
    const area = areaOf(key);
    if (area === SHARED_AREA || area === SNAPSHOT_AREA) {
      throw new S3Failure(403, 'AccessDenied', `the ${area} area is written by the server (promoter / roll-up), not by clients`);
    }
    if (!parts) throw new S3Failure(400, 'InvalidArgument', `key: ${key} is not appId/dataSet/user-<id>/<timestamp>-<updateId>`);
    if (parts.appId !== log.config.appId || parts.dataSet !== log.config.dataSet) {
      throw new S3Failure(
        400,
        'InvalidArgument',
        `key: this server holds ${log.config.appId}/${log.config.dataSet}, not ${parts.appId}/${parts.dataSet}`,
      );
    }
    if (!parts.area.startsWith('user-') || parts.area.length === 5)
      throw new S3Failure(403, 'AccessDenied', `key: clients write to user-<id> areas, not ${parts.area}`);
    const body = await readBody(request);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (thrown) {
      throw new S3Failure(400, 'MalformedJSON', `body: ${thrown instanceof Error ? thrown.message : 'not JSON'}`);
    }
    const checked = Update.safeParse(json);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new S3Failure(400, 'InvalidArgument', `update.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    if (checked.data.id !== parts.id)
      throw new S3Failure(400, 'InvalidArgument', `update.id: ${checked.data.id} does not match the key's id ${parts.id}`);
    const meta: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (isUserMetaHeader(name) && typeof value === 'string') meta[name.toLowerCase()] = value;
    }
    // Check-then-write under a per-key lock, so two racing PUTs of one key cannot both pass the write-once check.
    const info = await withKeyLock(key, async () => {
      const existing = await store.get(key);
      if (existing && !existing.body.equals(body)) {
        throw new S3Failure(409, 'OperationAborted', `an update is written once: ${key} already holds a different update`);
      }
      return existing ?? (await store.put(key, body, { contentType: 'application/json', meta }));
    });
    if (options.autoPromote) void log.promote(key).catch(() => undefined);
    response.writeHead(200, { ETag: info.etag });
    response.end();
  }
}

function splitPath(pathname: string): [string, string] {
  const segments = pathname.split('/').slice(1);
  try {
    return [decodeURIComponent(segments[0] ?? ''), segments.slice(1).map(decodeURIComponent).join('/')];
  } catch {
    throw new S3Failure(400, 'InvalidURI', 'the URL is not validly percent-encoded');
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new S3Failure(400, 'EntityTooLarge', `an update is at most ${MAX_BODY_BYTES} bytes`));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

export { IMMUTABLE_CACHE_CONTROL };
