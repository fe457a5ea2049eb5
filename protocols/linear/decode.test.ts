import { describe, expect, it } from 'vitest';
import { bytesToBase64 } from '../core/base64.ts';
import { encodeMsgpack, type RawFrame } from '../core/index.ts';
import { decodeFrame } from './decode.ts';
import { exact, match } from './detect.ts';

let seq = 0;
function frame(partial: Partial<RawFrame>): RawFrame {
  return { seq: seq++, t: 0, transport: 'websocket', conn: 'c', dir: 'in', kind: 'message', ...partial } as RawFrame;
}
const http = (kind: 'request' | 'response', url: string, body?: string, status = 200): RawFrame =>
  frame({
    transport: 'http',
    dir: kind === 'request' ? 'out' : 'in',
    kind,
    ...(body !== undefined ? { text: body } : {}),
    meta: { url, method: body && kind === 'request' ? 'POST' : 'GET', ...(kind === 'response' ? { status } : {}) },
  });

function errorOf(f: RawFrame) {
  const decoded = decodeFrame(f);
  if (decoded.ok) throw new Error(`expected an error, decoded ${decoded.type}`);
  return decoded.error;
}

describe('linear decode: the engine protocol', () => {
  it('decodes a change request and its result', () => {
    const body = {
      clientId: 'c1',
      transactions: [
        {
          id: 't1',
          type: 'update',
          modelClass: 'Issue',
          modelId: 'i1',
          baseSyncId: 4,
          changeSnapshot: { changes: { title: { original: 'a', updated: 'b' } } },
        },
      ],
    };
    const request = decodeFrame(http('request', 'http://x/change', JSON.stringify(body)));
    expect(request).toMatchObject({ ok: true, type: 'change', message: { kind: 'change-request', message: body } });
    const response = decodeFrame(
      http(
        'response',
        'http://x/change',
        JSON.stringify({
          lastSyncId: 9,
          results: [{ id: 't1', ok: false, code: 'stale', message: 'title changed at 7', field: 'title', syncId: 7 }],
        }),
      ),
    );
    expect(response).toMatchObject({ ok: true, type: 'change-result' });
  });

  it('decodes full and delta bootstrap requests from the URL, and NDJSON bodies split in chunks', () => {
    expect(decodeFrame(http('request', 'http://x/bootstrap'))).toMatchObject({
      ok: true,
      type: 'bootstrap-request',
      message: { message: { mode: 'full' } },
    });
    expect(decodeFrame(http('request', 'http://x/bootstrap?sinceSyncId=12'))).toMatchObject({
      ok: true,
      type: 'delta-request',
      message: { message: { mode: 'delta', since: 12 } },
    });
    const chunk = http('response', 'http://x/bootstrap', '{"__class":"Team","id":"t1","name":"Core"}\nIssue={"id":"i1","teamId":"t1"}\n');
    chunk.meta = { ...chunk.meta, chunk: true };
    expect(decodeFrame(chunk)).toMatchObject({
      ok: true,
      message: { kind: 'bootstrap', message: { chunk: true, lines: [{ kind: 'model' }, { kind: 'model', model: { __class: 'Issue' } }] } },
    });
    const last = decodeFrame(
      http(
        'response',
        'http://x/bootstrap',
        '{"__class":"Tombstone","modelName":"Issue","modelId":"i2","syncId":3}\n_metadata_={"lastSyncId":5}\n',
      ),
    );
    expect(last).toMatchObject({
      ok: true,
      message: { message: { chunk: false, lines: [{ kind: 'tombstone' }, { kind: 'metadata', metadata: { lastSyncId: 5 } }] } },
    });
  });

  it('decodes socket commands in JSON and MessagePack', () => {
    expect(decodeFrame(frame({ dir: 'out', text: '{"cmd":"hshk","token":"[redacted]","clientId":"c1","lastSyncId":3}' }))).toMatchObject({
      ok: true,
      type: 'hshk',
      message: { kind: 'client-cmd', binary: false },
    });
    const sync = { cmd: 'sync', lastSyncId: 4, sync: [{ id: 4, modelName: 'Issue', modelId: 'i1', action: 'U', data: { title: 'x' } }] };
    expect(decodeFrame(frame({ b64: bytesToBase64(encodeMsgpack(sync)) }))).toMatchObject({
      ok: true,
      type: 'sync',
      message: { kind: 'server-cmd', binary: true },
    });
  });
});

describe('linear decode: typed errors naming the field', () => {
  it('truncated JSON reports the codec and offset', () => {
    const error = errorOf(frame({ text: '{"cmd":"sync","sync":[{"id":4,' }));
    expect(error.codec).toBe('json');
    expect(error.offset).toBeGreaterThan(0);
  });

  it('a truncated NDJSON line names its line', () => {
    const error = errorOf(http('response', 'http://x/bootstrap', '{"__class":"Team","id":"t1"}\n{"__class":"Iss'));
    expect(error).toMatchObject({ codec: 'ndjson', path: ['lines', 1] });
    expect(error.reason).toMatch(/^line 2:/);
  });

  it('wrong types name the field', () => {
    const bad = { cmd: 'sync', sync: [{ id: 'four', modelName: 'Issue', modelId: 'i1', action: 'U' }] };
    expect(errorOf(frame({ text: JSON.stringify(bad) }))).toMatchObject({ path: ['sync', 0, 'id'] });
    const badAction = { cmd: 'sync', sync: [{ id: 4, modelName: 'Issue', modelId: 'i1', action: 'X' }] };
    expect(errorOf(frame({ text: JSON.stringify(badAction) }))).toMatchObject({ path: ['sync', 0, 'action'] });
    const meta = errorOf(http('response', 'http://x/bootstrap', '_metadata_={"lastSyncId":"9"}\n'));
    expect(meta.path).toEqual(['lines', 0, 'lastSyncId']);
    const tx = {
      clientId: 'c1',
      transactions: [{ id: 't1', type: 'update', modelClass: 'Issue', modelId: 'i1', changeSnapshot: { changes: 'title' } }],
    };
    expect(errorOf(http('request', 'http://x/change', JSON.stringify(tx)))).toMatchObject({
      path: ['transactions', 0, 'changeSnapshot', 'changes'],
    });
  });

  it('unknown messages are named as such', () => {
    expect(errorOf(frame({ text: '{"cmd":"teleport"}' }))).toMatchObject({ path: ['cmd'] });
    expect(errorOf(frame({ text: '{"cmd":"teleport"}' })).reason).toMatch(/unknown server command "teleport"/);
    expect(errorOf(frame({ dir: 'out', text: '{"hello":1}' })).reason).toMatch(/unknown client socket message/);
    expect(errorOf(frame({ b64: bytesToBase64(new Uint8Array([0x82, 0xa3, 0x63])) })).codec).toBe('msgpack');
    expect(errorOf(http('request', 'http://x/graphql')).reason).toMatch(/not a bootstrap or delta endpoint/);
  });

  it('a CORS preflight and its bodiless answer are known, not errors', () => {
    const preflight = http('request', 'http://x/change');
    preflight.meta = { ...preflight.meta, method: 'OPTIONS' };
    expect(decodeFrame(preflight)).toMatchObject({ ok: true, type: 'preflight' });
    expect(decodeFrame(http('response', 'http://x/change', undefined, 204))).toMatchObject({ ok: true, type: 'ack' });
  });
});

describe('linear decode: a many-line body on a bootstrap endpoint', () => {
  const url = 'http://x/delta-bootstrap?start_time=1';
  const document = { Objects: [{ __class: 'Team', id: 'team-1', version: 1, name: 'Core' }], Tombstones: [], LatestTS: 5 };

  it("is pbardea's one bootstrap document when it is one JSON value pretty-printed over lines", () => {
    const oneLine = decodeFrame(http('response', url, JSON.stringify(document)));
    const pretty = decodeFrame(http('response', url, JSON.stringify(document, null, 2)));
    expect(oneLine.ok).toBe(true);
    expect(pretty).toEqual(oneLine);
  });

  it('is NDJSON otherwise, and a bad line is named by its number', () => {
    const lines = ['Team={"id":"team-1","version":1,"name":"Core"}', '_metadata_={"lastSyncId":3}'];
    expect(decodeFrame(http('response', 'http://x/bootstrap', `${lines.join('\n')}\n`))).toMatchObject({ ok: true, type: 'bootstrap' });
    const bad = errorOf(http('response', 'http://x/bootstrap', `${lines[0]}\n{oops\n${lines[1]}`));
    expect(bad).toMatchObject({ codec: 'ndjson', path: ['lines', 1] });
    expect(bad.reason).toMatch(/^line 2: /);
  });
});

describe('linear detect', () => {
  it('knows the pbardea and Linear paths for certain', () => {
    for (const path of ['/delta-bootstrap?start_time=1', '/sync/bootstrap?type=full', '/sync/delta?lastSyncId=1', '/sync/batch']) {
      expect(exact.urlPath?.test(path), path).toBe(true);
    }
    expect(exact.urlPath?.test('/seneschal/login')).toBe(false);
  });

  it("claims the note's common paths (/login, /bootstrap, /change, /sync) only once a frame on them is linear", () => {
    for (const path of ['/login', '/bootstrap?sinceSyncId=3', '/change', '/sync']) expect(exact.urlPath?.test(path), path).toBe(false);
    const sync = { id: 's', transport: 'websocket' as const, url: 'ws://127.0.0.1:4101/sync' };
    const open = frame({ kind: 'open', text: undefined });
    expect(match(sync, [open])).toBe(0);
    expect(match(sync, [open, frame({ text: '{"type":"hello","clientID":"x"}' })])).toBe(0);
    expect(match(sync, [open, frame({ kind: 'error', text: undefined })])).toBeGreaterThanOrEqual(0.5);
    const login = { id: 'l', transport: 'http' as const, url: 'http://127.0.0.1:4101/login' };
    expect(
      match(login, [
        frame({
          transport: 'http',
          kind: 'request',
          dir: 'out',
          text: '{"username":"alice","password":"[redacted]"}',
          meta: { url: login.url, method: 'POST' },
        }),
      ]),
    ).toBeGreaterThanOrEqual(0.5);
  });

  it('recognises the public shapes heuristically and ignores others', () => {
    const conn = { id: 'c', transport: 'websocket' as const };
    expect(
      match(conn, [frame({ text: '{"type":"update","jsonObject":{"__class":"Issue","id":"i","version":2}}' })]),
    ).toBeGreaterThanOrEqual(0.5);
    expect(match(conn, [frame({ b64: bytesToBase64(encodeMsgpack({ cmd: 'hshk', sync: { lastSyncId: 1 } })) })])).toBeGreaterThanOrEqual(
      0.5,
    );
    expect(match(conn, [frame({ text: '{"type":"hello","clientID":"x"}' })])).toBe(0);
  });
});

describe('linear decode: the browser client’s IndexedDB writes', () => {
  const idb = (store: string, json: unknown, db = 'linear-sync:ana@127.0.0.1:4000'): RawFrame =>
    frame({ transport: 'idb', conn: `idb:${db}`, dir: 'local', kind: 'write', json, meta: { db, store } });
  const issue = { __class: 'Issue', id: 'i1', title: 'a', teamId: 't1', projectId: null, assigneeId: null, labelIds: [] };

  it('is known by its database name, production and test', () => {
    expect(exact.db?.test('linear-sync:ana@127.0.0.1:4000')).toBe(true);
    expect(exact.db?.test('linear-test-0b1c')).toBe(true);
    expect(exact.db?.test('linearish')).toBe(false);
  });

  it('decodes each store’s records', () => {
    const model = decodeFrame(idb('models', { op: 'put', key: 'Issue/i1', value: { key: 'Issue/i1', model: issue, syncId: 2 } }));
    expect(model).toMatchObject({
      ok: true,
      type: 'model-put',
      message: { kind: 'local-write', message: { store: 'models', key: 'Issue/i1' } },
    });
    const tx = { id: 'tx1', type: 'delete', modelClass: 'Issue', modelId: 'i1' };
    const queued = decodeFrame(idb('transactions', { op: 'put', key: 'tx1', value: { tx, enqueuedAt: 5 } }));
    expect(queued).toMatchObject({ ok: true, type: 'transaction-put', message: { message: { key: 'tx1', record: { tx } } } });
    const meta = decodeFrame(idb('meta', { op: 'put', key: 'lastSyncId', value: 7 }));
    expect(meta).toMatchObject({
      ok: true,
      type: 'last-sync-id',
      message: { db: 'linear-sync:ana@127.0.0.1:4000', message: { lastSyncId: 7 } },
    });
    expect(decodeFrame(idb('models', { op: 'clear' }))).toMatchObject({ ok: true, type: 'models-clear' });
    expect(decodeFrame(idb('transactions', { op: 'delete', key: 'tx1' }))).toMatchObject({ ok: true, type: 'transactions-delete' });
  });

  it('names the field of a bad record, the unknown store or meta key', () => {
    expect(errorOf(idb('transactions', { op: 'put', key: 1, value: { tx: { type: 'delete' }, enqueuedAt: 1 } })).reason).toMatch(
      /^local write: value\.tx\./,
    );
    expect(errorOf(idb('models', { op: 'put', key: 'x', value: { key: 'x', model: issue, syncId: -1 } })).path).toEqual([
      'value',
      'syncId',
    ]);
    expect(errorOf(idb('meta', { op: 'put', key: 'other', value: 1 })).reason).toMatch(/unknown meta key "other"/);
    expect(errorOf(idb('blobs', { op: 'clear' })).reason).toMatch(/unknown object store "blobs"/);
    expect(errorOf(idb('models', { op: 'getAll' })).path).toEqual(['op']);
  });
});
