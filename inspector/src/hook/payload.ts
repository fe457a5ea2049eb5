/** Turns what an app sent or received into a frame's payload field, copying so later mutation by the app is not seen. */
import type { RawFrame } from '@syncscope/protocols/core';
import { bytesToBase64 } from '../../../protocols/core/base64.ts';

export type PayloadFields = Pick<RawFrame, 'text' | 'b64' | 'json' | 'size'>;

export function bytesPayload(bytes: Uint8Array): PayloadFields {
  return { b64: bytesToBase64(bytes), size: bytes.byteLength };
}

/** Strings as text and bytes as base64; anything else is not wire data (undefined). Blobs are read by the caller. */
export function wirePayload(data: unknown): PayloadFields | undefined {
  if (typeof data === 'string') return { text: data };
  if (data instanceof ArrayBuffer) return bytesPayload(new Uint8Array(data));
  if (ArrayBuffer.isView(data)) return bytesPayload(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return undefined;
}

export const isBlob = (data: unknown): data is Blob => typeof Blob !== 'undefined' && data instanceof Blob;

/** A structured-clone copy of a message (what the receiver would get); uncloneable values are described instead. */
export function structuredPayload(data: unknown): PayloadFields {
  try {
    return { json: structuredClone(data) };
  } catch (thrown) {
    return { json: { $uncloneable: thrown instanceof Error ? thrown.message : String(thrown) } };
  }
}

const TEXTUAL = /^text\/|json|xml|javascript|x-www-form-urlencoded|graphql|csv/i;
export const isTextual = (contentType: string | null | undefined) => !contentType || TEXTUAL.test(contentType);

export function headersRecord(headers: Headers | undefined | null): Record<string, string> {
  const out: Record<string, string> = {};
  headers?.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

export function resolveUrl(url: unknown): string {
  const text = String(url);
  try {
    const base = (globalThis as { location?: { href?: string } }).location?.href;
    return base ? new URL(text, base).href : new URL(text).href;
  } catch {
    return text;
  }
}
