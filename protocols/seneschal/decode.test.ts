import { describe, expect, it } from 'vitest';
import type { RawFrame } from '../core/index.ts';
import { decodeFrame } from './decode.ts';
import { match } from './detect.ts';

let seq = 0;
const ws = (dir: 'in' | 'out', text: string): RawFrame => ({
  seq: seq++,
  t: 0,
  transport: 'websocket',
  conn: 'c',
  dir,
  kind: 'message',
  text,
});
const envelope = { timestamp: 1, clientID: 'c1', dispatch: { action: 'items/upsert', payload: ['ob1', { qty: '2' }] } };

describe('seneschal decode', () => {
  it('decodes each client and server message type', () => {
    const out = [
      { type: 'hello', token: 't', clientID: 'c1' },
      { type: 'rehydrate', dispatches: [{ id: 'd1', envelope }] },
      { type: 'dispatch', id: 'd2', envelope },
      { type: 'received', ids: ['d3'] },
      { type: 'share', oid: 'l1', principal: { kind: 'group', id: 'g1' }, allow: true },
    ];
    for (const message of out) expect(decodeFrame(ws('out', JSON.stringify(message)))).toMatchObject({ ok: true, type: message.type });
    const inbound = [
      { type: 'welcome', userID: 'u1', clientID: 'c1' },
      { type: 'rehydrateBegin' },
      { type: 'rehydrateEnd', accepted: ['d1'], queued: 0 },
      { type: 'dispatch', id: 'd3', envelope, reason: 'reduced', times: { qty: 1 } },
      { type: 'ack', id: 'd2' },
      { type: 'error', code: 'bad-message', message: 'x' },
    ];
    for (const message of inbound) expect(decodeFrame(ws('in', JSON.stringify(message)))).toMatchObject({ ok: true, type: message.type });
  });

  it('decodes the public envelope and journal entries', () => {
    expect(decodeFrame(ws('out', JSON.stringify(envelope)))).toMatchObject({ ok: true, type: 'envelope' });
    const entry = { timestamp: 1, slice: 'items', action: 'upsert', actionID: 'a1', payload: ['ob1', {}], user: 'u', client: 'c' };
    expect(decodeFrame(ws('in', JSON.stringify([entry])))).toMatchObject({ ok: true, type: 'journal' });
  });

  it('names the field of a wrong-typed message', () => {
    const bad = { type: 'dispatch', id: 'd2', envelope: { ...envelope, timestamp: 'soon' } };
    const result = decodeFrame(ws('out', JSON.stringify(bad)));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.path).toEqual(['envelope', 'timestamp']);
      expect(result.error.reason).toContain('dispatch: envelope.timestamp');
    }
    const payload = decodeFrame(ws('out', JSON.stringify({ ...envelope, dispatch: { action: 'noslash', payload: ['x', {}] } })));
    expect(payload.ok).toBe(false);
    if (!payload.ok) expect(payload.error.path).toEqual(['dispatch', 'action']);
  });

  it('drops a __proto__ property instead of letting it replace a prototype', () => {
    const text = `{"timestamp":1,"clientID":"c","dispatch":{"action":"items/upsert","payload":["o",{"__proto__":{"x":1},"qty":"2"}]}}`;
    const result = decodeFrame(ws('out', text));
    expect(result.ok).toBe(true);
    if (result.ok && result.message.kind === 'envelope') {
      const data = result.message.message.dispatch.payload[1];
      expect(Object.keys(data)).toEqual(['qty']);
      expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    }
  });

  it('reports an unknown message type as such', () => {
    const result = decodeFrame(ws('in', '{"type":"teleport"}'));
    expect(result).toMatchObject({ ok: false, error: { path: ['type'] } });
    if (!result.ok) expect(result.error.reason).toContain('unknown server message "teleport"');
    // A client-only message arriving from the server is unknown in that direction.
    expect(decodeFrame(ws('in', '{"type":"hello","token":"t","clientID":"c"}')).ok).toBe(false);
  });

  it('reports truncated JSON with an offset, never throwing', () => {
    const text = JSON.stringify({ type: 'rehydrate', dispatches: [{ id: 'd1', envelope }] });
    const result = decodeFrame(ws('out', text.slice(0, 30)));
    expect(result).toMatchObject({ ok: false, error: { codec: 'json' } });
    if (!result.ok) expect(typeof result.error.offset).toBe('number');
    expect(decodeFrame({ seq: 1, t: 0, transport: 'websocket', conn: 'c', dir: 'in', kind: 'message', b64: 'AAEC' }).ok).toBe(false);
    expect(decodeFrame(ws('out', 'null')).ok).toBe(false);
    expect(decodeFrame(ws('out', '[{"timestamp":1}]'))).toMatchObject({ ok: false, error: { path: [0, 'slice'] } });
  });

  it('decodes login exchanges by URL and status', () => {
    const url = 'http://h/seneschal/login';
    const request: RawFrame = {
      seq: 1,
      t: 0,
      transport: 'http',
      conn: 'h',
      dir: 'out',
      kind: 'request',
      text: '{"username":"a","password":"[redacted]","clientID":"c"}',
      meta: { url, method: 'POST' },
    };
    expect(decodeFrame(request)).toMatchObject({ ok: true, type: 'login' });
    const denied: RawFrame = {
      ...request,
      dir: 'in',
      kind: 'response',
      text: '{"error":{"code":"unauthorized","message":"bad password"}}',
      meta: { url, status: 401 },
    };
    expect(decodeFrame(denied)).toMatchObject({ ok: true, type: 'http-error' });
    const missing: RawFrame = { ...request, text: '{"username":"a","clientID":"c"}' };
    expect(decodeFrame(missing)).toMatchObject({ ok: false, error: { path: ['password'] } });
  });

  it('decodes IndexedDB writes of the browser client and names the bad field', () => {
    const write = (store: string, json: unknown): RawFrame => ({
      seq: 1,
      t: 0,
      transport: 'idb',
      conn: 'i',
      dir: 'local',
      kind: 'write',
      json,
      meta: { db: 'seneschal-c', store },
    });
    expect(decodeFrame(write('unsent', { op: 'put', key: 'd1', value: { id: 'd1', envelope } }))).toMatchObject({
      ok: true,
      type: 'unsent-put',
    });
    expect(decodeFrame(write('objects', { op: 'delete', key: 'ob1' }))).toMatchObject({ ok: true, type: 'objects-delete' });
    expect(decodeFrame(write('unsent', { op: 'put', key: 'd1', value: { id: 'd1' } }))).toMatchObject({
      ok: false,
      error: { path: ['value', 'envelope'] },
    });
    expect(decodeFrame(write('objects', { op: 'put', key: 'o', value: { slice: 1, props: {} } }))).toMatchObject({
      ok: false,
      error: { path: ['value', 'slice'] },
    });
    expect(decodeFrame(write('elsewhere', { op: 'put', key: 'o', value: 1 }))).toMatchObject({
      ok: false,
      error: { path: ['meta', 'store'] },
    });
  });

  it('detects by shape', () => {
    expect(match({ id: 'c', transport: 'websocket' }, [ws('in', '{"type":"rehydrateBegin"}')])).toBeGreaterThan(0.5);
    expect(match({ id: 'c', transport: 'websocket' }, [ws('out', JSON.stringify(envelope))])).toBeGreaterThan(0.5);
    expect(match({ id: 'c', transport: 'websocket' }, [ws('out', '{"op":"set"}')])).toBe(0);
  });
});
