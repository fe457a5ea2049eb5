import { Decoder, Encoder } from 'cbor-x';
import { type Decoded, decoded, failed, reasonOf } from './result.ts';

// structuredClone mode reads the tags cbor-x writes for Map, Set, Date, typed arrays and shared references: the
// encoding the temporal note puts on its WebSocket (application/cbor-sc).
const decoder = new Decoder({ structuredClone: true, mapsAsObjects: true, useRecords: false });
const encoder = new Encoder({ structuredClone: true, useRecords: false });

export function decodeCbor(bytes: Uint8Array): Decoded<unknown> {
  if (bytes.length === 0) return failed('cbor', 'empty payload', 0);
  try {
    const values = decoder.decodeMultiple(bytes) as unknown[] | undefined;
    if (!values || values.length === 0) return failed('cbor', 'no value', 0);
    if (values.length > 1) return failed('cbor', `${values.length} values where one was expected`);
    return decoded(values[0]);
  } catch (thrown) {
    return failed('cbor', reasonOf(thrown), errorOffset(thrown));
  }
}

export function encodeCbor(value: unknown): Uint8Array {
  return encoder.encode(value);
}

function errorOffset(thrown: unknown): number | undefined {
  const position = (thrown as { position?: unknown } | null)?.position;
  return typeof position === 'number' ? position : undefined;
}
