import { describe, expect, it } from 'vitest';
import { type ClientStorage, SeneschalClient } from './client.ts';
import type { LocalState } from './state.ts';

/** A client that never connects (no socket is opened), with a storage that records what it is asked to save. */
function offlineClient(storage: ClientStorage) {
  return new SeneschalClient({
    server: 'http://127.0.0.1:9',
    clientID: 'c',
    storage,
    openSocket: () => {
      throw new Error('no socket in this test');
    },
  });
}

describe('seneschal client saves', () => {
  it('a burst of changes is saved as the newest state, not once per change; later changes get their own save', async () => {
    const saved: number[] = [];
    let last: LocalState | undefined;
    let release: (() => void) | undefined;
    const storage: ClientStorage = {
      load: async () => undefined,
      save: async (state) => {
        saved.push(state.unsent.length);
        last = state;
        // The first save is slow, so changes made meanwhile queue behind it.
        if (saved.length === 1)
          await new Promise<void>((resolve) => {
            release = resolve;
          });
      },
    };
    const client = offlineClient(storage);
    for (let i = 0; i < 1_000; i++) client.dispatch('items/upsert', `item-${i % 10}`, { qty: i });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(saved).toEqual([1_000]); // one save holds the whole burst
    client.dispatch('items/upsert', 'item-0', { qty: -1 });
    client.dispatch('items/upsert', 'item-1', { qty: -2 });
    release?.();
    await client.saved();
    expect(saved).toEqual([1_000, 1_002]);
    expect(last?.unsent).toHaveLength(1_002);
  });
});
