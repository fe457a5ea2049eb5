import type { RawFrame } from '@syncscope/protocols/core';
import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../store/index.ts';
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
});
