/**
 * Hand-built sessions of blueprint's public TemporalEntity HTTP format (`/temporal-entity/<type>/<version>/<id>`,
 * `{value, meta, idString}` bodies, error bodies, 201/304/404/412/428, cbor-x structured clone or JSON), written
 * as they would be recorded, so the dissector is tested against the real system's shapes and not only our engine's.
 * `npx tsx protocols/temporal/public-fixtures.ts` rewrites protocols/temporal/fixtures/public-*.syncscope.jsonl.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FrameInput, Recorder } from '@syncscope/inspector/record';
import { CBOR_SC, encodeWire } from './codec.ts';
import { END_OF_TIME } from './schemas.ts';

const BASE = 'https://api.example.test/temporal-entity/widget/v1';
const ID = '6a1b2c3d4e5f60718293a4b5c6d7e8f9';
const T0 = Date.UTC(2024, 0, 15, 9, 0, 0);
const V1 = '2024-01-15T09:00:00.000Z';
const V2 = '2024-01-15T09:05:00.000Z';
const V3 = '2024-01-15T09:07:00.000Z';

const cbor = (value: unknown) => ({ b64: Buffer.from(encodeWire(value as never)).toString('base64') });
const json = (value: unknown) => ({ text: JSON.stringify(value) });

function exchange(
  recorder: Recorder,
  conn: string,
  request: { method: string; url: string; headers?: Record<string, string>; body?: { b64: string } | { text: string } },
  response: { status: number; headers?: Record<string, string>; body?: { b64: string } | { text: string } },
): void {
  const contentType = request.body && 'b64' in request.body ? CBOR_SC : 'application/json';
  const out: FrameInput = {
    transport: 'http',
    conn,
    dir: 'out',
    kind: 'request',
    meta: {
      url: request.url,
      method: request.method,
      headers: { ...(request.body ? { 'content-type': contentType } : {}), ...request.headers },
    },
    ...request.body,
  };
  recorder.add(out);
  const responseType = response.body && 'b64' in response.body ? CBOR_SC : 'application/json';
  recorder.add({
    transport: 'http',
    conn,
    dir: 'in',
    kind: 'response',
    meta: {
      url: request.url,
      method: request.method,
      status: response.status,
      headers: { ...(response.body ? { 'content-type': responseType } : {}), ...response.headers },
    },
    ...response.body,
  });
}

/** A widget's life over HTTP in cbor-sc: created, fetched, patched, a stale patch (412), deleted, undeleted. */
export function buildPublicLifecycle(): string {
  let clock = T0;
  const recorder = new Recorder(() => (clock += 250));
  const url = `${BASE}/${ID}`;
  const meta1 = { userID: 'user-1', validFrom: V1, validTo: END_OF_TIME, previousValues: {} };
  const value1 = { name: 'Widget', color: 'red', tags: ['a', 'b'], legacy: true };
  exchange(
    recorder,
    'h1',
    { method: 'POST', url: BASE, body: cbor({ value: value1, userID: 'user-1' }) },
    { status: 201, body: cbor({ value: value1, meta: meta1, idString: ID }) },
  );
  exchange(recorder, 'h2', { method: 'GET', url, headers: { 'if-modified-since': V1 } }, { status: 304 });
  // A deep-object-diff delta: a changed key, an array diffed by index, and a deleted key (undefined survives cbor-sc).
  const delta = { color: 'blue', tags: { 1: 'c', 2: 'd' }, legacy: undefined };
  const value2 = { name: 'Widget', color: 'blue', tags: ['a', 'c', 'd'] };
  const meta2 = {
    userID: 'user-1',
    validFrom: V2,
    validTo: END_OF_TIME,
    previousValues: { color: 'red', tags: { 1: 'b', 2: undefined }, legacy: true },
  };
  exchange(
    recorder,
    'h3',
    { method: 'PATCH', url, headers: { 'if-unmodified-since': V1 }, body: cbor({ delta, userID: 'user-1' }) },
    { status: 200, body: cbor({ value: value2, meta: meta2, idString: ID }) },
  );
  exchange(
    recorder,
    'h4',
    { method: 'PATCH', url, headers: { 'if-unmodified-since': V1 }, body: cbor({ delta: { color: 'green' }, userID: 'user-2' }) },
    {
      status: 412,
      body: cbor({
        error: { message: 'If-Unmodified-Since is earlier than the last time this TemporalEntity was modified', status: 412 },
        idString: ID,
        value: value2,
        meta: meta2,
      }),
    },
  );
  exchange(
    recorder,
    'h5',
    { method: 'PATCH', url, body: cbor({ delta: { color: 'green' }, userID: 'user-2' }) },
    {
      status: 428,
      body: cbor({
        error: { message: 'required If-Unmodified-Since header for TemporalEntity PUT is missing', status: 428 },
        idString: ID,
        value: value2,
        meta: meta2,
      }),
    },
  );
  const meta3 = { userID: 'user-1', validFrom: V3, validTo: END_OF_TIME, previousValues: {}, deleted: true };
  exchange(
    recorder,
    'h6',
    { method: 'DELETE', url, body: cbor({ userID: 'user-1' }) },
    { status: 200, body: cbor({ value: value2, meta: meta3, idString: ID }) },
  );
  exchange(
    recorder,
    'h7',
    { method: 'GET', url },
    {
      status: 404,
      body: cbor({
        error: { message: 'Resource is soft deleted. If you DELETE again, it will return the current value and meta.', status: 404 },
        idString: ID,
      }),
    },
  );
  return recorder.toSessionFile({
    createdAt: new Date(T0).toISOString(),
    origin: 'hand-built: blueprint TemporalEntity HTTP (cbor-sc)',
    protocols: ['temporal'],
  });
}

/** The same API spoken in JSON, with a date without milliseconds rejected (400) and an undelete. */
export function buildPublicJson(): string {
  let clock = T0;
  const recorder = new Recorder(() => (clock += 250));
  const url = `${BASE}/${ID}`;
  const value = { name: 'Widget', color: 'blue' };
  const deleted = { userID: 'user-1', validFrom: V3, validTo: END_OF_TIME, previousValues: {}, deleted: true };
  exchange(
    recorder,
    'j1',
    { method: 'GET', url, headers: { 'if-modified-since': '2024-01-15T09:00:00Z' } },
    {
      status: 400,
      body: json({
        error: {
          message: 'If-Modified-Since must be in YYYY:MM:DDTHH:MM:SS.mmmZ format because we need millisecond granularity',
          status: 400,
        },
        idString: ID,
      }),
    },
  );
  exchange(
    recorder,
    'j2',
    { method: 'DELETE', url, body: json({ userID: 'user-1' }) },
    { status: 200, body: json({ value, meta: deleted, idString: ID }) },
  );
  const undeleted = { userID: 'user-1', validFrom: '2024-01-15T09:10:00.000Z', validTo: END_OF_TIME, previousValues: {} };
  exchange(
    recorder,
    'j3',
    { method: 'PATCH', url, body: json({ undelete: true, userID: 'user-1' }) },
    { status: 200, body: json({ value, meta: undeleted, idString: ID }) },
  );
  return recorder.toSessionFile({
    createdAt: new Date(T0).toISOString(),
    origin: 'hand-built: blueprint TemporalEntity HTTP (JSON)',
    protocols: ['temporal'],
  });
}

export const PUBLIC_FIXTURES = {
  'public-http-cbor.syncscope.jsonl': buildPublicLifecycle,
  'public-http-json.syncscope.jsonl': buildPublicJson,
} as const;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
  for (const [name, build] of Object.entries(PUBLIC_FIXTURES)) writeFileSync(join(dir, name), build());
}
