/**
 * How temporal messages go on the wire: cbor-x with the structured-clone extension on the WebSocket (so Dates,
 * Maps, Sets and `undefined` in diffs survive), and for the public HTTP format whatever the content type says.
 */
import { type Decoded, decodeCbor, decodeJson, encodeCbor, failed } from '../core/codecs/index.ts';
import type { Payload } from '../core/frame.ts';
import type { WireMessage } from './schemas.ts';

/** blueprint's media type for cbor-x structured clone; it also sends plain `application/cbor` and JSON. */
export const CBOR_SC = 'application/cbor-sc';

export function encodeWire(message: WireMessage): Uint8Array {
  return encodeCbor(message);
}

export function decodeWire(bytes: Uint8Array): Decoded<unknown> {
  return decodeCbor(bytes);
}

/** A payload to a raw value: bytes are CBOR, text is JSON, a structured value is itself. */
export function rawValueOf(payload: Payload): Decoded<unknown> {
  switch (payload.form) {
    case 'bytes':
      return decodeCbor(payload.bytes);
    case 'text':
      return decodeJson(payload.text);
    case 'json':
      return { ok: true, value: payload.value };
    default:
      return failed('cbor', 'the frame has no payload');
  }
}
