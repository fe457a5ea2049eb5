import { Packr, Unpackr } from 'msgpackr';
import { type Decoded, decoded, failed, reasonOf } from './result.ts';

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'bigint' });
const packr = new Packr({ useRecords: false });

export function decodeMsgpack(bytes: Uint8Array): Decoded<unknown> {
  if (bytes.length === 0) return failed('msgpack', 'empty payload', 0);
  try {
    const values = unpackr.unpackMultiple(bytes) as unknown[] | undefined;
    if (!values || values.length === 0) return failed('msgpack', 'no value', 0);
    if (values.length > 1) return failed('msgpack', `${values.length} values where one was expected`);
    return decoded(values[0]);
  } catch (thrown) {
    return failed('msgpack', reasonOf(thrown));
  }
}

export function encodeMsgpack(value: unknown): Uint8Array {
  return packr.pack(value);
}
