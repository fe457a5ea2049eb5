import { bytesToBase58, bytesToBase64, type RawFrame } from '@syncscope/protocols/core';
import { describe, expect, it } from 'vitest';
import { encodeFrame, encodeRange, encodeRangeRequest, encodeStoragePages, PAGE_SIZE } from './codec.ts';
import { decodeSqlsync } from './decode.ts';
import { exactRules, matchSqlsync } from './detect.ts';
import { summarizeSqlsync } from './dissector.ts';

const frame = (payload: Partial<RawFrame>, dir: RawFrame['dir'] = 'out', transport: RawFrame['transport'] = 'websocket'): RawFrame => ({
  seq: 0,
  t: 0,
  transport,
  conn: 'c1',
  dir,
  kind: 'message',
  ...payload,
});
const text = (value: unknown, dir: RawFrame['dir'] = 'out') => frame({ text: JSON.stringify(value) }, dir);
const bin = (bytes: Uint8Array, dir: RawFrame['dir'] = 'out') => frame({ b64: bytesToBase64(bytes) }, dir);
const ID16 = bytesToBase58(Uint8Array.from({ length: 16 }, (_, i) => i + 1));
const ID32 = bytesToBase58(Uint8Array.from({ length: 32 }, (_, i) => 200 - i));

describe('engine protocol', () => {
  it('decodes every message type', () => {
    const messages = [
      { type: 'open', docs: [{ doc: 'd1', storageRange: null, timeline: 't1' }] },
      {
        type: 'timeline-sync',
        doc: 'd1',
        partial: { id: 't1', range: { first: 0, last: 1 }, entries: [{ tag: 'A' }, { tag: 'B', id: 'x' }] },
      },
      { type: 'timeline-range', doc: 'd1', timeline: 't1', range: { first: 0, last: 1 } },
      {
        type: 'storage-sync',
        doc: 'd1',
        partial: { id: 'd1', range: { first: 0, last: 0 }, entries: [{ timeline: 't1', lsn: 0, mutation: { tag: 'A' }, rejected: 'no' }] },
      },
      { type: 'storage-range', doc: 'd1', range: { first: 0, last: 0 } },
      { type: 'error', code: 'bad-message', message: 'x', field: 'docs.0.doc' },
    ];
    for (const message of messages) {
      const result = decodeSqlsync(text(message));
      expect(result.ok, JSON.stringify(result)).toBe(true);
      if (result.ok) {
        expect(result.type).toBe(message.type);
        expect(summarizeSqlsync(result.message).length).toBeGreaterThan(0);
      }
    }
  });

  it('names the field of a wrong-typed message', () => {
    const result = decodeSqlsync(text({ type: 'timeline-range', doc: 'd1', timeline: 't1', range: { first: 'zero', last: 1 } }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.path).toEqual(['range', 'first']);
      expect(result.error.reason).toContain('timeline-range: range.first');
    }
  });

  it('refuses a partial whose entries do not fill its range', () => {
    const result = decodeSqlsync(
      text({ type: 'timeline-sync', doc: 'd', partial: { id: 't', range: { first: 3, last: 5 }, entries: [{ tag: 'A' }] } }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.path).toEqual(['partial', 'entries']);
  });

  it('reports unknown types, truncated JSON and non-objects as typed errors', () => {
    const unknown = decodeSqlsync(text({ type: 'teleport' }));
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.reason).toContain('unknown message type "teleport"');
    const truncated = decodeSqlsync(frame({ text: '{"type":"open","docs":[' }));
    expect(truncated.ok).toBe(false);
    if (!truncated.ok) expect(truncated.error.codec).toBe('json');
    const array = decodeSqlsync(text([1, 2]));
    expect(array.ok).toBe(false);
  });
});

describe('sqlsync 0.3 replication (bincode)', () => {
  it('round-trips RangeRequest, Range and both kinds of Frame', () => {
    const request = decodeSqlsync(bin(encodeRangeRequest(ID16, { NonEmpty: { first: 0, last: 4 } })));
    expect(request).toMatchObject({
      ok: true,
      type: 'RangeRequest',
      message: { msg: { RangeRequest: { id: ID16, source_range: { NonEmpty: { first: 0, last: 4 } } } } },
    });
    const range = decodeSqlsync(bin(encodeRange({ Empty: { nextlsn: 7 } }), 'in'));
    expect(range).toMatchObject({ ok: true, type: 'Range', message: { msg: { Range: { range: { Empty: { nextlsn: 7 } } } } } });
    const mutation = new TextEncoder().encode(JSON.stringify({ tag: 'AddMessage', id: 'm1', msg: 'hi' }));
    const timeline = decodeSqlsync(bin(encodeFrame(ID16, 3, mutation), 'out'));
    expect(timeline).toMatchObject({
      ok: true,
      type: 'Frame',
      message: { msg: { Frame: { lsn: 3, payload: { kind: 'mutation', mutation: { tag: 'AddMessage' } } } } },
    });
    const page = new Uint8Array(PAGE_SIZE).fill(0);
    page[0] = 9;
    const storage = decodeSqlsync(
      bin(
        encodeFrame(
          ID32,
          1,
          encodeStoragePages([
            { index: 0, page },
            { index: 5, page },
          ]),
        ),
        'in',
      ),
    );
    expect(storage).toMatchObject({
      ok: true,
      message: {
        msg: {
          Frame: {
            id: ID32,
            payload: {
              kind: 'pages',
              pages: [
                { index: 0, nonZeroBytes: 1 },
                { index: 5, nonZeroBytes: 1 },
              ],
            },
          },
        },
      },
    });
  });

  it('names the field where bytes run out or are wrong', () => {
    const whole = encodeRangeRequest(ID16, { NonEmpty: { first: 0, last: 4 } });
    const truncated = decodeSqlsync(bin(whole.subarray(0, whole.length - 3)));
    expect(truncated.ok).toBe(false);
    if (!truncated.ok) {
      expect(truncated.error.reason).toMatch(/^RangeRequest\.source_range\.NonEmpty\.last: truncated/);
      expect(truncated.error.codec).toBe('bincode');
    }
    const badTag = decodeSqlsync(bin(Uint8Array.of(9, 0, 0, 0)));
    expect(badTag.ok).toBe(false);
    if (!badTag.ok) expect(badTag.error.reason).toContain('unknown message tag 9');
    const shortId = decodeSqlsync(bin(Uint8Array.of(0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3)));
    if (!shortId.ok) expect(shortId.error.reason).toContain('RangeRequest.id: a JournalId is 16 or 32 bytes, got 3');
    expect(shortId.ok).toBe(false);
    const frameBytes = encodeFrame(ID16, 1, new TextEncoder().encode('{"tag":"x"}'));
    const cut = decodeSqlsync(bin(frameBytes.subarray(0, frameBytes.length - 2)));
    if (!cut.ok) expect(cut.error.reason).toContain('Frame.len: announces 11 frame bytes but 9 follow');
    expect(cut.ok).toBe(false);
    const badPages = decodeSqlsync(bin(encodeFrame(ID16, 1, new Uint8Array(100)), 'in'));
    expect(badPages.ok).toBe(false);
    if (!badPages.ok) expect(badPages.error.reason).toContain('Frame.bytes: a storage frame is N x (4 + 4096) bytes; got 100');
    // A timeline frame in some other mutation encoding is well formed: shown as bytes, not an error.
    const opaque = decodeSqlsync(bin(encodeFrame(ID16, 1, Uint8Array.of(0xff, 0x00, 0x01)), 'out'));
    expect(opaque).toMatchObject({ ok: true, message: { msg: { Frame: { payload: { kind: 'opaque', hex: 'ff 00 01' } } } } });
  });

  it('never throws on arbitrary bytes', () => {
    for (let n = 0; n < 200; n++) {
      const bytes = Uint8Array.from({ length: n % 40 }, (_, i) => (i * 37 + n * 11) & 0xff);
      const result = decodeSqlsync(bin(bytes, n % 2 ? 'in' : 'out'));
      expect(typeof result.ok).toBe('boolean');
    }
  });
});

describe('tab <-> worker messages', () => {
  const worker = (json: unknown, dir: RawFrame['dir'] = 'out') => frame({ json, meta: { channel: 'sqlsync-worker' } }, dir, 'worker');
  it('decodes requests, replies and events', () => {
    expect(decodeSqlsync(worker({ tag: 'Doc', handlerId: 1, docId: 'd', req: { tag: 'Mutate', mutation: { tag: 'A' } } }))).toMatchObject({
      ok: true,
      type: 'Doc.Mutate',
    });
    expect(decodeSqlsync(worker({ tag: 'Reply', handlerId: 1, reply: { tag: 'Ack' } }, 'in'))).toMatchObject({ ok: true, type: 'Reply' });
    expect(decodeSqlsync(worker({ tag: 'Event', docId: 'd', evt: { tag: 'ConnectionStatus', status: 'connected' } }, 'in'))).toMatchObject({
      ok: true,
      type: 'Event.ConnectionStatus',
    });
  });
  it('names the field of a bad worker message', () => {
    const result = decodeSqlsync(worker({ tag: 'Doc', handlerId: 'one', docId: 'd', req: { tag: 'Open', reducerUrl: 'x' } }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.path).toEqual(['handlerId']);
    const unknown = decodeSqlsync(worker({ tag: 'Explode' }));
    if (!unknown.ok) expect(unknown.error.reason).toContain('unknown worker message "Explode"');
    expect(unknown.ok).toBe(false);
  });
});

describe('detection', () => {
  it('scores engine, replication and worker traffic and ignores others', () => {
    const conn = { id: 'c1', transport: 'websocket' as const };
    expect(matchSqlsync(conn, [text({ type: 'open', docs: [] })])).toBeGreaterThanOrEqual(0.5);
    // Shapes other protocols share are not enough on their own.
    expect(matchSqlsync(conn, [text({ type: 'error', code: 'bad-message', message: 'x' })])).toBeLessThan(0.5);
    expect(matchSqlsync(conn, [text({ type: 'open', channel: 'x' })])).toBeLessThan(0.5);
    expect(matchSqlsync(conn, [bin(encodeRangeRequest(ID16, { Empty: { nextlsn: 0 } }))])).toBeGreaterThanOrEqual(0.5);
    expect(matchSqlsync(conn, [frame({ json: { tag: 'Boot', handlerId: 0, wasmUrl: 'x' } }, 'out', 'worker')])).toBeGreaterThanOrEqual(0.5);
    expect(matchSqlsync(conn, [text({ op: 'set' }), frame({ text: 'hello' }), bin(Uint8Array.of(1, 2, 3))])).toBe(0);
  });
});

describe('the browser client’s IndexedDB snapshots', () => {
  const idb = (json: unknown, store = 'documents', db = 'sqlsync'): RawFrame =>
    frame({ transport: 'idb', conn: `idb:${db}`, dir: 'local', kind: 'write', json, meta: { db, store } }, 'local', 'idb');
  const snapshot = {
    doc: 'd1',
    timeline: { id: 't1', first: 0, entries: [{ tag: 'AddTodo', id: 'a', text: 'x' }] },
    storage: { id: 'd1', first: 0, entries: [{ timeline: 't2', lsn: 0, mutation: { tag: 'AddTodo', id: 'b', text: 'y' } }] },
  };

  it('is known by its database name and decodes a saved snapshot', () => {
    expect(exactRules.db?.test('sqlsync')).toBe(true);
    expect(exactRules.db?.test('sqlsync-test-1f2e')).toBe(true);
    const decoded = decodeSqlsync(idb({ op: 'put', key: 'd1', value: snapshot }));
    expect(decoded).toMatchObject({ ok: true, type: 'local-snapshot', message: { family: 'local', msg: { db: 'sqlsync', key: 'd1' } } });
    if (decoded.ok) expect(summarizeSqlsync(decoded.message)).toBe('stored: d1 snapshot, timeline t1 0..0, storage 0..0');
    expect(decodeSqlsync(idb({ op: 'delete', key: 'd1' }))).toMatchObject({ ok: true, type: 'local-delete' });
    expect(decodeSqlsync(idb({ op: 'clear' }))).toMatchObject({ ok: true, type: 'local-clear' });
  });

  it('names the field of a bad snapshot, a key that is not its doc, an unknown store', () => {
    const bad = { ...snapshot, storage: { ...snapshot.storage, entries: [{ timeline: 't2', lsn: -1, mutation: { tag: 'x' } }] } };
    const error = decodeSqlsync(idb({ op: 'put', key: 'd1', value: bad }));
    expect(error).toMatchObject({ ok: false, error: { path: ['value', 'storage', 'entries', 0, 'lsn'] } });
    expect(decodeSqlsync(idb({ op: 'put', key: 'd2', value: snapshot }))).toMatchObject({ ok: false, error: { path: ['key'] } });
    expect(decodeSqlsync(idb({ op: 'clear' }, 'pages'))).toMatchObject({ ok: false, error: { path: ['store'] } });
  });
});
