/**
 * deep-object-diff diffs, the other way round: applying one to a value, and telling whether two diffs touch the
 * same fields (the test patchDiff uses to accept a change made against an older version). Pure: never mutates.
 */
import type { Diff } from './schemas.ts';

/** A plain object or an object without prototype (deep-object-diff builds those); not Date, Map, Set, arrays. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Containers a diff recurses into: plain objects and arrays (diffed as index-keyed objects). */
function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return Array.isArray(value) || isPlainRecord(value);
}

/** `base` with `diff` applied: keys set to undefined are removed, nested diffs recurse, anything else replaces. */
export function applyDiff<T>(base: T, diff: Diff): T {
  return applyInto(base, diff) as T;
}

function applyInto(base: unknown, diff: Record<string, unknown>): unknown {
  if (!isContainer(base)) return copyOf(diff);
  const next: Record<string, unknown> | unknown[] = Array.isArray(base) ? [...base] : { ...base };
  const target = next as Record<string, unknown>;
  let shortestDeletedIndex = Number.POSITIVE_INFINITY;
  for (const key of Object.keys(diff)) {
    const change = diff[key];
    if (change === undefined) {
      if (Array.isArray(next)) shortestDeletedIndex = Math.min(shortestDeletedIndex, Number(key));
      else delete target[key];
    } else if (isPlainRecord(change) && isContainer(target[key])) {
      target[key] = applyInto(target[key], change);
    } else {
      target[key] = copyOf(change);
    }
  }
  // An array diff deletes only from the end (indexes past the new length), so deleting means shortening.
  if (Array.isArray(next) && Number.isFinite(shortestDeletedIndex)) next.length = shortestDeletedIndex;
  return next;
}

/** Diff values are copied into the result so the diff and the new value never share mutable objects. */
function copyOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyOf);
  if (isPlainRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyOf(v)]));
  return value;
}

/** The fields a diff changes, as key paths: `{a: {b: 1}, c: undefined}` touches `a.b` and `c`. */
export function changedPaths(diff: Diff, prefix: readonly string[] = []): string[][] {
  const paths: string[][] = [];
  for (const key of Object.keys(diff)) {
    const change = diff[key];
    const path = [...prefix, key];
    if (isPlainRecord(change) && Object.keys(change).length > 0) paths.push(...changedPaths(change, path));
    else paths.push(path);
  }
  return paths;
}

/** Two diffs conflict when one changes a field the other changes, or a field inside it, or the object around it. */
export function overlappingPaths(a: Diff, b: Diff): string[][] {
  const theirs = changedPaths(b);
  return changedPaths(a).filter((mine) => theirs.some((other) => isPrefix(mine, other) || isPrefix(other, mine)));
}

function isPrefix(short: readonly string[], long: readonly string[]): boolean {
  return short.length <= long.length && short.every((key, i) => long[i] === key);
}

/** Makes a diff safe for any encoder: deep-object-diff returns prototype-less objects. */
export function plainDiff(diff: object): Diff {
  return copyOf(diff) as Diff;
}
