/** Bad input gets a clear protocol-level error naming the field; the server keeps serving everyone else. */

import { afterEach, describe, expect, it } from 'vitest';
import { Harness, snapshot } from './test/harness.ts';
import { rawSocket } from './test/raw-socket.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

describe('seneschal server: bad input', () => {
  it('answers malformed socket messages with typed errors and keeps working', async () => {
    harness = new Harness();
    await harness.start();
    const alice = await harness.connected('a', 'alice', true);
    const raw = await rawSocket(harness.url);

    raw.send('{"type":"dispatch",');
    expect(await raw.next()).toMatchObject({ type: 'error', code: 'bad-message', message: expect.stringContaining('not JSON') });
    raw.send(Buffer.from([1, 2, 3]));
    expect(await raw.next()).toMatchObject({ type: 'error', code: 'bad-message', message: expect.stringContaining('binary') });
    raw.send('{"type":"teleport"}');
    expect(await raw.next()).toMatchObject({ type: 'error', code: 'bad-message', path: 'type' });
    raw.send(
      JSON.stringify({
        type: 'dispatch',
        id: 'x',
        envelope: { timestamp: 'soon', clientID: 'z', dispatch: { action: 'items/upsert', payload: ['o', {}] } },
      }),
    );
    expect(await raw.next()).toMatchObject({ type: 'error', code: 'bad-message', path: 'envelope.timestamp' });
    raw.send(JSON.stringify({ type: 'received', ids: ['x'] }));
    expect(await raw.next()).toMatchObject({ type: 'error', code: 'unauthorized' });
    raw.send(JSON.stringify({ type: 'hello', token: 'not-a-jwt', clientID: 'z' }));
    expect(await raw.next()).toMatchObject({ type: 'error', code: 'unauthorized', path: 'token' });

    // A token is bound to its client id.
    const login = await alice.login('alice', 'alice-password');
    const impostor = await rawSocket(harness.url);
    impostor.send(JSON.stringify({ type: 'hello', token: login.token, clientID: 'someone-else' }));
    expect(await impostor.next()).toMatchObject({ type: 'error', code: 'unauthorized' });

    // Live dispatches before rehydrate are refused, not applied.
    const early = await rawSocket(harness.url);
    early.send(JSON.stringify({ type: 'hello', token: login.token, clientID: 'a' }));
    expect(await early.next()).toMatchObject({ type: 'welcome' });
    expect(await early.next()).toMatchObject({ type: 'rehydrateBegin' });
    early.send(
      JSON.stringify({
        type: 'dispatch',
        id: 'd1',
        envelope: { timestamp: 1, clientID: 'a', dispatch: { action: 'items/upsert', payload: ['o', { name: 'x' }] } },
      }),
    );
    expect(await early.next()).toMatchObject({ type: 'error', code: 'not-ready' });
    for (const socket of [raw, impostor, early]) socket.ws.close();

    // Everyone else is still served.
    const bob = await harness.connected('b', 'alice');
    alice.dispatch('items/upsert', 'ob1', { name: 'still here' });
    await bob.until(() => snapshot(bob).ob1?.name === 'still here');
  });

  it('answers bad HTTP requests with an error body naming the field', async () => {
    harness = new Harness();
    await harness.start();
    const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${harness?.url}${path}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
      });
      return { status: response.status, body: (await response.json()) as { error: { code: string; message: string; path?: string } } };
    };
    expect(await post('/seneschal/register', '{"username":')).toMatchObject({ status: 400, body: { error: { code: 'bad-message' } } });
    expect(await post('/seneschal/register', '{"username":"x","password":"short"}')).toMatchObject({
      status: 400,
      body: { error: { path: 'password' } },
    });
    expect(await post('/seneschal/register', '{"username":"alice","password":"long enough"}')).toMatchObject({ status: 201 });
    expect(await post('/seneschal/register', '{"username":"alice","password":"long enough"}')).toMatchObject({
      status: 409,
      body: { error: { path: 'username' } },
    });
    expect(await post('/seneschal/login', '{"username":"alice","password":"wrong one","clientID":"c"}')).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthorized' } },
    });
    expect(await post('/seneschal/login', '{"username":"alice","password":"long enough"}')).toMatchObject({
      status: 400,
      body: { error: { path: 'clientID' } },
    });
    expect(await post('/seneschal/groups', '{"gid":"g","userID":"u"}')).toMatchObject({ status: 401 });
    expect(await post('/seneschal/nowhere', '{}')).toMatchObject({ status: 404 });
    const ok = await post('/seneschal/login', '{"username":"alice","password":"long enough","clientID":"c"}');
    expect(ok.status).toBe(200);
  });
});
