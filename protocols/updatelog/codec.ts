/**
 * How updatelog messages go on the wire: updates and snapshots as JSON bodies, ListObjectsV2 results and error
 * documents as the XML S3 writes, promoter metadata as x-amz-meta-* headers, and S3 URLs (path-style or
 * virtual-hosted) split into bucket, key and query.
 */
import { ListBucketResult, type ListedObject, type PromotedMeta, Restamp, S3_NAMESPACE, S3ErrorDocument } from './schemas.ts';
import { escapeXml, parseXml, textOf, type XmlElement } from './xml.ts';

export { parseXml } from './xml.ts';

// --- URLs ---

export interface S3Address {
  bucket: string;
  /** The object key, URL-decoded; empty for bucket-level requests (listing). */
  key: string;
  query: Record<string, string>;
}

/**
 * Recently split URLs: a response repeats its request's URL and a polling client lists the same prefix again and
 * again, and the URL parser was the largest cost of decoding this protocol. Entries are frozen: they are shared.
 */
const recentAddresses = new Map<string, S3Address | undefined>();
const RECENT_ADDRESSES = 1024;

/** Splits an S3 URL. Hosts like `bucket.s3.region.amazonaws.com` are virtual-hosted; anything else is path-style. */
export function parseS3Url(url: string): S3Address | undefined {
  if (recentAddresses.has(url)) return recentAddresses.get(url);
  const address = splitS3Url(url);
  if (address) Object.freeze(Object.freeze(address).query);
  if (recentAddresses.size >= RECENT_ADDRESSES) recentAddresses.clear();
  recentAddresses.set(url, address);
  return address;
}

function splitS3Url(url: string): S3Address | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://relative.invalid');
  } catch {
    return undefined;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of parsed.searchParams) query[name] = value;
  const virtual = /^(.+)\.s3[.-]/.exec(parsed.hostname);
  let segments = parsed.pathname.split('/').slice(1);
  let bucket: string;
  if (virtual?.[1]) {
    bucket = virtual[1];
  } else {
    bucket = segments[0] ?? '';
    segments = segments.slice(1);
  }
  try {
    return { bucket: decodeURIComponent(bucket), key: segments.map(decodeURIComponent).join('/'), query };
  } catch {
    return undefined;
  }
}

/** Path-style URL of an object: each key segment encoded, the slashes kept. */
export function objectUrl(endpoint: string, bucket: string, key: string): string {
  return `${endpoint.replace(/\/$/, '')}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export function listUrl(
  endpoint: string,
  bucket: string,
  params: { prefix: string; startAfter?: string; continuationToken?: string; maxKeys?: number },
): string {
  const search = new URLSearchParams({ 'list-type': '2', prefix: params.prefix });
  if (params.startAfter) search.set('start-after', params.startAfter);
  if (params.continuationToken) search.set('continuation-token', params.continuationToken);
  if (params.maxKeys !== undefined) search.set('max-keys', String(params.maxKeys));
  return `${endpoint.replace(/\/$/, '')}/${encodeURIComponent(bucket)}?${search}`;
}

// --- Headers ---

export function headerOf(headers: Readonly<Record<string, string>> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  // Recorded headers are mostly lower case already (fetch and Node give them so): look that up before scanning.
  if (Object.hasOwn(headers, wanted)) return headers[wanted];
  for (const key in headers) if (key.toLowerCase() === wanted && Object.hasOwn(headers, key)) return headers[key];
  return undefined;
}

const META = {
  madeAt: 'x-amz-meta-made-at',
  sourceKey: 'x-amz-meta-source-key',
  restamped: 'x-amz-meta-restamped',
  validation: 'x-amz-meta-validation',
};

export function promotedMetaToHeaders(meta: PromotedMeta): Record<string, string> {
  const headers: Record<string, string> = {};
  if (meta.madeAt !== undefined) headers[META.madeAt] = String(meta.madeAt);
  if (meta.sourceKey !== undefined) headers[META.sourceKey] = encodeURIComponent(meta.sourceKey);
  if (meta.restamped !== undefined) headers[META.restamped] = meta.restamped;
  if (meta.validation !== undefined) headers[META.validation] = encodeURIComponent(meta.validation);
  return headers;
}

/** Promoter metadata from response headers; values that do not parse are left out rather than guessed. */
export function promotedMetaFromHeaders(headers: Readonly<Record<string, string>> | undefined): PromotedMeta {
  const meta: PromotedMeta = {};
  const madeAt = headerOf(headers, META.madeAt);
  if (madeAt && /^\d{1,16}$/.test(madeAt)) meta.madeAt = Number(madeAt);
  const sourceKey = headerOf(headers, META.sourceKey);
  if (sourceKey) meta.sourceKey = safeDecode(sourceKey);
  // Parsed only when present: a failed zod parse builds an error, and most objects carry no restamp.
  const restampedHeader = headerOf(headers, META.restamped);
  const restamped = restampedHeader === undefined ? undefined : Restamp.safeParse(restampedHeader);
  if (restamped?.success) meta.restamped = restamped.data;
  const validation = headerOf(headers, META.validation);
  if (validation) meta.validation = safeDecode(validation);
  return meta;
}

/** Metadata keys as a store writes them back (S3 lower-cases names and keeps x-amz-meta-*). */
export function isUserMetaHeader(name: string): boolean {
  return name.toLowerCase().startsWith('x-amz-meta-');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// --- XML documents ---

export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function listResultToXml(result: ListBucketResult): string {
  const parts = [`<ListBucketResult xmlns="${S3_NAMESPACE}">`, el('Name', result.Name), el('Prefix', result.Prefix)];
  if (result.StartAfter !== undefined) parts.push(el('StartAfter', result.StartAfter));
  if (result.ContinuationToken !== undefined) parts.push(el('ContinuationToken', result.ContinuationToken));
  if (result.NextContinuationToken !== undefined) parts.push(el('NextContinuationToken', result.NextContinuationToken));
  parts.push(el('KeyCount', String(result.KeyCount)), el('MaxKeys', String(result.MaxKeys)), el('IsTruncated', String(result.IsTruncated)));
  for (const item of result.Contents) {
    parts.push(
      '<Contents>',
      el('Key', item.Key),
      el('LastModified', item.LastModified),
      el('ETag', item.ETag),
      el('Size', String(item.Size)),
      el('StorageClass', item.StorageClass ?? 'STANDARD'),
      '</Contents>',
    );
  }
  parts.push('</ListBucketResult>');
  return XML_DECLARATION + parts.join('');
}

export function errorToXml(error: S3ErrorDocument): string {
  const parts = ['<Error>', el('Code', error.Code), el('Message', error.Message)];
  if (error.Key !== undefined) parts.push(el('Key', error.Key));
  if (error.Resource !== undefined) parts.push(el('Resource', error.Resource));
  if (error.RequestId !== undefined) parts.push(el('RequestId', error.RequestId));
  parts.push('</Error>');
  return XML_DECLARATION + parts.join('');
}

function el(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}

export type XmlDecodeError = { reason: string; path?: Array<string | number>; offset?: number };
export type XmlDecoded<T> = { ok: true; value: T } | { ok: false; error: XmlDecodeError };

const LIST_NUMBERS = new Set(['KeyCount', 'MaxKeys']);
const LIST_BOOLEANS = new Set(['IsTruncated']);
const LIST_REPEATED = new Set(['Contents', 'CommonPrefixes']);
const CONTENTS_NUMBERS = new Set(['Size']);
const NONE = new Set<string>();

/** A ListObjectsV2 response body to a checked ListBucketResult; the error names the element that is wrong. */
export function listResultFromXml(text: string): XmlDecoded<ListBucketResult> {
  const parsed = parseXml(text);
  if (!parsed.ok) return { ok: false, error: { reason: `XML: ${parsed.error.reason}`, offset: parsed.error.offset } };
  const root = parsed.value;
  if (root.name !== 'ListBucketResult')
    return { ok: false, error: { reason: `expected <ListBucketResult>, found <${root.name}>`, path: [root.name] } };
  const fields = elementFields(root, ['ListBucketResult'], {
    numbers: LIST_NUMBERS,
    booleans: LIST_BOOLEANS,
    repeated: LIST_REPEATED,
  });
  if (!fields.ok) return fields;
  const record = fields.value;
  const contents: unknown[] = [];
  for (const [index, item] of ((record.Contents as XmlElement[] | undefined) ?? []).entries()) {
    const entry = elementFields(item, ['ListBucketResult', 'Contents', index], {
      numbers: CONTENTS_NUMBERS,
      booleans: NONE,
      repeated: NONE,
    });
    if (!entry.ok) return entry;
    contents.push(entry.value);
  }
  record.Contents = contents;
  if (record.CommonPrefixes) record.CommonPrefixes = (record.CommonPrefixes as XmlElement[]).map((prefix) => ({ Prefix: textOf(prefix) }));
  const checked = ListBucketResult.safeParse(record);
  if (!checked.success) return { ok: false, error: zodPathError(checked.error.issues, 'ListBucketResult') };
  return { ok: true, value: checked.data };
}

export function errorFromXml(text: string): XmlDecoded<S3ErrorDocument> {
  const parsed = parseXml(text);
  if (!parsed.ok) return { ok: false, error: { reason: `XML: ${parsed.error.reason}`, offset: parsed.error.offset } };
  if (parsed.value.name !== 'Error')
    return { ok: false, error: { reason: `expected <Error>, found <${parsed.value.name}>`, path: [parsed.value.name] } };
  const fields = elementFields(parsed.value, ['Error'], { numbers: new Set(), booleans: new Set(), repeated: new Set() });
  if (!fields.ok) return fields;
  const checked = S3ErrorDocument.safeParse(fields.value);
  if (!checked.success) return { ok: false, error: zodPathError(checked.error.issues, 'Error') };
  return { ok: true, value: checked.data };
}

interface FieldRules {
  numbers: ReadonlySet<string>;
  booleans: ReadonlySet<string>;
  repeated: ReadonlySet<string>;
}

/**
 * Child elements to a record: leaf elements to their text (or number / boolean where the schema wants one),
 * elements with children to nested records, `repeated` ones collected as raw elements for the caller.
 */
/** Rules for nested elements: every field a string, none repeated. */
const PLAIN_FIELDS: FieldRules = { numbers: NONE, booleans: NONE, repeated: NONE };

function elementFields(element: XmlElement, path: Array<string | number>, rules: FieldRules): XmlDecoded<Record<string, unknown>> {
  const record: Record<string, unknown> = {};
  for (const child of element.children) {
    if (typeof child === 'string') {
      if (child.trim()) return { ok: false, error: { reason: `unexpected text in <${element.name}>`, path } };
      continue;
    }
    if (rules.repeated.has(child.name)) {
      const list = (record[child.name] as XmlElement[] | undefined) ?? [];
      list.push(child);
      record[child.name] = list;
      continue;
    }
    if (Object.hasOwn(record, child.name))
      return { ok: false, error: { reason: `<${child.name}> appears twice`, path: [...path, child.name] } };
    const nested = child.children.some((node) => typeof node !== 'string');
    let value: unknown;
    if (nested) {
      const inner = elementFields(child, [...path, child.name], PLAIN_FIELDS);
      if (!inner.ok) return inner;
      value = inner.value;
    } else {
      const text = textOf(child);
      if (rules.numbers.has(child.name) && /^\d{1,15}$/.test(text)) value = Number(text);
      else if (rules.booleans.has(child.name) && (text === 'true' || text === 'false')) value = text === 'true';
      else value = text;
    }
    Object.defineProperty(record, child.name, { value, enumerable: true, writable: true, configurable: true });
  }
  return { ok: true, value: record };
}

function zodPathError(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, root: string): XmlDecodeError {
  const first = issues[0];
  const path = [root, ...(first?.path ?? []).map((p) => (typeof p === 'number' ? p : String(p)))];
  return { reason: `${path.join('.')}: ${first?.message ?? 'invalid'}`, path };
}

export function listedObject(key: string, size: number, etag: string, lastModified: Date): ListedObject {
  return { Key: key, LastModified: lastModified.toISOString(), ETag: etag, Size: size, StorageClass: 'STANDARD' };
}
