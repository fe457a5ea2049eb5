/**
 * `syncscope proxy` in front of two real engines: their Node clients talk to the server only through the proxy,
 * everything still works (a second, direct client sees the changes), and what the proxy recorded decodes as the
 * engine's protocol with not one unknown or undecodable frame.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, Deriver } from '@syncscope/protocols';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy } from '../../inspector/src/proxy/proxy.ts';
import { Recorder } from '../../inspector/src/record/recorder.ts';
import { createNodeClient as createLinearClient } from '../linear/client/node.ts';
import { startServer as startLinear } from '../linear/server/index.ts';
import { createNodeClient as createSeneschalClient } from '../seneschal/client/node.ts';
import { startServer as startSeneschal } from '../seneschal/server/index.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'syncscope-proxy-engine-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function decodedProtocols(frames: ReturnType<Recorder['all']>): { protocols: Set<string>; problems: string[] } {
  const deriver = new Deriver(createRegistry());
  for (const frame of frames) deriver.push(frame);
  deriver.finish();
  const protocols = new Set<string>();
  const problems: string[] = [];
  frames.forEach((frame, i) => {
    const info = deriver.info(i);
    protocols.add(info?.protocol ?? 'undecided');
    if (!info?.ok) problems.push(`#${frame.seq} ${frame.kind} ${frame.meta?.url ?? ''}: ${info?.error?.reason ?? 'undecided'}`);
  });
  return { protocols, problems };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the recording proxy in front of real engines', () => {
  it('linear: bootstrap, a change and the /sync stream pass through; the recording decodes as linear', async () => {
    const server = await startLinear({ port: 0, host: '127.0.0.1', dataDir: tempDir() });
    cleanups.push(() => server.close());
    const recorder = new Recorder();
    const proxy = await startProxy({ target: server.url, onFrame: (f) => recorder.add(f) });
    cleanups.push(() => proxy.close());

    const proxied = createLinearClient({ server: proxy.url, username: 'alice', password: 'alice-pw', clientId: 'via-proxy' });
    const direct = createLinearClient({ server: server.url, username: 'bob', password: 'bob-pw', clientId: 'direct' });
    cleanups.push(
      () => proxied.stop(),
      () => direct.stop(),
    );
    await proxied.start();
    await direct.start();
    const issue = proxied.pool.ofClass('Issue')[0] as { id: string };
    await proxied.update('Issue', issue.id, { title: 'Edited through the proxy' });
    await proxied.flush();
    await until(
      () => (direct.pool.ofClass('Issue').find((i) => i.id === issue.id) as { title?: string })?.title === 'Edited through the proxy',
      'the direct client to see the edit',
    );

    const { protocols, problems } = decodedProtocols(recorder.all());
    expect(problems).toEqual([]);
    expect(protocols).toEqual(new Set(['linear']));
    expect(new Set(recorder.all().map((f) => f.transport))).toEqual(new Set(['http', 'websocket']));
  });

  it('seneschal: login, rehydrate and a dispatch pass through; the recording decodes as seneschal', async () => {
    const server = await startSeneschal({ port: 0, host: '127.0.0.1', dataDir: tempDir() });
    cleanups.push(() => server.close());
    const recorder = new Recorder();
    const proxy = await startProxy({ target: server.url, onFrame: (f) => recorder.add(f) });
    cleanups.push(() => proxy.close());

    const proxied = createSeneschalClient({ server: proxy.url, clientID: 'via-proxy' });
    const direct = createSeneschalClient({ server: server.url, clientID: 'direct' });
    cleanups.push(
      () => proxied.disconnect(),
      () => direct.disconnect(),
    );
    await proxied.register('ana', 'ana-password');
    await proxied.login('ana', 'ana-password');
    await proxied.connect();
    await direct.login('ana', 'ana-password');
    await direct.connect();
    proxied.dispatch('items/upsert', 'ob1', { name: 'milk', qty: '1', location: 'store' });
    await until(() => direct.objects().ob1?.props.name === 'milk', 'the direct client to receive the dispatch');

    const { protocols, problems } = decodedProtocols(recorder.all());
    expect(problems).toEqual([]);
    expect(protocols).toEqual(new Set(['seneschal']));
    expect(recorder.all().some((f) => f.transport === 'websocket' && f.kind === 'message')).toBe(true);
  });
});
