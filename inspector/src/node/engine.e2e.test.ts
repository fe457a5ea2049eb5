/**
 * A real engine's Node client, tapped with /node, streaming to the remote sink: seneschal (HTTP login with a JWT,
 * then a WebSocket of dispatches). Its frames must arrive, be given the seneschal protocol, and all decode.
 */
import { createRegistry } from '@syncscope/protocols';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { converge, Harness } from '../../../examples/seneschal/test/harness.ts';
import { type RemoteSink, startRemoteSink } from '../sinks/node.ts';
import { connectRemoteSink, installNodeTaps } from './index.ts';

let harness: Harness | undefined;
let sink: RemoteSink | undefined;
afterAll(async () => {
  await harness?.dispose();
  await sink?.close();
});

describe('a tapped engine client streaming to the remote sink', () => {
  it('seneschal: every frame arrives and decodes, secrets redacted', async () => {
    sink = await startRemoteSink({ registry: createRegistry() });
    const taps = installNodeTaps({ WebSocket });
    const remote = connectRemoteSink(taps, { url: sink.url, client: 'seneschal-node' });
    try {
      await remote.ready;
      harness = new Harness();
      await harness.start();
      const phone = await harness.connected('phone', 'alice', true);
      const tablet = await harness.connected('tablet', 'alice');
      phone.dispatch('items/upsert', 'ob1', { name: 'milk', qty: '1' });
      await converge([phone, tablet], { ob1: { name: 'milk', qty: '1' } });
      await phone.disconnect();
      await tablet.disconnect();
    } finally {
      await remote.close();
      taps.uninstall();
    }
    const store = sink.store;
    for (let i = 0; i < 200 && !(store.size > 0 && [...store.frames()].filter((f) => f.kind === 'close').length >= 2); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    store.finish();
    const frames = [...store.frames()];
    expect(frames.filter((f) => f.transport === 'websocket' && f.kind === 'message').length).toBeGreaterThan(3);
    expect(frames.some((f) => f.transport === 'http' && f.kind === 'response')).toBe(true);
    expect([...store.protocols().keys()]).toEqual(['seneschal']);
    const problems = store.query({}).flatMap((p) => {
      const info = store.info(p);
      return info?.ok ? [] : [{ frame: store.frame(p), info }];
    });
    expect(problems).toEqual([]);
    // Passwords and tokens never reached the sink.
    const all = JSON.stringify(frames);
    expect(all).not.toContain('alice-password');
    expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{5,}\.eyJ/);
  });
});
