/**
 * Structured-clone values as plain JSON, for session files and JSON-only channels (Chrome runtime ports).
 * Values JSON cannot hold become `{"$sc": tag, "v": ...}`; a real object that happens to have a `$sc` key is
 * wrapped as `{"$sc": "object", "v": {...}}` so that decoding is exact.
 */
import { base64ToBytes, bytesToBase64 } from './base64.ts';

type Tagged = { $sc: string; v?: unknown };

export function toTaggedJson(value: unknown, seen = new Set<object>()): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? (Object.is(value, -0) ? { $sc: 'number', v: '-0' } : value) : { $sc: 'number', v: String(value) };
  }
  if (typeof value === 'bigint') return { $sc: 'bigint', v: value.toString() };
  if (value === undefined) return { $sc: 'undefined' };
  if (typeof value !== 'object') return { $sc: 'unsupported', v: typeof value };
  if (seen.has(value)) return { $sc: 'cycle' };
  seen.add(value);
  try {
    if (value instanceof Uint8Array) return { $sc: 'bytes', v: bytesToBase64(value) };
    if (ArrayBuffer.isView(value)) {
      const view = value as ArrayBufferView;
      return { $sc: 'bytes', v: bytesToBase64(new Uint8Array(view.buffer, view.byteOffset, view.byteLength)) };
    }
    if (value instanceof ArrayBuffer) return { $sc: 'bytes', v: bytesToBase64(new Uint8Array(value)) };
    if (value instanceof Date) return { $sc: 'date', v: Number.isNaN(value.getTime()) ? null : value.toISOString() };
    if (value instanceof Map) return { $sc: 'map', v: [...value].map(([k, v]) => [toTaggedJson(k, seen), toTaggedJson(v, seen)]) };
    if (value instanceof Set) return { $sc: 'set', v: [...value].map((v) => toTaggedJson(v, seen)) };
    if (Array.isArray(value)) return value.map((v) => toTaggedJson(v, seen));
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) setOwn(out, key, toTaggedJson(v, seen));
    return Object.hasOwn(value, '$sc') ? { $sc: 'object', v: out } : out;
  } finally {
    seen.delete(value);
  }
}

function isTagged(value: object): value is Tagged {
  return typeof (value as Tagged).$sc === 'string';
}

export function fromTaggedJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(fromTaggedJson);
  if (isTagged(value)) {
    const v = value.v;
    switch (value.$sc) {
      case 'bytes':
        return typeof v === 'string' ? base64ToBytes(v) : new Uint8Array();
      case 'date':
        return new Date(typeof v === 'string' ? v : Number.NaN);
      case 'map':
        return new Map(
          Array.isArray(v)
            ? v.map((pair) => (Array.isArray(pair) ? [fromTaggedJson(pair[0]), fromTaggedJson(pair[1])] : [pair, undefined]))
            : [],
        );
      case 'set':
        return new Set(Array.isArray(v) ? v.map(fromTaggedJson) : []);
      case 'bigint':
        try {
          return BigInt(String(v));
        } catch {
          return String(v);
        }
      case 'undefined':
        return undefined;
      case 'number':
        return Number(v);
      case 'object':
        // The wrapped object's own keys are data, even its `$sc`: revive its values, not the object itself.
        return reviveEntries(v);
      default:
        return value;
    }
  }
  return reviveEntries(value);
}

function reviveEntries(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (value === null || typeof value !== 'object') return out;
  for (const [key, v] of Object.entries(value)) setOwn(out, key, fromTaggedJson(v));
  return out;
}

/** Defines a key as plain data, so a `__proto__` key from an untrusted file stays a key and never a prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
