import type { StoredDispatch } from '@syncscope/protocols/seneschal';
import { ClientMessage } from '@syncscope/protocols/seneschal';
import { describe, expect, it } from 'vitest';
import { REHYDRATE_BATCH_UNITS, rehydrateMessages } from './batches.ts';

const stored = (i: number, note = `edit ${i}`): StoredDispatch => ({
  id: `d${i}`,
  envelope: { timestamp: 1_000 + i, clientID: 'c', dispatch: { action: 'items/upsert', payload: [`item-${i % 7}`, { qty: i, note }] } },
});

describe('rehydrate batches', () => {
  it('an empty queue is one message without `more`', () => {
    expect(rehydrateMessages([])).toEqual([{ type: 'rehydrate', dispatches: [] }]);
  });

  it('splits a long queue in order, each message within the budget, `more` on all but the last', () => {
    const queue = Array.from({ length: 10_000 }, (_, i) => stored(i));
    const messages = rehydrateMessages(queue);
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.flatMap((m) => m.dispatches)).toEqual(queue);
    expect(messages.map((m) => m.more ?? false)).toEqual(messages.map((_, i) => i < messages.length - 1));
    for (const message of messages) {
      const text = JSON.stringify(message);
      expect(ClientMessage.safeParse(JSON.parse(text)).success).toBe(true);
      expect(text.length).toBeLessThanOrEqual(REHYDRATE_BATCH_UNITS + 64);
      // Even all-non-ASCII text would stay under the server's 1 MiB per message.
      expect(text.length * 3).toBeLessThan(1 << 20);
    }
  });

  it('a dispatch larger than the budget goes alone, between its neighbours', () => {
    const big = stored(1, 'x'.repeat(300));
    const messages = rehydrateMessages([stored(0), big, stored(2)], 200);
    expect(messages.map((m) => m.dispatches.map((d) => d.id))).toEqual([['d0'], ['d1'], ['d2']]);
  });
});
