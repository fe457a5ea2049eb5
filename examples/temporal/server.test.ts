/**
 * The server's answers, message by message, over a raw socket: HTTP conventions as fields (201, 304, 400, 404,
 * 409, 412, 428), clear errors naming the field for bad input, chunked storage of large values across a restart.
 */

import { diff as deepDiff } from 'deep-object-diff';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDiff } from '../../protocols/temporal/diff.ts';
import type { Response, Update } from '../../protocols/temporal/schemas.ts';
import { byRequest, rawSocket, tempDir, withServer } from './test-helpers.ts';

const entity = { id: 'w1', type: 'widget' };

describe('the Temporalizable server over a raw socket', () => {
  const data = tempDir();
  let server: Awaited<ReturnType<typeof withServer>>;
  let socket: Awaited<ReturnType<typeof rawSocket>>;
  const ask = async (message: Record<string, unknown>) => {
    socket.sendValue({ kind: 'request', entity, ...message });
    return socket.next<Response>(byRequest(message.requestID as string));
  };

  beforeAll(async () => {
    server = await withServer(data.dir);
    socket = await rawSocket(server.url, 'dana');
  });
  afterAll(async () => {
    socket?.close();
    await server?.close();
    data.remove();
  });

  it('answers post 201, get 304 / diff / whole value, and 404 for an unknown entity', async () => {
    expect((await ask({ requestID: 'g0', method: 'get' })).status).toBe(404);
    const created = await ask({ requestID: 'p1', method: 'post', body: { value: { a: 1, b: { c: 2 } } } });
    expect(created).toMatchObject({
      status: 201,
      body: { value: { a: 1, b: { c: 2 } }, meta: { userID: 'dana', validTo: '9999-01-01T00:00:00.000Z' } },
    });
    const v1 = created.body?.meta?.validFrom as string;
    expect((await ask({ requestID: 'g1', method: 'get', headers: { ifModifiedSince: v1 } })).status).toBe(304);
    const patched = await ask({
      requestID: 'd1',
      method: 'patchDiff',
      headers: { ifUnmodifiedSince: v1 },
      body: { diff: { b: { c: 3 } } },
    });
    expect(patched).toMatchObject({
      status: 200,
      body: { diff: { b: { c: 3 } }, baseValidFrom: v1, meta: { previousValues: { b: { c: 2 } } } },
    });
    // The subscriber (dana subscribed with get) also gets the change downstream, as {diff, meta}.
    const update = await socket.next<Update>((m) => m.kind === 'update');
    expect(update).toMatchObject({ diff: { b: { c: 3 } }, baseValidFrom: v1 });
    expect('value' in update).toBe(false);
    expect(await ask({ requestID: 'g2', method: 'get', headers: { ifModifiedSince: v1 } })).toMatchObject({
      status: 200,
      body: { diff: { b: { c: 3 } }, baseValidFrom: v1 },
    });
    const whole = await ask({ requestID: 'g3', method: 'get', headers: { ifModifiedSince: '2001-01-01T00:00:00.000Z' } });
    expect(whole).toMatchObject({ status: 200, body: { value: { a: 1, b: { c: 3 } } } });
    expect((await ask({ requestID: 'p2', method: 'post', body: { value: {} } })).status).toBe(400);
  });

  it('answers patchDiff 428 without a version, 412 with the diff on conflict, 409 with the value on an unknown version', async () => {
    const current = await ask({ requestID: 'c0', method: 'get' });
    const latest = current.body?.meta?.validFrom as string;
    const noBase = await ask({ requestID: 'x1', method: 'patchDiff', body: { diff: { a: 5 } } });
    expect(noBase).toMatchObject({ status: 428, body: { error: { status: 428 } } });
    expect(noBase.body && 'error' in noBase.body && noBase.body.error.message).toContain('ifUnmodifiedSince');
    const unknown = await ask({
      requestID: 'x2',
      method: 'patchDiff',
      headers: { ifUnmodifiedSince: '2001-01-01T00:00:00.000Z' },
      body: { diff: { a: 5 } },
    });
    expect(unknown).toMatchObject({ status: 409, body: { value: { a: 1, b: { c: 3 } }, meta: { validFrom: latest } } });
  });

  it('detects conflicts against the version the diff was made on and merges what does not overlap', async () => {
    const start = await ask({ requestID: 's0', method: 'get' });
    const v1 = start.body?.meta?.validFrom as string;
    const other = await ask({ requestID: 's1', method: 'patchDiff', headers: { ifUnmodifiedSince: v1 }, body: { diff: { a: 10 } } });
    expect(other.status).toBe(200);
    const conflicting = await ask({ requestID: 's2', method: 'patchDiff', headers: { ifUnmodifiedSince: v1 }, body: { diff: { a: 20 } } });
    expect(conflicting).toMatchObject({ status: 412, body: { diff: { a: 10 }, baseValidFrom: v1, error: { status: 412 } } });
    expect(conflicting.body && 'error' in conflicting.body && conflicting.body.error.message).toContain('a');
    const merged = await ask({ requestID: 's3', method: 'patchDiff', headers: { ifUnmodifiedSince: v1 }, body: { diff: { z: 'new' } } });
    expect(merged).toMatchObject({ status: 200, body: { diff: { a: 10, z: 'new' }, baseValidFrom: v1 } });
  });

  it('soft-deletes and undeletes', async () => {
    expect((await ask({ requestID: 'del', method: 'delete' })).body?.meta?.deleted).toBe(true);
    expect(await ask({ requestID: 'gd', method: 'get' })).toMatchObject({ status: 404, body: { meta: { deleted: true } } });
    expect((await ask({ requestID: 'del2', method: 'delete' })).status).toBe(404);
    const back = await ask({ requestID: 'und', method: 'patchUndelete' });
    expect(back.status).toBe(200);
    expect(back.body?.meta?.deleted).toBeUndefined();
    expect((await ask({ requestID: 'und2', method: 'patchUndelete' })).status).toBe(400);
  });

  it('answers malformed input with a 400 naming the field, and keeps serving', async () => {
    socket.sendBytes(new Uint8Array([0xff, 0x00, 0x13]));
    const garbage = await socket.next<Response>((m) => m.kind === 'response' && m.status === 400 && m.requestID === null);
    expect(garbage.body && 'error' in garbage.body && garbage.body.error.message).toContain('cbor');
    socket.sendValue({
      kind: 'request',
      requestID: 'bad1',
      method: 'patchDiff',
      entity,
      headers: { ifUnmodifiedSince: 'yesterday' },
      body: { diff: {} },
    });
    const badDate = await socket.next<Response>(byRequest('bad1'));
    expect(badDate.status).toBe(400);
    expect(badDate.body && 'error' in badDate.body && badDate.body.error.message).toContain('headers.ifUnmodifiedSince');
    socket.sendValue({ kind: 'request', requestID: 'bad2', method: 'put', entity });
    expect((await socket.next<Response>(byRequest('bad2'))).body).toMatchObject({
      error: { message: expect.stringContaining('unknown method "put"') },
    });
    socket.sendValue({ kind: 'update', entity, diff: {}, meta: {}, baseValidFrom: 'x' });
    expect((await socket.next<Response>((m) => m.kind === 'response' && m.status === 400 && m.requestID === null)).status).toBe(400);
    expect((await ask({ requestID: 'alive', method: 'get' })).status).toBe(200);
  });

  it('stores a value too large for one key in chunks, and reads it back after a restart', async () => {
    const big = { rows: Array.from({ length: 4000 }, (_, i) => ({ i, text: `row ${i} `.repeat(8) })) };
    const ref = { id: 'big-1', type: 'widget' };
    socket.sendValue({ kind: 'request', requestID: 'big', method: 'post', entity: ref, body: { value: big } });
    const created = await socket.next<Response>(byRequest('big'));
    expect(created.status).toBe(201);
    expect(created.body?.meta?.chunks).toBeGreaterThan(1);
    socket.close();
    await server.close();
    server = await withServer(data.dir);
    socket = await rawSocket(server.url, 'dana');
    socket.sendValue({ kind: 'request', requestID: 'big-get', method: 'get', entity: ref });
    const read = await socket.next<Response>(byRequest('big-get'));
    expect(read.body && 'value' in read.body && read.body.value).toEqual(big);
    expect(read.body?.meta?.chunks).toBe(created.body?.meta?.chunks);
  });
});

describe('applyDiff is the inverse of deep-object-diff', () => {
  // Each key keeps one kind of value: deep-object-diff itself cannot express an empty object turning into an empty array.
  it('applyDiff(a, diff(a, b)) equals b for JSON-like objects', () => {
    const leaf = fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.boolean());
    const value = fc.record(
      {
        n: fc.integer(),
        s: fc.string({ maxLength: 3 }),
        list: fc.array(leaf, { maxLength: 4 }),
        nested: fc.record(
          { x: leaf, y: fc.array(fc.integer(), { maxLength: 3 }), z: fc.dictionary(fc.string({ maxLength: 2 }), leaf, { maxKeys: 3 }) },
          { requiredKeys: [] },
        ),
        any: leaf,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(applyDiff(a, deepDiff(a, b) as Record<string, unknown>)).toEqual(b);
      }),
      { numRuns: 300 },
    );
  });
});
