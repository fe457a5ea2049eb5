import { base64ToBytes } from './base64.ts';
import type { Payload, RawFrame } from './frame.ts';

/** The payload of a frame in the form the codecs read. Base64 that does not decode yields no bytes, not a throw. */
export function payloadOf(frame: RawFrame): Payload {
  if (frame.text !== undefined) return { form: 'text', text: frame.text };
  if (frame.b64 !== undefined) {
    try {
      return { form: 'bytes', bytes: base64ToBytes(frame.b64) };
    } catch {
      return { form: 'bytes', bytes: new Uint8Array() };
    }
  }
  if (frame.json !== undefined) return { form: 'json', value: frame.json };
  return { form: 'none' };
}

/** Bytes a frame occupies, as the tap reported or as measured from its payload. */
export function frameSize(frame: RawFrame): number {
  if (frame.size !== undefined) return frame.size;
  if (frame.text !== undefined) return frame.text.length;
  if (frame.b64 !== undefined) return Math.floor((frame.b64.length * 3) / 4);
  return 0;
}
