/** Seneschal speaks JSON text on its socket and over HTTP; journals may be streamed as NDJSON. */
import { type Decoded, decodeJson, decodeNdjson } from '../core/index.ts';
import type { ClientMessage, ServerMessage } from './schemas.ts';

export function encodeMessage(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}

/** A text body as one JSON value, or, when it is several lines, as the list of its NDJSON lines. */
export function parseBody(text: string): Decoded<unknown> {
  const whole = decodeJson(text);
  if (whole.ok || !text.trim().includes('\n')) return whole;
  return decodeNdjson(text);
}
