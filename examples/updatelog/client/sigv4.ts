/**
 * AWS Signature Version 4 for S3 requests, with WebCrypto, so the same client talks to a private bucket from
 * Node or the browser. Returns the headers to add (x-amz-date, x-amz-content-sha256, Authorization, and the
 * session token when there is one); Host is signed but left to fetch, which may not set it.
 */
import type { RequestSigner, S3Request } from './s3-client.ts';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignOptions {
  region: string;
  credentials: AwsCredentials | (() => Promise<AwsCredentials>);
  service?: string;
  /** For tests: the signing time. */
  now?: () => Date;
}

const encoder = new TextEncoder();

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
const sha256 = async (data: string) => hex(await crypto.subtle.digest('SHA-256', encoder.encode(data)));

async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  // A copy with a plain ArrayBuffer behind it: WebCrypto's types refuse views of a possibly shared buffer.
  const cryptoKey = await crypto.subtle.importKey('raw', new Uint8Array(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(data));
}

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, slashes kept in paths. */
function uriEncode(text: string, keepSlash: boolean): string {
  return [...encoder.encode(text)]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === '/')) return c;
      return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

export async function signatureHeaders(
  request: S3Request & { headers: Record<string, string> },
  options: SignOptions,
): Promise<Record<string, string>> {
  const credentials = typeof options.credentials === 'function' ? await options.credentials() : options.credentials;
  const service = options.service ?? 's3';
  const url = new URL(request.url);
  const amzDate = (options.now?.() ?? new Date())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = await sha256(request.body ?? '');
  const added: Record<string, string> = { 'x-amz-date': amzDate, 'x-amz-content-sha256': payloadHash };
  if (credentials.sessionToken) added['x-amz-security-token'] = credentials.sessionToken;
  const headers: Record<string, string> = { host: url.host };
  for (const [name, value] of Object.entries({ ...request.headers, ...added }))
    headers[name.toLowerCase()] = value.trim().replace(/\s+/g, ' ');
  const names = Object.keys(headers).sort();
  const path = url.pathname
    .split('/')
    .map((segment) => uriEncode(decodeURIComponent(segment), false))
    .join('/');
  const query = [...url.searchParams]
    .map(([k, v]) => [uriEncode(k, false), uriEncode(v, false)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [request.method, path || '/', query, ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), payloadHash].join(
    '\n',
  );
  const scope = `${day}/${options.region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, await sha256(canonical)].join('\n');
  let key = await hmac(encoder.encode(`AWS4${credentials.secretAccessKey}`), day);
  for (const part of [options.region, service, 'aws4_request']) key = await hmac(key, part);
  const signature = hex(await hmac(key, toSign));
  return {
    ...added,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

/** A RequestSigner for S3Client / UpdatelogClient: `sign: sigV4Signer({ region, credentials })`. */
export function sigV4Signer(options: SignOptions): RequestSigner {
  return (request) => signatureHeaders(request, options);
}
