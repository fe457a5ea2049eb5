/**
 * Base64 without Buffer, so the same code runs in pages, workers and Node. Large inputs go through in chunks to
 * stay under the engine's argument limits for String.fromCharCode.
 */
const CHUNK = 0x8000;

/** The engine's own base64 (Chromium 140+, Firefox 133+), much faster than going through a binary string. */
type NativeBase64 = { toBase64?: (this: Uint8Array) => string };
const nativeToBase64 = (Uint8Array.prototype as NativeBase64).toBase64;
const nativeFromBase64 = (Uint8Array as { fromBase64?: (b64: string) => Uint8Array }).fromBase64;
/**
 * Node 20 has neither: its Buffer decodes base64 natively (a session file's binary frames are base64, and
 * decoding them through atob was a tenth of folding a CBOR session in `syncscope dump`). Absent in pages.
 */
type NodeBuffer = { from(text: string, encoding: 'base64'): Uint8Array };
const nodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;

export function bytesToBase64(bytes: Uint8Array): string {
  if (nativeToBase64) return nativeToBase64.call(bytes);
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

export function base64ToBytes(b64: string): Uint8Array {
  if (nativeFromBase64) return nativeFromBase64(b64);
  const viaBuffer = nodeBuffer && fromNodeBuffer(nodeBuffer, b64);
  if (viaBuffer) return viaBuffer;
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function bytesToHex(bytes: Uint8Array, max = Number.POSITIVE_INFINITY): string {
  const parts: string[] = [];
  const end = Math.min(bytes.length, max);
  for (let i = 0; i < end; i++) parts.push((bytes[i] as number).toString(16).padStart(2, '0'));
  return parts.join(' ') + (bytes.length > end ? ' …' : '');
}

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Bitcoin-alphabet base58, the text form sqlsync gives its 16/32-byte journal ids. */
export function bytesToBase58(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  let value = 0n;
  for (const byte of bytes) value = value * 256n + BigInt(byte);
  let out = '';
  while (value > 0n) {
    out = BASE58_ALPHABET[Number(value % 58n)] + out;
    value /= 58n;
  }
  return '1'.repeat(zeros) + out;
}

export function base58ToBytes(text: string): Uint8Array | undefined {
  let value = 0n;
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros++;
  for (const char of text) {
    const digit = BASE58_ALPHABET.indexOf(char);
    if (digit < 0) return undefined;
    value = value * 58n + BigInt(digit);
  }
  const body: number[] = [];
  while (value > 0n) {
    body.unshift(Number(value % 256n));
    value /= 256n;
  }
  return new Uint8Array([...new Array<number>(zeros).fill(0), ...body]);
}

/**
 * Buffer's decode as a plain Uint8Array view (callers and tests compare it with one). Buffer skips what is not
 * base64 where atob throws, so only canonical text (the alphabet, padded or not) goes to it; anything else takes
 * atob's path, which accepts whitespace and rejects the rest.
 */
function fromNodeBuffer(buffer: NodeBuffer, b64: string): Uint8Array | undefined {
  if (!CANONICAL_BASE64.test(b64)) return undefined;
  const bytes = buffer.from(b64, 'base64');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
