import { describe, expect, it } from 'vitest';
import type { DocumentSnapshot } from '../shared/client-document.ts';
import { openIdbStore, openOpfsStore, SaveQueue } from './persistence.ts';

const snapshot = (doc: string, texts: string[]): DocumentSnapshot => ({
  doc,
  timeline: { id: 'tl', first: 3, entries: texts.map((text, i) => ({ tag: 'AddTodo', id: `t${i}`, text })) },
  storage: { id: doc, first: 0, entries: [] },
});

describe('browser persistence of sqlsync journals (real Chromium)', () => {
  it('OPFS: a saved snapshot is read back by a fresh store, the latest save wins', async () => {
    const store = await openOpfsStore();
    expect(store?.kind).toBe('opfs');
    if (!store) return;
    const doc = `opfs-${crypto.randomUUID()}`;
    const queue = new SaveQueue(store);
    await Promise.all([queue.save(snapshot(doc, ['one'])), queue.save(snapshot(doc, ['one', 'two']))]);
    const again = await openOpfsStore();
    expect(await again?.load(doc)).toEqual(snapshot(doc, ['one', 'two']));
    expect(await again?.load('never-saved')).toBeUndefined();
  });

  it('IndexedDB fallback: same contract', async () => {
    const name = `sqlsync-test-${crypto.randomUUID()}`;
    const store = await openIdbStore(name);
    await store.save(snapshot('d', ['x']));
    const again = await openIdbStore(name);
    expect(await again.load('d')).toEqual(snapshot('d', ['x']));
    expect(await again.load('other')).toBeUndefined();
  });
});
