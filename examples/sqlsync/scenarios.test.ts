import { describe, expect, it } from 'vitest';
import { concurrentEditsScenario, offlineEditsScenario, serverRestartScenario } from './scenarios/index.ts';

describe('sqlsync scenarios over real sockets', () => {
  it('offline edits and reconnect: every client converges on the server state', async () => {
    const result = await offlineEditsScenario();
    expect(result.server).toEqual([
      { id: 'bread', text: 'buy rye bread', done: false },
      { id: 'eggs', text: 'buy eggs', done: false },
      { id: 'milk', text: 'buy milk', done: true },
    ]);
    expect(result.clients.alice).toEqual(result.server);
    expect(result.clients.bob).toEqual(result.server);
    expect(result.serverStorageLast).toBe(4);
  });

  it('concurrent edits to one todo: one order wins everywhere, the edits of a deleted todo are rejected', async () => {
    const result = await concurrentEditsScenario();
    expect(result.server).toEqual([{ id: 'pack', text: 'pack bags', done: false }]);
    for (const name of ['alice', 'bob', 'carol']) expect(result.clients[name]).toEqual(result.server);
    expect(result.rejections.bob).toEqual(['SetText plan: todo plan does not exist', 'ToggleDone plan: todo plan does not exist']);
    expect(result.rejections.alice).toEqual([]);
  });

  it('server restart in the middle of a sync loses nothing acknowledged', async () => {
    const result = await serverRestartScenario();
    expect(result.acknowledgedBeforeRestart).toBeGreaterThan(0);
    expect(result.acknowledgedBeforeRestart).toBeLessThan(80);
    expect(result.server).toHaveLength(80);
    expect(result.server[0]).toMatchObject({ id: 'item-00', done: true });
    expect(result.clients.alice).toEqual(result.server);
    expect(result.clients.bob).toEqual(result.server);
  });
});
