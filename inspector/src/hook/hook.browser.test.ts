/**
 * The hook installed the way an engine's browser tests would use it (`installHook` in the test page itself, the
 * store and the store sink beside it): capture of BroadcastChannel, IndexedDB and OPFS snapshots, identical
 * app-visible results, and a clean uninstall.
 */
import { describe, expect, it } from 'vitest';
import { recordHook } from '../sinks/store-sink.ts';
import { decodeProblems, SessionStore } from '../store/index.ts';
import { installHook } from './index.ts';

async function exercise(): Promise<unknown> {
  const a = new BroadcastChannel('hook-test');
  const b = new BroadcastChannel('hook-test');
  const received: unknown[] = [];
  const got = new Promise<void>((resolve) => {
    b.onmessage = (e) => {
      received.push(e.data);
      if (received.length === 2) resolve();
    };
  });
  a.postMessage({ n: 1, secret: 'keep' });
  a.postMessage([new Uint8Array([1, 2])]);
  await got;
  a.close();
  b.close();
  const name = `hook-test-${Math.random().toString(36).slice(2)}`;
  const db = await new Promise<IDBDatabase>((resolve) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => open.result.createObjectStore('s', { autoIncrement: true });
    open.onsuccess = () => resolve(open.result);
  });
  const tx = db.transaction('s', 'readwrite');
  const key = tx.objectStore('s').add({ v: 'x' });
  await new Promise((resolve) => {
    tx.oncomplete = resolve;
  });
  db.close();
  indexedDB.deleteDatabase(name);
  return { received, key: key.result };
}

describe('installHook in the test page', () => {
  it('captures while the app sees the same results, and uninstall restores every global', async () => {
    const originals = [
      window.WebSocket,
      window.fetch,
      window.BroadcastChannel,
      XMLHttpRequest.prototype.send,
      IDBObjectStore.prototype.put,
    ];
    const plain = await exercise();

    const hook = installHook({ bridge: false });
    expect(installHook()).toBe(hook);
    const recording = recordHook(hook, new SessionStore());
    const tapped = await exercise();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const store = recording.stop();
    hook.uninstall();

    expect(tapped).toEqual(plain);
    expect([window.WebSocket, window.fetch, window.BroadcastChannel, XMLHttpRequest.prototype.send, IDBObjectStore.prototype.put]).toEqual(
      originals,
    );
    const frames = [...store.frames()];
    expect(frames.filter((f) => f.transport === 'broadcast').map((f) => f.meta?.op)).toEqual(['post', 'post', 'receive', 'receive']);
    expect(frames.find((f) => f.transport === 'broadcast')?.json).toEqual({ n: 1, secret: '[redacted]' });
    expect(frames.filter((f) => f.transport === 'idb').map((f) => f.json)).toEqual([{ op: 'add', key: 1, value: { v: 'x' } }]);
    expect(store.redactions).toContain('jwt');
    // No protocol claims these test channels: the check reports them, and `ignore` can leave them out.
    expect(decodeProblems(store).length).toBe(frames.length);
    expect(decodeProblems(store, (f) => f.transport === 'broadcast' || f.transport === 'idb')).toEqual([]);
  });

  it('takes an OPFS tree and a file snapshot on demand, in chunks', async () => {
    const root = await navigator.storage.getDirectory();
    const file = await (await root.getFileHandle('hook-test.bin', { create: true })).createWritable();
    await file.write(new Uint8Array(300 * 1024).fill(3));
    await file.close();
    const hook = installHook({ bridge: false });
    const events: Array<{
      type: string;
      requestId?: string;
      done?: boolean;
      frames?: Array<{ b64?: string; meta?: { offset?: number } }>;
    }> = [];
    const off = hook.subscribe((e) => events.push(e as never));
    try {
      hook.command({ type: 'snapshot-opfs', requestId: 'f', path: 'hook-test.bin', maxBytes: 300 * 1024 });
      for (let i = 0; i < 100 && !events.some((e) => e.requestId === 'f' && e.done); i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      off();
      hook.uninstall();
      await root.removeEntry('hook-test.bin');
    }
    const chunks = events.filter((e) => e.requestId === 'f').flatMap((e) => e.frames ?? []);
    expect(chunks.map((c) => c.meta?.offset)).toEqual([0, 256 * 1024]);
    const bytes = chunks.reduce((n, c) => n + atob(c.b64 ?? '').length, 0);
    expect(bytes).toBe(300 * 1024);
  });

  it('records SharedWorker and MessageChannel traffic on the page side without changing delivery', async () => {
    const source = 'onconnect = (e) => { const port = e.ports[0]; port.onmessage = (m) => port.postMessage({ echo: m.data }); };';
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const run = async () => {
      const shared = new SharedWorker(url, { name: 'echo' });
      const reply = new Promise((resolve) => {
        shared.port.onmessage = (e) => resolve(e.data);
      });
      shared.port.postMessage({ ask: 1 });
      const channel = new MessageChannel();
      const piped = new Promise((resolve) => {
        channel.port2.onmessage = (e) => resolve(e.data);
      });
      channel.port1.postMessage('through a channel');
      const result = [await reply, await piped];
      shared.port.close();
      channel.port1.close();
      return result;
    };
    const plain = await run();
    const hook = installHook({ bridge: false });
    const recording = recordHook(hook, new SessionStore());
    let tapped: unknown;
    try {
      tapped = await run();
      await new Promise((resolve) => setTimeout(resolve, 0));
    } finally {
      recording.stop();
      hook.uninstall();
    }
    URL.revokeObjectURL(url);
    expect(tapped).toEqual(plain);
    const frames = [...recording.store.frames()].filter((f) => f.transport === 'worker');
    expect(frames.map((f) => [f.meta?.channel, f.dir, f.json])).toEqual([
      ['sharedworker:echo', 'out', { ask: 1 }],
      ['port:1', 'out', 'through a channel'],
      ['sharedworker:echo', 'in', { echo: { ask: 1 } }],
    ]);
  });
});
