import type { RawFrame } from '@syncscope/protocols/core';
import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../store/index.ts';
import { textMatcher, toDisplayJson } from '../format.ts';
import { demoFrames } from '../test/demo-session.ts';
import { EMPTY_FILTERS, filteredRows, type MessageFilters, type RowCache } from './messages-rows.ts';

const sync = { schedule: (run: () => void) => run() };

describe('Messages rows', () => {
  const cases: Array<Partial<MessageFilters>> = [
    {},
    { dir: 'out' },
    { text: 'widget' },
    { text: '^.*PATCH', regex: true },
    { protocol: 'sqlsync' },
    { protocol: 'temporal', dir: 'in', text: '200' },
  ];
  it.each(cases)('kept incrementally while frames stream and evict equals a fresh filter (%o)', (patch) => {
    const filters = { ...EMPTY_FILTERS, ...patch };
    const frames = demoFrames();
    const store = new SessionStore({ cap: 64, checkpointEvery: 16, ...sync });
    let cache: RowCache | undefined;
    for (let i = 0; i < frames.length; i += 23) {
      store.addMany(frames.slice(i, i + 23) as RawFrame[]);
      cache = filteredRows(store, filters, 0, cache);
      const fresh = filteredRows(store, filters, 0, undefined);
      expect(cache.rows).toEqual(fresh.rows);
    }
    expect(store.dropped).toBeGreaterThan(0);
  });

  it('reports a bad regular expression instead of throwing, and matches everything meanwhile', () => {
    const store = new SessionStore(sync);
    store.addMany(demoFrames().slice(0, 10));
    const result = filteredRows(store, { ...EMPTY_FILTERS, text: '(', regex: true }, 0, undefined);
    expect(result.error).toMatch(/regular expression|Unterminated|missing/i);
    expect(result.rows.length).toBe(10);
  });

  it('a rebuild (fields decided once from the store indexes) keeps exactly the frames a per-frame test keeps', () => {
    const store = new SessionStore(sync);
    const frames = demoFrames();
    store.addMany(frames);
    store.finish();
    // Queries drawn from every kind of field: connection ids, kinds, protocols, types, URL and channel pieces, payload
    // words, plus text that matches nothing and text that matches across fields.
    const queries = new Set<string>(['zzz-nothing', 'a', 'e', '/', ':', '"', '{"', 'undecodable', 'OPEN']);
    for (const [conn] of store.connections()) queries.add(conn);
    for (const [typeKey] of store.types()) for (const part of typeKey.split('/')) queries.add(part);
    for (const frame of frames.slice(0, 400)) {
      queries.add(frame.kind);
      if (frame.meta?.url) queries.add(frame.meta.url.split('/').pop() ?? '');
      if (frame.meta?.channel) queries.add(frame.meta.channel);
      const words = (frame.text ?? (frame.json !== undefined ? JSON.stringify(frame.json) : '')).match(/[A-Za-z]{4,}/g) ?? [];
      for (const word of words.slice(0, 2)) queries.add(word);
    }
    expect(queries.size).toBeGreaterThan(100);
    const perFrame = (query: string, dir: string): number[] => {
      const { test } = textMatcher(query, false);
      const out: number[] = [];
      for (let p = store.start; p < store.end; p++) {
        const frame = store.frame(p) as RawFrame;
        const info = store.info(p);
        if (dir && frame.dir !== dir) continue;
        const payload = frame.text ?? (frame.json !== undefined ? toDisplayJson(frame.json, 0) : '');
        const fields = [frame.conn, frame.kind, info?.protocol, info?.type, frame.meta?.url, frame.meta?.channel, payload.slice(0, 4096)];
        if (fields.some((field) => field !== undefined && test(field))) out.push(p);
      }
      return out;
    };
    let nonEmpty = 0;
    for (const query of queries) {
      for (const dir of ['', 'in']) {
        const expected = perFrame(query, dir);
        if (expected.length) nonEmpty++;
        expect(filteredRows(store, { ...EMPTY_FILTERS, text: query, dir }, 0, undefined).rows, `${query} ${dir}`).toEqual(expected);
      }
    }
    expect(nonEmpty).toBeGreaterThan(100);
  });
});
