/** Small pure formatting helpers shared by the views. Everything returns plain strings: the views render text only. */
import { base64ToBytes, type RawFrame } from '@syncscope/protocols/core';
import { toDisplayJson } from '../store/printed-json.ts';

export { toDisplayJson };

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Milliseconds since the session start, as "+12.345 s" or "+345 ms". */
export function formatOffset(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (Math.abs(ms) < 1000) return `+${Math.round(ms)} ms`;
  return `+${(ms / 1000).toFixed(3)} s`;
}

export function formatAge(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function formatClock(t: number): string {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return `${d.toISOString().slice(11, 23)}`;
}

/** A classic hex dump: offset, 16 bytes in hex, their printable ASCII. Bounded by `max` bytes. */
export function hexDump(bytes: Uint8Array, max = 64 * 1024): string {
  const lines: string[] = [];
  const end = Math.min(bytes.length, max);
  for (let offset = 0; offset < end; offset += 16) {
    const row = bytes.subarray(offset, Math.min(offset + 16, end));
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > end) lines.push(`… ${bytes.length - end} more bytes`);
  return lines.join('\n');
}

export function frameBytes(frame: RawFrame): Uint8Array | undefined {
  if (frame.b64 === undefined) return undefined;
  try {
    return base64ToBytes(frame.b64);
  } catch {
    return new Uint8Array();
  }
}

export type DiffEntry = { path: string; kind: 'added' | 'removed' | 'changed'; before?: unknown; after?: unknown };

/** Field-level differences between two values (objects recursed, arrays compared by index), bounded. */
export function diffValues(before: unknown, after: unknown, limit = 200): DiffEntry[] {
  const out: DiffEntry[] = [];
  const walk = (a: unknown, b: unknown, path: string, depth: number): void => {
    if (out.length >= limit || Object.is(a, b)) return;
    const bothObjects = isPlainContainer(a) && isPlainContainer(b) && Array.isArray(a) === Array.isArray(b);
    if (!bothObjects || depth > 8) {
      if (toDisplayJson(a, 0) !== toDisplayJson(b, 0)) out.push({ path: path || '(value)', kind: 'changed', before: a, after: b });
      return;
    }
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const key of Object.keys(ao)) {
      const child = path ? `${path}.${key}` : key;
      if (!(key in bo)) out.push({ path: child, kind: 'removed', before: ao[key] });
      else walk(ao[key], bo[key], child, depth + 1);
    }
    for (const key of Object.keys(bo)) {
      if (!(key in ao)) out.push({ path: path ? `${path}.${key}` : key, kind: 'added', after: bo[key] });
    }
  };
  if (before === undefined) return [{ path: '(value)', kind: 'added', after }];
  walk(before, after, '', 0);
  return out;
}

function isPlainContainer(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !(v instanceof Map) && !(v instanceof Set);
}

/** Builds a filter predicate from the text box; a bad regex is reported, not thrown. */
export function textMatcher(query: string, regex: boolean): { test: (s: string) => boolean; error?: string } {
  if (!query) return { test: () => true };
  if (!regex) {
    // A case-insensitive search for the literal text: the regex engine scans without lower-casing a copy first.
    const literal = new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    return { test: (s) => literal.test(s) };
  }
  try {
    const re = new RegExp(query, 'i');
    return { test: (s) => re.test(s) };
  } catch (error) {
    return { test: () => true, error: error instanceof Error ? error.message : 'bad regular expression' };
  }
}
