/** The browser client's IndexedDB storage, in real Chromium: offline dispatches and the local copy survive a reload. */
import type { FrameInput } from '@syncscope/inspector/record';
import { seneschalDissector } from '@syncscope/protocols/seneschal';
import { describe, expect, it } from 'vitest';
import { SeneschalClient, type SocketLike } from './client.ts';
import { idbStorage, OBJECTS_STORE, openDatabase, UNSENT_STORE } from './idb-storage.ts';

const noSocket = (): SocketLike => {
  throw new Error('these tests stay offline');
};

function offlineClient(dbName: string, frames: FrameInput[] = []) {
  return new SeneschalClient({
    server: 'http://127.0.0.1:9',
    clientID: 'tablet',
    storage: idbStorage(dbName, (f) => frames.push(f)),
    openSocket: noSocket,
    now: () => 1000,
  });
}

async function records(dbName: string, store: string): Promise<unknown[]> {
  const db = await openDatabase(dbName);
  const all = await new Promise<unknown[]>((resolve, reject) => {
    const req = db.transaction(store, 'readonly').objectStore(store).getAll();
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  db.close();
  return all;
}

describe('seneschal IndexedDB storage (Chromium)', () => {
  it('keeps unsent dispatches and the local copy across a reload', async () => {
    const dbName = `seneschal-test-${crypto.randomUUID()}`;
    const frames: FrameInput[] = [];
    const before = offlineClient(dbName, frames);
    await before.restore();
    before.dispatch('items/upsert', 'ob1', { name: 'test', qty: '2' });
    before.dispatch('items/upsert', 'ob1', { location: 'aisle' });
    before.store.dispatch({
      type: 'server',
      message: {
        type: 'dispatch',
        id: 's1',
        reason: 'grant',
        envelope: {
          timestamp: 500,
          clientID: 'seneschal',
          dispatch: { action: 'lists/upsert', payload: ['list1', { name: 'Groceries' }] },
        },
        times: { name: 500 },
      },
    });
    await before.saved();
    expect(await records(dbName, UNSENT_STORE)).toHaveLength(2);
    expect(await records(dbName, OBJECTS_STORE)).toEqual([{ slice: 'lists', props: { name: 'Groceries' }, times: { name: 500 } }]);
    expect(frames.every((f) => f.transport === 'idb' && f.kind === 'write' && f.meta?.db === dbName)).toBe(true);
    expect(frames.map((f) => f.meta?.store)).toEqual([UNSENT_STORE, UNSENT_STORE, OBJECTS_STORE]);
    // The dissector reads these writes: the stored dispatches are the client's queue before any rehydrate.
    const decoded = frames.map((f, seq) => seneschalDissector.decode({ ...f, seq, t: seq }, { id: f.conn, transport: 'idb', db: dbName }));
    expect(decoded.map((d) => (d.ok ? d.type : d.error.reason))).toEqual(['unsent-put', 'unsent-put', 'objects-put']);

    // A new page: the same database gives back the same unsent dispatches and view.
    const after = offlineClient(dbName);
    await after.restore();
    expect(after.unsent().map((d) => d.id)).toEqual(before.unsent().map((d) => d.id));
    expect(after.objects()).toEqual({
      ob1: { slice: 'items', props: { name: 'test', qty: '2', location: 'aisle' } },
      list1: { slice: 'lists', props: { name: 'Groceries' } },
    });

    // Once acknowledged, the dispatches leave the unsent store and join the local copy.
    after.store.dispatch({ type: 'acknowledged', ids: after.unsent().map((d) => d.id) });
    await after.saved();
    expect(await records(dbName, UNSENT_STORE)).toEqual([]);
    expect(await records(dbName, OBJECTS_STORE)).toHaveLength(2);
  });
});
