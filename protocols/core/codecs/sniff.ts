/**
 * Guesses the codec of a binary payload and says how sure it is. Every candidate is actually decoded; a codec
 * that decodes all bytes into a map or array is a far better guess than one that yields a lone scalar, since
 * almost any byte string is some CBOR or MessagePack scalar.
 */
import { decodeCbor } from './cbor.ts';
import { decodeJson, decodeUtf8 } from './json.ts';
import { decodeMsgpack } from './msgpack.ts';
import type { CodecName } from './result.ts';

export interface Sniffed {
  codec: CodecName;
  /** 0..1: how sure the guess is. */
  confidence: number;
  value: unknown;
}

const isStructured = (v: unknown) => typeof v === 'object' && v !== null && !(v instanceof Uint8Array);

export function sniffText(text: string): Sniffed {
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    const json = decodeJson(text);
    if (json.ok) return { codec: 'json', confidence: 0.95, value: json.value };
  }
  if (first === '<') return { codec: 'xml', confidence: 0.6, value: text };
  return { codec: 'text', confidence: 0.5, value: text };
}

export function sniffBytes(bytes: Uint8Array): Sniffed {
  const text = decodeUtf8(bytes);
  if (text.ok && bytes.length > 0 && isPrintable(text.value)) {
    const asText = sniffText(text.value);
    if (asText.codec !== 'text') return asText;
  }
  const candidates: Sniffed[] = [];
  const cbor = decodeCbor(bytes);
  if (cbor.ok) candidates.push({ codec: 'cbor', confidence: isStructured(cbor.value) ? 0.7 : 0.15, value: cbor.value });
  const msgpack = decodeMsgpack(bytes);
  if (msgpack.ok) candidates.push({ codec: 'msgpack', confidence: isStructured(msgpack.value) ? 0.7 : 0.15, value: msgpack.value });
  const lead = bytes[0] ?? 0;
  for (const candidate of candidates) {
    // Lead bytes that only one of the two formats uses for a container settle a tie.
    if (candidate.codec === 'cbor' && ((lead >= 0xa0 && lead <= 0xbf) || lead === 0xd9 || lead === 0xd8)) candidate.confidence += 0.15;
    if (candidate.codec === 'msgpack' && ((lead >= 0x80 && lead <= 0x8f) || lead === 0xde || lead === 0xdf)) candidate.confidence += 0.15;
  }
  candidates.sort((a, b) => b.confidence - a.confidence);
  const best = candidates[0];
  if (best && best.confidence >= 0.5) return best;
  if (text.ok && bytes.length > 0 && isPrintable(text.value)) return { codec: 'text', confidence: 0.5, value: text.value };
  return best ?? { codec: 'bytes', confidence: 0.1, value: bytes };
}

function isPrintable(text: string): boolean {
  // Control characters other than tab/newline/carriage return mean binary that happens to be valid UTF-8.
  return !/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text);
}
