import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base58ToBytes, base64ToBytes, bytesToBase58, bytesToBase64 } from '../base64.ts';
import { type BincodeLayout, BincodeWriter, decodeBincode } from './bincode.ts';
import { decodeCbor, encodeCbor } from './cbor.ts';
import { decodeJson, decodeNdjson, decodeUtf8, utf8ByteLength } from './json.ts';
import { decodeMsgpack, encodeMsgpack } from './msgpack.ts';
import { sniffBytes, sniffText } from './sniff.ts';

const RUNS = { numRuns: 2000, seed: 20261122 };

// A layout shaped like sqlsync's replication messages: enums, u64s, fixed ids, options and sequences.
const LAYOUTS: BincodeLayout[] = [
  'u64',
  'string',
  { seq: 'u32' },
  {
    enum: [
      [
        'RangeRequest',
        {
          struct: [
            ['id', { fixedBytes: 16 }],
            [
              'source_range',
              {
                enum: [
                  ['Empty', { struct: [['nextlsn', 'u64']] }],
                  [
                    'NonEmpty',
                    {
                      struct: [
                        ['first', 'u64'],
                        ['last', 'u64'],
                      ],
                    },
                  ],
                ],
              },
            ],
          ],
        },
      ],
      [
        'Range',
        {
          struct: [
            [
              'range',
              {
                option: {
                  struct: [
                    ['first', 'u64'],
                    ['last', 'u64'],
                  ],
                },
              },
            ],
          ],
        },
      ],
      [
        'Frame',
        {
          struct: [
            ['id', 'bytes'],
            ['lsn', 'u64'],
            ['len', 'u64'],
          ],
        },
      ],
      ['Ping', null],
    ],
  },
];

function expectTyped(result: { ok: boolean; error?: { codec: string; reason: string } }) {
  if (!result.ok) {
    expect(typeof result.error?.codec).toBe('string');
    expect(result.error?.reason.length).toBeGreaterThan(0);
  }
}

describe('every codec on any bytes', () => {
  it('returns a value or a typed error, never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        expectTyped(decodeCbor(bytes));
        expectTyped(decodeMsgpack(bytes));
        const text = decodeUtf8(bytes);
        expectTyped(text);
        if (text.ok) {
          expectTyped(decodeJson(text.value));
          expectTyped(decodeNdjson(text.value));
          expect(sniffText(text.value).confidence).toBeGreaterThan(0);
        }
        for (const layout of LAYOUTS) expectTyped(decodeBincode(bytes, layout));
        const sniffed = sniffBytes(bytes);
        expect(sniffed.confidence).toBeGreaterThan(0);
        expect(sniffed.confidence).toBeLessThanOrEqual(1);
      }),
      RUNS,
    );
  });
});

describe('round trips', () => {
  it('cbor keeps structured-clone values (Map, Set, Date, bytes)', () => {
    const value = { m: new Map([['a', 1]]), s: new Set([1, 2]), d: new Date('2026-01-02T03:04:05.006Z'), b: Uint8Array.from([1, 2, 3]) };
    const back = decodeCbor(encodeCbor(value));
    expect(back).toEqual({ ok: true, value });
  });

  it('msgpack and cbor agree with JSON on JSON values (dropping __proto__ keys, a prototype-pollution guard)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const normal = JSON.parse(JSON.stringify(value), (key, v) => (key === '__proto__' ? undefined : v));
        expect(decodeMsgpack(encodeMsgpack(normal))).toEqual({ ok: true, value: normal });
        expect(decodeCbor(encodeCbor(normal))).toEqual({ ok: true, value: normal });
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('utf8ByteLength counts what TextEncoder writes, lone surrogates included', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.oneof(fc.constant('\ud800'), fc.constant('\udc00'), fc.constantFrom('a', 'é', '€'), fc.string({ unit: 'grapheme' })),
        }),
        (text) => {
          expect(utf8ByteLength(text)).toBe(encoder.encode(text).length);
        },
      ),
      { numRuns: 2000, seed: 11 },
    );
  });

  it('bincode writer and reader are inverse', () => {
    const layout = LAYOUTS[3] as BincodeLayout;
    const range = fc.oneof(
      fc.record({ Empty: fc.record({ nextlsn: fc.nat() }) }),
      fc.record({ NonEmpty: fc.record({ first: fc.nat(), last: fc.nat() }) }),
    );
    const message = fc.oneof(
      fc.record({ RangeRequest: fc.record({ id: fc.uint8Array({ minLength: 16, maxLength: 16 }), source_range: range }) }),
      fc.record({ Range: fc.record({ range: fc.option(fc.record({ first: fc.nat(), last: fc.nat() }), { nil: null }) }) }),
      fc.record({ Frame: fc.record({ id: fc.uint8Array({ maxLength: 32 }), lsn: fc.nat(), len: fc.nat() }) }),
      fc.constant({ Ping: null }),
    );
    fc.assert(
      fc.property(message, (value) => {
        const bytes = new BincodeWriter().write(layout, value).finish();
        const back = decodeBincode(bytes, layout);
        expect(back.ok && back.value.value).toEqual(value);
        expect(back.ok && back.value.rest.length).toBe(0);
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it('bincode reports where a truncated message ends', () => {
    const bytes = new BincodeWriter()
      .u32(2)
      .bytes(Uint8Array.from([1, 2, 3]))
      .u64(7)
      .finish()
      .subarray(0, 18);
    const result = decodeBincode(bytes, LAYOUTS[3] as BincodeLayout);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.codec).toBe('bincode');
      expect(result.error.offset).toBe(15);
      expect(result.error.reason).toMatch(/truncated: u64/);
    }
  });

  it('bincode rejects an unknown enum tag, naming it', () => {
    const result = decodeBincode(new BincodeWriter().u32(9).finish(), LAYOUTS[3] as BincodeLayout);
    expect(result).toEqual({ ok: false, error: { codec: 'bincode', offset: 0, reason: '$: enum tag 9 is not one of 0..3' } });
  });

  it('base64 and base58 round trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes);
        expect(base58ToBytes(bytesToBase58(bytes))).toEqual(bytes);
      }),
      { numRuns: 500, seed: 3 },
    );
  });
});

describe('the sniffer', () => {
  it('recognises JSON text, CBOR maps and MessagePack maps', () => {
    expect(sniffBytes(new TextEncoder().encode('{"a":1}')).codec).toBe('json');
    expect(sniffBytes(encodeCbor({ diff: { a: 1 }, meta: { v: 2 } })).codec).toBe('cbor');
    expect(sniffBytes(encodeMsgpack({ cmd: 'sync', lastSyncId: 4 })).codec).toBe('msgpack');
    expect(sniffText('hello').codec).toBe('text');
  });

  it('says it is unsure about bytes that are no known format', () => {
    const sniffed = sniffBytes(Uint8Array.from([0xc1, 0xff, 0x00]));
    expect(sniffed.confidence).toBeLessThan(0.5);
  });

  it('reports the JSON error position', () => {
    const result = decodeJson('{"a": tru}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.offset).toBe(9); // where "tru" meets "}"
    const truncated = decodeJson('{"a": [1, 2');
    expect(truncated.ok === false && truncated.error.offset).toBe(11);
  });
});
