import { describe, expect, it } from 'vitest';
import { bytesToBase64 } from '../core/base64.ts';
import type { RawFrame } from '../core/frame.ts';
import { encodeWire } from './codec.ts';
import { decodeTemporal } from './decode.ts';
import { END_OF_TIME, type WireMessage } from './schemas.ts';

const V1 = '2025-03-01T10:00:00.000Z';
const meta = { userID: 'p1', validFrom: V1, validTo: END_OF_TIME };

function wsFrame(value: unknown, seq = 1): RawFrame {
  return {
    seq,
    t: seq,
    transport: 'websocket',
    conn: 'ws1',
    dir: 'out',
    kind: 'message',
    b64: bytesToBase64(encodeWire(value as WireMessage)),
  };
}

describe('decode: the engine socket protocol', () => {
  it('decodes every request method, responses and updates', () => {
    const entity = { id: 'e1', type: 'org' };
    const messages: Array<[unknown, string]> = [
      [{ kind: 'request', requestID: 'r1', method: 'post', entity, body: { value: { name: 'Acme' } } }, 'request/post'],
      [{ kind: 'request', requestID: 'r2', method: 'get', entity, headers: { ifModifiedSince: V1 } }, 'request/get'],
      [
        {
          kind: 'request',
          requestID: 'r3',
          method: 'patchDiff',
          entity,
          headers: { ifUnmodifiedSince: V1 },
          body: { diff: { name: 'B', gone: undefined } },
        },
        'request/patchDiff',
      ],
      [{ kind: 'request', requestID: 'r4', method: 'delete', entity }, 'request/delete'],
      [{ kind: 'request', requestID: 'r5', method: 'patchUndelete', entity }, 'request/patchUndelete'],
      [{ kind: 'request', requestID: 'r6', method: 'unsubscribe', entity }, 'request/unsubscribe'],
      [{ kind: 'response', requestID: 'r1', method: 'post', entity, status: 201, body: { value: { name: 'Acme' }, meta } }, 'response/201'],
      [{ kind: 'response', requestID: 'r2', method: 'get', entity, status: 304 }, 'response/304'],
      [{ kind: 'update', entity, diff: { name: 'B' }, meta, baseValidFrom: V1 }, 'update'],
    ];
    for (const [message, type] of messages) {
      const result = decodeTemporal(wsFrame(message));
      expect(result.ok && result.type).toBe(type);
    }
  });

  it('keeps structured-clone values and deleted keys of a diff', () => {
    const when = new Date(Date.UTC(2025, 0, 1));
    const result = decodeTemporal(
      wsFrame({
        kind: 'request',
        requestID: 'r',
        method: 'patchDiff',
        entity: { id: 'e', type: 'org' },
        headers: { ifUnmodifiedSince: V1 },
        body: { diff: { when, old: undefined } },
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok || result.message.channel !== 'ws' || result.message.message.kind !== 'request') return;
    const request = result.message.message;
    expect(request.method === 'patchDiff' && request.body.diff).toEqual({ when, old: undefined });
    expect(request.method === 'patchDiff' && 'old' in request.body.diff).toBe(true);
  });

  it('names the field of a wrong-typed message', () => {
    const result = decodeTemporal(wsFrame({ kind: 'request', requestID: 7, method: 'get', entity: { id: 'e', type: 'org' } }));
    expect(result).toMatchObject({ ok: false, error: { path: ['requestID'] } });
    const badDate = decodeTemporal(
      wsFrame({
        kind: 'update',
        entity: { id: 'e', type: 'org' },
        diff: {},
        meta: { ...meta, validFrom: '2025-03-01' },
        baseValidFrom: V1,
      }),
    );
    expect(badDate).toMatchObject({ ok: false, error: { path: ['meta', 'validFrom'] } });
    expect(!badDate.ok && badDate.error.reason).toContain('milliseconds');
  });

  it('names unknown kinds and methods', () => {
    expect(decodeTemporal(wsFrame({ kind: 'hello' }))).toMatchObject({ ok: false, error: { path: ['kind'] } });
    const put = decodeTemporal(wsFrame({ kind: 'request', requestID: 'r', method: 'put', entity: { id: 'e', type: 'org' } }));
    expect(put).toMatchObject({ ok: false, error: { path: ['method'] } });
    expect(!put.ok && put.error.reason).toContain('unknown method "put"');
  });

  it('reports a truncated frame as a cbor error with its offset', () => {
    const bytes = encodeWire({ kind: 'update', entity: { id: 'e', type: 'org' }, diff: { a: 1 }, meta, baseValidFrom: V1 });
    const frame: RawFrame = {
      seq: 1,
      t: 1,
      transport: 'websocket',
      conn: 'c',
      dir: 'in',
      kind: 'message',
      b64: bytesToBase64(bytes.slice(0, bytes.length - 5)),
    };
    const result = decodeTemporal(frame);
    expect(result).toMatchObject({ ok: false, error: { codec: 'cbor' } });
  });
});

describe('decode: browser channels and blueprint HTTP', () => {
  it('decodes channel messages and names a bad field', () => {
    const base = {
      seq: 1,
      t: 1,
      transport: 'broadcast',
      conn: 'bc',
      dir: 'local',
      kind: 'message',
      meta: { channel: 'temporal:ack' },
    } as const;
    const ok = decodeTemporal({ ...base, json: { kind: 'ack', updateID: 'u1', storeID: 's1', entity: { id: 'e', type: 'org' } } });
    expect(ok.ok && ok.type).toBe('ack');
    const bad = decodeTemporal({
      ...base,
      json: { kind: 'upstream', changeID: 'c', storeID: 's', entity: { id: 'e', type: 'org' }, diff: 'x', baseValidFrom: V1 },
    });
    expect(bad).toMatchObject({ ok: false, error: { path: ['diff'] } });
    expect(decodeTemporal({ ...base, json: { kind: 'nope' } })).toMatchObject({ ok: false, error: { path: ['kind'] } });
  });

  it('decodes a blueprint response and rejects a body that is not one', () => {
    const response = (body: unknown, status = 200): RawFrame => ({
      seq: 2,
      t: 2,
      transport: 'http',
      conn: 'h',
      dir: 'in',
      kind: 'response',
      text: JSON.stringify(body),
      meta: { url: '/temporal-entity/widget/v1/abc', method: 'GET', status },
    });
    expect(decodeTemporal(response({ value: { a: 1 }, meta, idString: 'abc' }))).toMatchObject({ ok: true, type: 'http/200' });
    expect(decodeTemporal(response({ value: { a: 1 }, meta: { ...meta, validTo: 5 }, idString: 'abc' }))).toMatchObject({ ok: false });
    expect(decodeTemporal(response({ error: { message: 'gone', status: 404 } }, 404))).toMatchObject({ ok: true, type: 'http/404' });
    const notModified: RawFrame = {
      seq: 3,
      t: 3,
      transport: 'http',
      conn: 'h',
      dir: 'in',
      kind: 'response',
      meta: { url: '/temporal-entity/widget/v1/abc', method: 'GET', status: 304 },
    };
    expect(decodeTemporal(notModified)).toMatchObject({ ok: true, type: 'http/304' });
    expect(decodeTemporal({ ...notModified, meta: { ...notModified.meta, url: '/elsewhere' } })).toMatchObject({
      ok: false,
      error: { path: ['url'] },
    });
  });
});

describe('decode: deep-object-diff deltas in blueprint PATCH bodies', () => {
  it('keeps index-keyed array diffs and deleted keys', async () => {
    const { readFileSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const lines = readFileSync(fileURLToPath(new URL('./fixtures/public-http-cbor.syncscope.jsonl', import.meta.url)), 'utf8')
      .trim()
      .split('\n');
    const patch = lines.map((l) => JSON.parse(l) as RawFrame).find((f) => f.kind === 'request' && f.meta?.method === 'PATCH');
    const result = patch ? decodeTemporal(patch) : undefined;
    expect(result?.ok).toBe(true);
    if (!result?.ok || result.message.channel !== 'http-request') return;
    const body = result.message.body;
    expect(body && 'delta' in body && body.delta).toEqual({ color: 'blue', tags: { 1: 'c', 2: 'd' }, legacy: undefined });
    expect(body && 'delta' in body && 'legacy' in body.delta).toBe(true);
  });
});
