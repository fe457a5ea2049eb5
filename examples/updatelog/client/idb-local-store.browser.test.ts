/** The browser's local store in real Chromium IndexedDB, and the sync client's offline edits surviving a reload. */
import { describe, expect, it } from 'vitest';
import { leagueApp, Team } from '../model/league.ts';
import { openBrowserLeagueClient } from './browser.ts';
import { IdbLocalStore, localDbName } from './idb-local-store.ts';
import { UpdatelogClient } from './sync-client.ts';

const unique = () => `test-${crypto.randomUUID()}`;
/** A database named as the engine names its own (`updatelog:<app>.<dataSet>:<client>`), for a fresh test client. */
const uniqueDb = () => localDbName('league', 'main', unique());

describe('IndexedDB local store', () => {
  it('keeps unsaved updates and the replica across connections', async () => {
    const name = uniqueDb();
    const first = await IdbLocalStore.open(name);
    await first.put({ timestamp: 2, update: { id: 'b', actions: [{ type: 'addTeam', data: 1 }] } });
    await first.put({ timestamp: 1, update: { id: 'a', actions: [{ type: 'addTeam', data: 2 }] } });
    await first.saveReplica({ lastKey: 'k', snapshotTimestamp: null, state: { x: 1 }, sharedIds: ['z'] });
    first.close();
    const second = await IdbLocalStore.open(name);
    expect((await second.load()).map((e) => e.update.id)).toEqual(['a', 'b']);
    await second.delete('a');
    expect((await second.load()).map((e) => e.update.id)).toEqual(['b']);
    expect(await second.loadReplica()).toEqual({ lastKey: 'k', snapshotTimestamp: null, state: { x: 1 }, sharedIds: ['z'] });
    second.close();
  });

  it('ignores records that are not pending updates instead of failing the load', async () => {
    const name = uniqueDb();
    const store = await IdbLocalStore.open(name);
    await store.put({ timestamp: 1, update: { id: 'a', actions: [{ type: 'addTeam', data: 2 }] } });
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => {
        const tx = request.result.transaction('unsavedUpdates', 'readwrite');
        tx.objectStore('unsavedUpdates').put({ junk: true }, 'junk');
        tx.oncomplete = () => {
          request.result.close();
          resolve();
        };
        tx.onerror = () => reject(tx.error);
      };
    });
    expect((await store.load()).map((e) => e.update.id)).toEqual(['a']);
    store.close();
  });
});

describe('the browser client offline', () => {
  it('an edit made offline is shown at once and survives a reload (IndexedDB)', async () => {
    const userId = unique();
    const frames: unknown[] = [];
    const { client, close } = await openBrowserLeagueClient({ endpoint: 'http://127.0.0.1:9', userId, onFrame: (f) => frames.push(f) });
    client.setOnline(false);
    await client.call('addTeam', new Team('t1', 'Rovers'));
    expect(
      client
        .state()
        .teamList()
        .map((t) => t.name),
    ).toEqual(['Rovers']);
    close();
    const reopened = await openBrowserLeagueClient({ endpoint: 'http://127.0.0.1:9', userId });
    expect(reopened.client.status().unsaved).toBe(1);
    expect(
      reopened.client
        .state()
        .teamList()
        .map((t) => t.name),
    ).toEqual(['Rovers']);
    expect(frames).toEqual([
      expect.objectContaining({ transport: 'idb', kind: 'write', json: expect.objectContaining({ op: 'put' }) }),
      expect.objectContaining({ transport: 'broadcast', kind: 'message', json: expect.objectContaining({ type: 'local-changed' }) }),
    ]);
    // Unreachable store: the flush fails, reports an error frame, and keeps the update.
    const failures: Array<{ kind: string }> = [];
    const again = await UpdatelogClient.open({
      endpoint: 'http://127.0.0.1:9',
      bucket: 'updatelog',
      appId: 'league',
      dataSet: 'main',
      userId,
      app: leagueApp,
      local: reopened.store,
      onFrame: (f) => failures.push(f),
    });
    expect(await again.flush()).toBe(0);
    expect(failures.map((f) => f.kind)).toEqual(['request', 'error']);
    expect(again.status()).toMatchObject({ unsaved: 1, lastError: expect.stringContaining('unreachable') });
    reopened.close();
  });
});

describe('two tabs of one client', () => {
  it("hear of each other's local updates on the BroadcastChannel and show them before any sync", async () => {
    const userId = unique();
    const frames: Array<{ transport: string; json?: unknown }> = [];
    const first = await openBrowserLeagueClient({ endpoint: 'http://127.0.0.1:9', userId, onFrame: (f) => frames.push(f) });
    const second = await openBrowserLeagueClient({ endpoint: 'http://127.0.0.1:9', userId });
    first.client.setOnline(false);
    second.client.setOnline(false);
    await first.client.call('addTeam', new Team('t1', 'Rovers'));
    await expect
      .poll(() =>
        second.client
          .state()
          .teamList()
          .map((t) => t.name),
      )
      .toEqual(['Rovers']);
    expect(second.client.status().unsaved).toBe(1);
    expect(frames.find((f) => f.transport === 'broadcast')?.json).toMatchObject({ type: 'local-changed', op: 'put', client: userId });
    first.close();
    second.close();
  });
});
