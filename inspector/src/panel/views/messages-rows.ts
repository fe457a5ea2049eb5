/**
 * The Messages view's row list: absolute positions matching the filters, kept incrementally while frames stream in
 * (append new matches, drop evicted ones) and rebuilt only when the filters or earlier frames' decoding change.
 */

import { type FrameInfo, FrameKind } from '@syncscope/protocols/core';
import type { SessionStore } from '../../store/index.ts';
import { textMatcher } from '../format.ts';

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
  const reusable = cache && cache.key === key && cache.epoch === epoch && cache.end <= store.end && cache.end >= store.start;
  if (!reusable) {
    const keep = frameFilter(store, filters, matcher.test, repeatedFieldsOfStore(store, matcher.test));
    let rows: number[];
    if (indexed) rows = store.query(query).filter(keep);
    else {
      rows = [];
      for (let p = store.start; p < store.end; p++) if (keep(p)) rows.push(p);
    }
    return { key, epoch, start: store.start, end: store.end, rows, ...(matcher.error ? { error: matcher.error } : {}) };
  }
  if (cache.start === store.start && cache.end === store.end) return cache;
  // New frames may bring connections the store's index did not have when the rows were built: test as they come.
  const keep = frameFilter(store, filters, matcher.test, remembered(matcher.test));
  // The caller hands back only the latest cache and drops it for the one returned, so its rows array is ours to
  // extend in place: copying it on every update made a long load quadratic (a million rows, copied per render).
  let rows = cache.rows;
  if (store.start > cache.start) rows = rows.slice(lowerBound(rows, store.start));
  if (indexed) {
    for (const p of store.query({ ...query, from: cache.end })) if (keep(p)) rows.push(p);
  } else for (let p = Math.max(cache.end, store.start); p < store.end; p++) if (keep(p)) rows.push(p);
  return { ...cache, start: store.start, end: store.end, rows };
}

/** Whether the text matches a frame's connection id, its kind, and its protocol or message type. */
interface RepeatedFields {
  conn(conn: string): boolean;
  kind(kind: FrameKind): boolean;
  info(info: FrameInfo): boolean;
}

/**
 * Connections, kinds, protocols and types repeat across thousands of frames: each distinct one is tested once.
 * Answers are remembered as they come (for frames the store's indexes did not list yet).
 */
function remembered(test: (s: string) => boolean): RepeatedFields & { text: (s: string) => boolean } {
  const seen = new Map<string, boolean>();
  const text = (s: string): boolean => {
    let result = seen.get(s);
    if (result === undefined) {
      result = test(s);
      if (seen.size < 50_000) seen.set(s, result);
    }
    return result;
  };
  // FrameInfos are shared per protocol/type, so they are remembered by identity (no string key per frame).
  const infos = new Map<FrameInfo, boolean>();
  const info = (i: FrameInfo): boolean => {
    let result = infos.get(i);
    if (result === undefined) {
      result = text(i.protocol) || text(i.type);
      if (infos.size < 50_000) infos.set(i, result);
    }
    return result;
  };
  return { conn: text, kind: text, info, text };
}

/**
 * The same answers decided up front from the store's indexes (every connection, every protocol/type it holds, the
 * few frame kinds there are), so that a rebuild over a million frames skips a field entirely when nothing of its
 * kind matches — the usual case when the text is a word of a payload.
 */
function repeatedFieldsOfStore(store: SessionStore, test: (s: string) => boolean): RepeatedFields {
  const conns = new Set<string>();
  for (const conn of store.connections().keys()) if (test(conn)) conns.add(conn);
  const kinds = new Set(FrameKind.options.filter((kind) => test(kind)));
  const fallback = remembered(test);
  let anyInfo = false;
  for (const typeKey of store.types().keys()) {
    const slash = typeKey.indexOf('/');
    if (test(typeKey.slice(0, slash)) || test(typeKey.slice(slash + 1))) anyInfo = true;
  }
  return {
    conn: conns.size === 0 ? () => false : (conn) => conns.has(conn),
    kind: kinds.size === 0 ? () => false : (kind) => kinds.has(kind),
    // Frames whose protocol is not yet derived carry no info; undecodable ones a type the index also lists.
    info: anyInfo ? fallback.info : () => false,
  };
}

function frameFilter(
  store: SessionStore,
  filters: MessageFilters,
  test: (s: string) => boolean,
  repeated: RepeatedFields,
): (position: number) => boolean {
  if (!filters.dir && !filters.text) return () => true;
  const repeatedText = remembered(test).text;
  return (p) => {
    const frame = store.frame(p);
    if (!frame) return false;
    if (filters.dir && frame.dir !== filters.dir) return false;
    if (!filters.text) return true;
    if (repeated.conn(frame.conn) || repeated.kind(frame.kind)) return true;
    const info = store.info(p);
    if (info !== undefined && repeated.info(info)) return true;
    const meta = frame.meta;
    if ((meta?.url !== undefined && repeatedText(meta.url)) || (meta?.channel !== undefined && repeatedText(meta.channel))) return true;
    const payload = store.searchText(p);
    return payload !== undefined && test(payload);
  };
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
