/**
 * Base64 without Buffer, so the same code runs in pages, workers and Node. Large inputs go through in chunks to
 * stay under the engine's argument limits for String.fromCharCode.
 */
const CHUNK = 0x8000;

/** The engine's own base64 (Chromium 140+, Firefox 133+), much faster than going through a binary string. */
type NativeBase64 = { toBase64?: (this: Uint8Array) => string };
const nativeToBase64 = (Uint8Array.prototype as NativeBase64).toBase64;
const nativeFromBase64 = (Uint8Array as { fromBase64?: (b64: string) => Uint8Array }).fromBase64;

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
