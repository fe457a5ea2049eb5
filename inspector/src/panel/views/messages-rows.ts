/**
 * The Messages view's row list: absolute positions matching the filters, kept incrementally while frames stream in
 * (append new matches, drop evicted ones) and rebuilt only when the filters or earlier frames' decoding change.
 */
import type { SessionStore } from '../../store/index.ts';
import { frameFieldsMatch, textMatcher } from '../format.ts';

export interface MessageFilters {
  text: string;
  regex: boolean;
  protocol: string;
  /** "protocol/type" */
  type: string;
  dir: string;
  conn: string;
}

export const EMPTY_FILTERS: MessageFilters = { text: '', regex: false, protocol: '', type: '', dir: '', conn: '' };

export interface RowCache {
  key: string;
  epoch: number;
  start: number;
  end: number;
  rows: number[];
  error?: string;
}

export function filteredRows(store: SessionStore, filters: MessageFilters, epoch: number, cache: RowCache | undefined): RowCache {
  const key = JSON.stringify(filters);
  const matcher = textMatcher(filters.text, filters.regex);
  const query = {
    ...(filters.conn ? { conn: filters.conn } : {}),
    ...(filters.protocol ? { protocol: filters.protocol } : {}),
    ...(filters.type ? { type: filters.type } : {}),
  };
  // Without an index to narrow by, positions are walked directly (no array of every position made first).
  const indexed = Object.keys(query).length > 0;
  // Connections, kinds, URLs, protocols and types repeat across thousands of frames: test each distinct one once.
  const seen = new Map<string, boolean>();
  const testRepeated = (s: string): boolean => {
    let result = seen.get(s);
    if (result === undefined) {
      result = matcher.test(s);
      if (seen.size < 50_000) seen.set(s, result);
    }
    return result;
  };
  const keep = (p: number): boolean => {
    if (!filters.dir && !filters.text) return true;
    const frame = store.frame(p);
    if (!frame) return false;
    if (filters.dir && frame.dir !== filters.dir) return false;
    if (!filters.text) return true;
    const info = store.info(p);
    return (
      (info !== undefined && (testRepeated(info.protocol) || testRepeated(info.type))) ||
      frameFieldsMatch(frame, matcher.test, testRepeated)
    );
  };
  const reusable = cache && cache.key === key && cache.epoch === epoch && cache.end <= store.end && cache.end >= store.start;
  if (!reusable) {
    let rows: number[];
    if (indexed) rows = store.query(query).filter(keep);
    else {
      rows = [];
      for (let p = store.start; p < store.end; p++) if (keep(p)) rows.push(p);
    }
    return { key, epoch, start: store.start, end: store.end, rows, ...(matcher.error ? { error: matcher.error } : {}) };
  }
  if (cache.start === store.start && cache.end === store.end) return cache;
  // The caller hands back only the latest cache and drops it for the one returned, so its rows array is ours to
  // extend in place: copying it on every update made a long load quadratic (a million rows, copied per render).
  let rows = cache.rows;
  if (store.start > cache.start) rows = rows.slice(lowerBound(rows, store.start));
  if (indexed) {
    for (const p of store.query({ ...query, from: cache.end })) if (keep(p)) rows.push(p);
  } else for (let p = Math.max(cache.end, store.start); p < store.end; p++) if (keep(p)) rows.push(p);
  return { ...cache, start: store.start, end: store.end, rows };
}

export function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
