import type { RawFrame } from '@syncscope/protocols/core';
import { describe, expect, it } from 'vitest';
import { compactJson } from './printed-json.ts';
import { SEARCH_TEXT_LIMIT, SearchTexts } from './search-text.ts';
import { SessionStore } from './store.ts';

const sync = { schedule: (run: () => void) => run() };
let seq = 0;
const frame = (payload: Pick<RawFrame, 'text' | 'json' | 'b64'>): RawFrame =>
  ({ seq: seq++, t: 0, transport: 'broadcast', conn: 'c', dir: 'local', kind: 'message', ...payload }) as RawFrame;

describe('search text', () => {
  it('is the text, the printed JSON or nothing, cut to the first 4,096 characters', () => {
    const store = new SessionStore(sync);
    const long = 'x'.repeat(SEARCH_TEXT_LIMIT + 10);
    store.addMany([
      frame({ text: 'hello' }),
      frame({ json: { a: [1, 'b'], bytes: new Uint8Array(2), when: new Map([['k', 1]]) } }),
      frame({ b64: 'AAE=' }),
      frame({ text: long }),
      frame({ json: { long } }),
    ]);
    expect(store.searchText(0)).toBe('hello');
    expect(store.searchText(1)).toBe('{"a":[1,"b"],"bytes":"<2 bytes>","when":{"k":1}}');
    expect(store.searchText(2)).toBeUndefined();
    expect(store.searchText(3)).toBe(long.slice(0, SEARCH_TEXT_LIMIT));
    expect(store.searchText(4)).toBe(compactJson({ long }).slice(0, SEARCH_TEXT_LIMIT));
    expect(store.searchText(5)).toBeUndefined();
  });

  it('keeps printed JSON within its budget, prints the rest when asked, and forgets evicted slots', () => {
    const texts = new SearchTexts(25);
    const frames = [0, 1, 2].map((n) => frame({ json: { n, pad: 'abc' } }));
    for (const [slot, f] of frames.entries()) texts.keep(slot, f);
    // {"n":0,"pad":"abc"} is 19 characters: the second fits under the budget when it is taken, the third does not.
    expect(texts.size).toBe(38);
    for (const [slot, f] of frames.entries()) expect(texts.get(slot, f)).toBe(JSON.stringify(f.json));
    texts.forget(0);
    expect(texts.size).toBe(19);
    texts.keep(1, frame({ text: 'now text' }));
    expect(texts.size).toBe(0);
  });

  it('a store that evicts keeps only the printed JSON of the frames it retains', () => {
    const store = new SessionStore({ ...sync, cap: 64, checkpointEvery: 16 });
    for (let i = 0; i < 1000; i++) store.add(frame({ json: { i } }));
    for (let p = store.start; p < store.end; p++) expect(store.searchText(p)).toBe(`{"i":${p}}`);
    const kept = (store as unknown as { searchTexts: SearchTexts }).searchTexts.size;
    let expected = 0;
    for (let p = store.start; p < store.end; p++) expected += `{"i":${p}}`.length;
    expect(kept).toBe(expected);
    store.clear();
    expect((store as unknown as { searchTexts: SearchTexts }).searchTexts.size).toBe(0);
  });
});
