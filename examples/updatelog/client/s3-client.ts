/**
 * The S3 requests the client needs (PUT object, GET object, ListObjectsV2), over fetch, so the same code runs
 * in Node and in the browser and talks to the embedded store or a real bucket. Every exchange is reported to
 * an observer as frames (request, then response or error) on its own conn id. Responses are checked with the
 * protocol's schemas; a store answering something else is an error, not a guess.
 */
import {
  errorFromXml,
  type ListBucketResult,
  listResultFromXml,
  listUrl,
  objectUrl,
  type S3ErrorDocument,
} from '@syncscope/protocols/updatelog';
import type { FrameObserver } from './frames.ts';

export interface S3Request {
  method: 'GET' | 'PUT' | 'HEAD';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Adds authentication to a request (AWS Signature V4 for a private bucket); the embedded store needs none. */
export type RequestSigner = (request: S3Request) => Promise<Record<string, string>>;

export interface S3ClientOptions {
  endpoint: string;
  bucket: string;
  /** Stamped on every frame as meta.client so a recording tells clients apart. */
  clientId: string;
  onFrame?: FrameObserver;
  sign?: RequestSigner;
  fetch?: typeof fetch;
}

export class StoreUnreachable extends Error {
  constructor(reason: string) {
    super(`object store unreachable: ${reason}`);
    this.name = 'StoreUnreachable';
  }
}

export class StoreError extends Error {
  constructor(
    readonly status: number,
    readonly document: S3ErrorDocument | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface S3Response {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class S3Client {
  private exchanges = 0;
  constructor(private readonly options: S3ClientOptions) {}

  async putObject(key: string, body: string, contentType = 'application/json'): Promise<S3Response> {
    return this.send({
      method: 'PUT',
      url: objectUrl(this.options.endpoint, this.options.bucket, key),
      headers: { 'content-type': contentType },
      body,
    });
  }

  /** The object's body and headers, or undefined when there is no such key. */
  async getObject(key: string): Promise<S3Response | undefined> {
    try {
      return await this.send({ method: 'GET', url: objectUrl(this.options.endpoint, this.options.bucket, key), headers: {} });
    } catch (thrown) {
      if (thrown instanceof StoreError && thrown.status === 404) return undefined;
      throw thrown;
    }
  }

  /** Every key under prefix after startAfter, following continuation tokens. */
  async listAll(prefix: string, startAfter?: string, pageSize?: number): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10_000; page++) {
      const result = await this.list(prefix, startAfter, token, pageSize);
      keys.push(...result.Contents.map((item) => item.Key));
      if (!result.IsTruncated || !result.NextContinuationToken) return keys;
      token = result.NextContinuationToken;
    }
    throw new StoreError(0, undefined, 'listing did not end after 10000 pages');
  }

  async list(prefix: string, startAfter?: string, continuationToken?: string, maxKeys?: number): Promise<ListBucketResult> {
    const url = listUrl(this.options.endpoint, this.options.bucket, {
      prefix,
      ...(startAfter ? { startAfter } : {}),
      ...(continuationToken ? { continuationToken } : {}),
      ...(maxKeys !== undefined ? { maxKeys } : {}),
    });
    const response = await this.send({ method: 'GET', url, headers: {} });
    const parsed = listResultFromXml(response.body);
    if (!parsed.ok) throw new StoreError(response.status, undefined, `ListObjectsV2 answer: ${parsed.error.reason}`);
    return parsed.value;
  }

  private async send(request: S3Request): Promise<S3Response> {
    const conn = `${this.options.clientId}:${++this.exchanges}`;
    const client = this.options.clientId;
    const signed = this.options.sign ? { ...request.headers, ...(await this.options.sign(request)) } : request.headers;
    this.options.onFrame?.({
      transport: 'http',
      conn,
      dir: 'out',
      kind: 'request',
      meta: { url: request.url, method: request.method, headers: redact(signed), client },
      ...(request.body === undefined ? {} : { text: request.body }),
    });
    let response: Response;
    let body: string;
    try {
      const fetcher = this.options.fetch ?? fetch;
      response = await fetcher(request.url, {
        method: request.method,
        headers: signed,
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      body = await response.text();
    } catch (thrown) {
      const reason = thrown instanceof Error ? ((thrown.cause as Error | undefined)?.message ?? thrown.message) : String(thrown);
      this.options.onFrame?.({
        transport: 'http',
        conn,
        dir: 'in',
        kind: 'error',
        meta: { url: request.url, method: request.method, error: reason, client },
      });
      throw new StoreUnreachable(reason);
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    this.options.onFrame?.({
      transport: 'http',
      conn,
      dir: 'in',
      kind: 'response',
      meta: { url: request.url, method: request.method, status: response.status, headers, client },
      ...(body ? { text: body } : {}),
    });
    if (response.status >= 300 && response.status !== 304) {
      const document = body ? errorFromXml(body) : undefined;
      const parsed = document?.ok ? document.value : undefined;
      throw new StoreError(
        response.status,
        parsed,
        `${request.method} ${request.url}: ${response.status} ${parsed ? `${parsed.Code}: ${parsed.Message}` : ''}`.trim(),
      );
    }
    return { status: response.status, headers, body };
  }
}

/** Credentials never reach a recording. */
function redact(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = /^(authorization|x-amz-security-token)$/i.test(name) ? '[redacted]' : value;
  }
  return out;
}
