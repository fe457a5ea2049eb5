import type { ConnInfo } from '@syncscope/protocols/core';
import { describe, expect, it } from 'vitest';
import { errorToXml, listResultToXml, promotedMetaToHeaders } from './codec.ts';
import { decode } from './decode.ts';
import { exchangeFrames, localWrite, stamp } from './test-frames.ts';

const conn: ConnInfo = { id: 'c1', transport: 'http' };
const BASE = 'http://127.0.0.1:4101/bucket';
const UPDATE = { id: 'u1', actions: [{ type: 'addTeam', data: { '@type': 'Team', id: 't1', name: 'Rovers' } }] };
const KEY = 'league/main/user-alice/1700000000000-u1';
const SNAPSHOT = {
  '@type': 'Snapshot',
  timestamp: 5,
  lastKey: 'league/main/shared/5-u0',
  updateCount: 1,
  createdAt: '2024-01-01T00:00:00.000Z',
  state: {},
  flagged: [],
};

function decodeExchange(exchange: Parameters<typeof exchangeFrames>[0]) {
  const [request, response] = exchangeFrames(exchange);
  return [decode(stamp(request), conn), decode(stamp(response), conn)] as const;
}

describe('decode: the engine and lsd-storage messages', () => {
  it('PUT of an update and its acknowledgement', () => {
    const [request, response] = decodeExchange({
      conn: 'c1',
      method: 'PUT',
      url: `${BASE}/${KEY}`,
      requestBody: JSON.stringify(UPDATE),
      status: 200,
      responseHeaders: { ETag: '"abc"' },
    });
    expect(request).toMatchObject({
      ok: true,
      type: 'PutUpdate',
      message: { parts: { appId: 'league', dataSet: 'main', area: 'user-alice', timestamp: 1700000000000, id: 'u1' }, update: UPDATE },
    });
    expect(response).toEqual({ ok: true, type: 'Stored', message: { type: 'Stored', key: KEY, status: 200, etag: '"abc"' } });
  });

  it('a GET of a promoted update carries the promoter metadata', () => {
    const headers = promotedMetaToHeaders({ madeAt: 1700000000000, restamped: 'collision', validation: 'team name taken', sourceKey: KEY });
    const [, response] = decodeExchange({
      conn: 'c1',
      method: 'GET',
      url: `${BASE}/league/main/shared/1700000000001-u1`,
      status: 200,
      responseHeaders: headers,
      responseBody: JSON.stringify(UPDATE),
    });
    expect(response).toMatchObject({
      ok: true,
      type: 'UpdateObject',
      message: { meta: { madeAt: 1700000000000, restamped: 'collision', validation: 'team name taken', sourceKey: KEY } },
    });
  });

  it('snapshots by key, with their cache header', () => {
    const url = `${BASE}/league/main/snapshots/0000000000005.json`;
    const [request, response] = decodeExchange({
      conn: 'c1',
      method: 'GET',
      url,
      status: 200,
      responseHeaders: { 'Cache-Control': 'immutable' },
      responseBody: JSON.stringify(SNAPSHOT),
    });
    expect(request).toMatchObject({ ok: true, type: 'GetObject' });
    expect(response).toMatchObject({
      ok: true,
      type: 'SnapshotObject',
      message: { cacheControl: 'immutable', snapshot: { timestamp: 5 } },
    });
  });

  it('ListObjectsV2 requests and results, path-style and virtual-hosted', () => {
    const result = { Name: 'bucket', Prefix: 'league/main/shared/', KeyCount: 0, MaxKeys: 1000, IsTruncated: false, Contents: [] };
    const [request, response] = decodeExchange({
      conn: 'c1',
      method: 'GET',
      url: `${BASE}?list-type=2&prefix=league%2Fmain%2Fshared%2F&start-after=league%2Fmain%2Fshared%2F1-a&max-keys=50`,
      status: 200,
      responseBody: listResultToXml(result),
    });
    expect(request).toMatchObject({
      ok: true,
      message: {
        type: 'ListObjectsV2',
        bucket: 'bucket',
        request: { prefix: 'league/main/shared/', 'start-after': 'league/main/shared/1-a', 'max-keys': 50 },
      },
    });
    expect(response).toMatchObject({ ok: true, message: { type: 'ListBucketResult', result } });
    const [virtual] = decodeExchange({
      conn: 'c1',
      method: 'GET',
      url: 'https://data.s3.eu-west-1.amazonaws.com/?list-type=2&prefix=a%2F',
      status: 200,
    });
    expect(virtual).toMatchObject({ ok: true, message: { bucket: 'data', request: { prefix: 'a/' } } });
  });

  it('error documents, and errors without a body', () => {
    const [, response] = decodeExchange({
      conn: 'c1',
      method: 'GET',
      url: `${BASE}/${KEY}`,
      status: 404,
      responseBody: errorToXml({ Code: 'NoSuchKey', Message: 'gone' }),
    });
    expect(response).toMatchObject({ ok: true, type: 'S3Error', message: { status: 404, error: { Code: 'NoSuchKey' } } });
    const [, bare] = decodeExchange({ conn: 'c1', method: 'HEAD', url: `${BASE}/${KEY}`, status: 404 });
    expect(bare).toMatchObject({ ok: true, type: 'S3Error', message: { error: { Code: 'HTTP404' } } });
  });

  it('tab notices on the BroadcastChannel', () => {
    const notice = { type: 'local-changed', op: 'put', updateId: 'u1', client: 'alice' };
    const frame = stamp({
      transport: 'broadcast',
      conn: 'alice:tabs',
      dir: 'local',
      kind: 'message',
      meta: { channel: 'updatelog:league.main:alice' },
      json: notice,
    });
    expect(decode(frame, conn)).toEqual({ ok: true, type: 'TabNotice', message: { type: 'TabNotice', notice } });
    const bad = stamp({ transport: 'broadcast', conn: 'alice:tabs', dir: 'local', kind: 'message', json: { ...notice, op: 'merge' } });
    expect(decode(bad, conn)).toMatchObject({ ok: false, error: { path: ['op'] } });
  });

  it('local store writes', () => {
    expect(decode(stamp(localWrite('alice', 'updatelog:league.main', { op: 'put', key: 'u1', value: UPDATE })), conn)).toMatchObject({
      ok: true,
      type: 'LocalPut',
    });
    expect(decode(stamp(localWrite('alice', 'updatelog:league.main', { op: 'delete', key: 'u1' })), conn)).toMatchObject({
      ok: true,
      type: 'LocalDelete',
    });
  });
});

describe('decode: bad frames are typed errors naming the field', () => {
  const put = (body: string | undefined, key = KEY) =>
    decodeExchange({
      conn: 'c1',
      method: 'PUT',
      url: `${BASE}/${key}`,
      status: 200,
      ...(body === undefined ? {} : { requestBody: body }),
    })[0];

  it('truncated JSON gives the offset', () => {
    expect(put(JSON.stringify(UPDATE).slice(0, 20))).toMatchObject({ ok: false, error: { path: ['body'], codec: 'json' } });
  });

  it('a missing body', () => {
    expect(put(undefined)).toMatchObject({ ok: false, error: { reason: 'the body is missing', path: ['body'] } });
  });

  it('wrong types name the field', () => {
    expect(put(JSON.stringify({ id: 'u1', actions: [{ type: 3, data: {} }] }))).toMatchObject({
      ok: false,
      error: { path: ['actions', 0, 'type'] },
    });
    expect(put(JSON.stringify({ id: 'u1', actions: [] }))).toMatchObject({ ok: false, error: { path: ['actions'] } });
    expect(put(JSON.stringify({ id: 'u1', actions: [{ type: 'a', data: 1 }], extra: true }))).toMatchObject({
      ok: false,
      error: { reason: expect.stringContaining('extra') },
    });
    expect(put(JSON.stringify({ ...UPDATE, id: 'u2' }))).toMatchObject({ ok: false, error: { path: ['update', 'id'] } });
    expect(put(JSON.stringify({ ...SNAPSHOT, timestamp: 'x' }), 'league/main/snapshots/5.json')).toMatchObject({
      ok: false,
      error: { path: ['timestamp'] },
    });
  });

  it('a key that is not an update key', () => {
    expect(put(JSON.stringify(UPDATE), 'league/main/notakey')).toMatchObject({ ok: false, error: { path: ['key'] } });
  });

  it('unknown requests and frames', () => {
    const [post] = decodeExchange({ conn: 'c1', method: 'POST', url: `${BASE}/${KEY}`, status: 200 });
    expect(post).toMatchObject({ ok: false, error: { path: ['method'] } });
    const [plainGet] = decodeExchange({ conn: 'c1', method: 'GET', url: BASE, status: 200 });
    expect(plainGet).toMatchObject({ ok: false, error: { path: ['query', 'list-type'] } });
    const [badList] = decodeExchange({ conn: 'c1', method: 'GET', url: `${BASE}?list-type=1`, status: 200 });
    expect(badList).toMatchObject({ ok: false, error: { path: ['list-type'] } });
    const ws = stamp({ transport: 'websocket', conn: 'w', dir: 'in', kind: 'message', text: '{}' });
    expect(decode(ws, conn)).toMatchObject({ ok: false, error: { path: ['transport'] } });
    const noMethod = stamp({ transport: 'http', conn: 'h', dir: 'out', kind: 'request', meta: { url: `${BASE}/${KEY}` } });
    expect(decode(noMethod, conn)).toMatchObject({ ok: false, error: { path: ['meta', 'method'] } });
    const noStatus = stamp({
      transport: 'http',
      conn: 'h',
      dir: 'in',
      kind: 'response',
      meta: { url: `${BASE}/${KEY}`, method: 'GET' },
      text: '{}',
    });
    expect(decode(noStatus, conn)).toMatchObject({ ok: false, error: { path: ['meta', 'status'] } });
  });

  it('malformed list XML and local writes', () => {
    const [, response] = decodeExchange({
      conn: 'c1',
      method: 'GET',
      url: `${BASE}?list-type=2`,
      status: 200,
      responseBody: '<ListBucketResult><Name>b</Name>',
    });
    expect(response).toMatchObject({ ok: false, error: { codec: 'xml', offset: expect.any(Number) } });
    expect(decode(stamp(localWrite('a', 'updatelog:x', { op: 'put', key: 'u1' })), conn)).toMatchObject({
      ok: false,
      error: { path: ['value'] },
    });
    expect(decode(stamp(localWrite('a', 'updatelog:x', { op: 'merge', key: 'u1' })), conn)).toMatchObject({
      ok: false,
      error: { path: ['op'] },
    });
  });

  it('never throws on arbitrary frames', () => {
    const weird = [
      { transport: 'http', conn: 'x', dir: 'in', kind: 'response', meta: { url: '%%%', method: 'GET', status: 200 }, text: '<' },
      {
        transport: 'http',
        conn: 'x',
        dir: 'in',
        kind: 'response',
        meta: { url: `${BASE}/${KEY}`, method: 'GET', status: 200 },
        b64: '/w==',
      },
      {
        transport: 'http',
        conn: 'x',
        dir: 'in',
        kind: 'response',
        meta: { url: `${BASE}/${KEY}`, method: 'GET', status: 200, chunk: true },
        text: '{}',
      },
      { transport: 'idb', conn: 'x', dir: 'local', kind: 'write', json: null },
    ] as const;
    for (const frame of weird) expect(decode(stamp(frame as never), conn).ok).toBe(false);
  });
});

describe('decode: what the browser’s IndexedDB holds (page tap)', () => {
  const DB = 'updatelog:league.main:alice';
  const idb = (store: string, json: unknown) =>
    stamp({ transport: 'idb', conn: `idb:${DB}`, dir: 'local', kind: 'write', meta: { db: DB, store }, json });
  const REPLICA = { lastKey: 'league/main/shared/1700000000005-u1', snapshotTimestamp: null, state: { teams: [] }, sharedIds: ['u1'] };

  it('a pending entry, a replica, and clears', () => {
    expect(decode(idb('unsavedUpdates', { op: 'put', key: 'u1', value: { timestamp: 3, update: UPDATE } }), conn)).toEqual({
      ok: true,
      type: 'LocalPut',
      message: { type: 'LocalPut', key: 'u1', update: UPDATE, timestamp: 3 },
    });
    expect(decode(idb('replica', { op: 'put', key: 'replica', value: REPLICA }), conn)).toEqual({
      ok: true,
      type: 'LocalReplica',
      message: { type: 'LocalReplica', replica: REPLICA },
    });
    expect(decode(idb('replica', { op: 'clear' }), conn)).toMatchObject({ ok: true, type: 'LocalReplicaDropped' });
    expect(decode(idb('unsavedUpdates', { op: 'clear' }), conn)).toMatchObject({ ok: true, type: 'LocalClear' });
  });

  it('a record of neither layout is one the client skips; a broken one is an error naming the field', () => {
    expect(decode(idb('unsavedUpdates', { op: 'put', key: 'junk', value: { junk: true } }), conn)).toMatchObject({
      ok: true,
      type: 'LocalForeign',
      message: { key: 'junk' },
    });
    expect(
      decode(idb('unsavedUpdates', { op: 'put', key: 'u1', value: { timestamp: 3, update: { id: 'u1', actions: [] } } }), conn),
    ).toMatchObject({
      ok: false,
      error: { path: ['value', 'update', 'actions'] },
    });
    expect(decode(idb('unsavedUpdates', { op: 'put', key: 'u2', value: { timestamp: 3, update: UPDATE } }), conn)).toMatchObject({
      ok: false,
      error: { path: ['key'] },
    });
    expect(decode(idb('replica', { op: 'put', key: 'replica', value: { ...REPLICA, sharedIds: 'u1' } }), conn)).toMatchObject({
      ok: false,
      error: { reason: expect.stringMatching(/^replica write: value\.sharedIds/), path: ['value', 'sharedIds'] },
    });
    expect(decode(idb('replica', { op: 'put', key: 'other', value: REPLICA }), conn)).toMatchObject({
      ok: false,
      error: { path: ['key'] },
    });
    expect(decode(idb('blobs', { op: 'clear' }), conn)).toMatchObject({ ok: false, error: { path: ['meta', 'store'] } });
  });
});
