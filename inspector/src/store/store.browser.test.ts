/** The store in a real browser with its defaults: notifications are scheduled with the page's queueMicrotask. */
import { describe, expect, it } from 'vitest';
import { SessionStore } from './index.ts';

describe('SessionStore in Chromium', () => {
  it('notifies a subscriber once per burst with the default scheduler', async () => {
    const store = new SessionStore();
    const changes: number[] = [];
    store.subscribe((change) => changes.push(change.added));
    store.add({ transport: 'websocket', conn: 'c', dir: 'in', kind: 'message', text: '{"a":1}' });
    store.add({ transport: 'websocket', conn: 'c', dir: 'in', kind: 'message', text: '{"a":2}' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(changes).toEqual([2]);
    expect(store.size).toBe(2);
  });
});
