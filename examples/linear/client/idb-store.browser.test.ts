/** The IndexedDB store in real Chromium: what is written survives closing and reopening the database. */
import { describe, expect, it } from 'vitest';
import { IdbStore } from './idb-store.ts';
import { ObjectPool, poolKey } from './object-pool.ts';

const issue = (id: string, title: string) => ({
  __class: 'Issue',
  id,
  title,
  teamId: 't1',
  projectId: null,
  assigneeId: null,
  labelIds: [],
});

describe('IdbStore (Chromium IndexedDB)', () => {
  it('has no local data at first, then keeps models, the queue and the last sync id across a reopen', async () => {
    const name = `linear-test-${crypto.randomUUID()}`;
    const first = new IdbStore(name);
    expect(await first.load()).toBeUndefined();
    await first.replaceModels(
      [
        { key: poolKey('Team', 't1'), model: { __class: 'Team', id: 't1', name: 'Core', key: 'COR' }, syncId: 1 },
        { key: poolKey('Issue', 'i1'), model: issue('i1', 'a'), syncId: 2 },
      ],
      2,
    );
    await first.putTransaction({
      tx: {
        id: 'tx1',
        type: 'update',
        modelClass: 'Issue',
        modelId: 'i1',
        baseSyncId: 2,
        changeSnapshot: { changes: { title: { original: 'a', updated: 'b' } } },
      },
      enqueuedAt: 1,
    });
    await first.putTransaction({ tx: { id: 'tx2', type: 'delete', modelClass: 'Issue', modelId: 'i1' }, enqueuedAt: 2 });
    await first.applyModels([{ key: poolKey('Issue', 'i2'), model: issue('i2', 'c'), syncId: 5 }], [poolKey('Issue', 'i1')], 5);
    await first.removeTransactions(['tx2']);
    await first.close();

    const reopened = new IdbStore(name);
    const data = await reopened.load();
    expect(data?.lastSyncId).toBe(5);
    expect(data?.queue.map((q) => q.tx.id)).toEqual(['tx1']);
    const pool = new ObjectPool();
    pool.hydrate((data?.models ?? []).map((m) => ({ model: m.model, syncId: m.syncId })));
    expect(Object.keys(pool.snapshot())).toEqual(['Issue/i2', 'Team/t1']);
    expect(pool.root).toBe('Team/t1');
    await reopened.close();
    indexedDB.deleteDatabase(name);
  });
});
