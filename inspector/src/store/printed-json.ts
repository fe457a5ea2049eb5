/** JSON text for any decoded value, as the views show it and the text filter searches it. */

/** JSON text for any decoded value: bytes, Maps, Sets, bigints and cycles shown, never thrown on. */
export function toDisplayJson(value: unknown, space = 2): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(
        value,
        (_key, v: unknown) => {
          if (typeof v === 'bigint') return `${v}n`;
          if (v instanceof Uint8Array) return `<${v.length} bytes>`;
          if (v instanceof Map) return Object.fromEntries(v);
          if (v instanceof Set) return [...v];
          if (v instanceof Date) return v.toISOString();
          if (typeof v === 'object' && v !== null) {
            if (seen.has(v)) return '[cycle]';
            seen.add(v);
          }
          return v;
        },
        space,
      ) ?? String(value)
    );
  } catch (error) {
    return `[unprintable: ${error instanceof Error ? error.message : 'error'}]`;
  }
}

/**
 * The displayed JSON on one line. Most payloads are plain JSON, which the engine's own JSON.stringify prints
 * several times faster than toDisplayJson's replacer (a call per node); only values holding bytes, Maps, Sets,
 * Dates or bigints take the slow road.
 */
export function compactJson(value: unknown): string {
  return isPlainJson(value, 0) ? (JSON.stringify(value) ?? '') : toDisplayJson(value, 0);
}

function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'bigint';
  if (depth > 32) return false;
  if (Array.isArray(value)) return value.every((item) => isPlainJson(item, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}
