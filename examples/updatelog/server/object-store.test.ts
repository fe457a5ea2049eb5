import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileObjectStore } from './object-store.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('FileObjectStore reads', () => {
  it('serves what was last written, small (kept in memory) or large, and the same after a reopen', async () => {
    dir = mkdtempSync(join(tmpdir(), 'updatelog-store-'));
    const store = await FileObjectStore.open(dir, 'b');
    const body = Buffer.from('{"v":1}');
    await store.put('a/1', body, { contentType: 'application/json' });
    body.write('{"v":9}'); // the caller's buffer changing afterwards does not change the object
    expect((await store.get('a/1'))?.body.toString()).toBe('{"v":1}');
    await store.put('a/1', Buffer.from('{"v":2}'), { contentType: 'application/json', meta: { x: 'y' } });
    const again = await store.get('a/1');
    expect(again?.body.toString()).toBe('{"v":2}');
    expect(again?.meta).toEqual({ x: 'y' });
    const large = Buffer.alloc(200 * 1024, 97);
    await store.put('a/large', large);
    expect((await store.get('a/large'))?.body.equals(large)).toBe(true);
    expect(await store.get('a/missing')).toBeUndefined();

    const reopened = await FileObjectStore.open(dir, 'b');
    expect((await reopened.get('a/1'))?.body.toString()).toBe('{"v":2}');
    expect((await reopened.get('a/large'))?.body.length).toBe(large.length);
  });
});
