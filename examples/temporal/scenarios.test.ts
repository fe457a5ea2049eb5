/**
 * Scenario tests of the temporal engine: several clients over real sockets to the Durable Objects in workerd
 * (Miniflare), offline edits, reconnects, concurrent edits of one object, and a server restart mid-sync.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemporalClient } from './client/node-client.ts';
import { client, tempDir, withServer } from './test-helpers.ts';

const org = (id: string) => ({ id, type: 'org' });

describe('temporal scenarios over real sockets', () => {
  const data = tempDir();
  let server: Awaited<ReturnType<typeof withServer>>;
  const clients: TemporalClient[] = [];
  const open = async (personID: string, name = personID) => {
    const c = client(server.url, personID, name);
    clients.push(c);
    await c.connect();
    return c;
  };
  /** A fresh client's view of an entity: what the server holds. */
  const serverValue = async (ref: { id: string; type: string }) => {
    const probe = await open('probe', `probe-${clients.length}`);
    probe.subscribe(ref);
    await probe.whenSynced();
    const view = probe.view(ref);
    probe.close();
    return view.confirmed;
  };

  beforeAll(async () => {
    server = await withServer(data.dir);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.close();
    data.remove();
  });

  it('concurrent edits of one object: different fields merge, the same field goes to the later writer', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    const ref = org('acme-1');
    alice.create(ref, { name: 'Acme', city: 'Oslo', size: 10 });
    await alice.whenSynced();
    bob.subscribe(ref);
    await bob.whenSynced();
    // Both edit at once on the same version: different fields, then the same field.
    alice.set(ref, { name: 'Acme AS', city: 'Oslo', size: 10 });
    bob.set(ref, { name: 'Acme', city: 'Bergen', size: 10 });
    await Promise.all([alice.whenSynced(), bob.whenSynced()]);
    alice.update(ref, (v) => ({ ...v, size: 11 }));
    bob.update(ref, (v) => ({ ...v, size: 12 }));
    await Promise.all([alice.whenSynced(), bob.whenSynced()]);
    const truth = await serverValue(ref);
    expect(truth?.value).toMatchObject({ name: 'Acme AS', city: 'Bergen' });
    expect([11, 12]).toContain(truth?.value.size);
    expect(alice.view(ref).confirmed).toEqual(truth);
    expect(bob.view(ref).confirmed).toEqual(truth);
  });

  it('offline edits queue up and land on reconnect; a conflicting one is retried on the newest version', async () => {
    const alice = await open('alice', 'alice-2');
    const bob = await open('bob', 'bob-2');
    const ref = org('acme-2');
    alice.create(ref, { name: 'Acme', city: 'Oslo', tags: ['a'] });
    await alice.whenSynced();
    bob.subscribe(ref);
    await bob.whenSynced();
    bob.disconnect();
    bob.update(ref, (v) => ({ ...v, name: 'Bob was here' }));
    bob.update(ref, (v) => ({ ...v, tags: ['a', 'b'] }));
    alice.update(ref, (v) => ({ ...v, name: 'Alice was here', city: 'Tromsø' }));
    await alice.whenSynced();
    expect(bob.view(ref).queued).toBe(2);
    await bob.connect();
    await bob.whenSynced();
    await alice.whenSynced();
    const truth = await serverValue(ref);
    expect(truth?.value).toEqual({ name: 'Bob was here', city: 'Tromsø', tags: ['a', 'b'] });
    expect(alice.view(ref).confirmed).toEqual(truth);
    expect(bob.view(ref).confirmed).toEqual(truth);
    expect(bob.errors.some((e) => e.status === 412)).toBe(true);
  });

  it('a reconnecting subscriber catches up with the diff since its version', async () => {
    const alice = await open('alice', 'alice-3');
    const carol = await open('carol');
    const ref = org('acme-3');
    alice.create(ref, { name: 'One' });
    await alice.whenSynced();
    carol.subscribe(ref);
    await carol.whenSynced();
    carol.disconnect();
    for (let i = 2; i <= 4; i++) {
      alice.update(ref, (v) => ({ ...v, name: `v${i}`, [`field${i}`]: i }));
      await alice.whenSynced();
    }
    await carol.connect();
    await carol.whenSynced();
    expect(carol.view(ref).confirmed).toEqual(alice.view(ref).confirmed);
    expect(carol.view(ref).local).toEqual({ name: 'v4', field2: 2, field3: 3, field4: 4 });
  });

  it('delete and undelete reach subscribers', async () => {
    const alice = await open('alice', 'alice-4');
    const bob = await open('bob', 'bob-4');
    const ref = org('acme-4');
    alice.create(ref, { name: 'Gone soon' });
    await alice.whenSynced();
    bob.subscribe(ref);
    await bob.whenSynced();
    alice.remove(ref);
    await alice.whenSynced();
    await expect.poll(() => bob.view(ref).deleted, { timeout: 5000 }).toBe(true);
    alice.undelete(ref);
    await alice.whenSynced();
    await expect.poll(() => bob.view(ref).deleted, { timeout: 5000 }).toBe(false);
    expect(bob.view(ref).local).toEqual({ name: 'Gone soon' });
  });
});

describe('a server restart in the middle of a sync', () => {
  it('loses nothing acknowledged and every client converges', async () => {
    const data = tempDir();
    let server = await withServer(data.dir);
    const port = server.port;
    const alice = client(server.url, 'alice', 'alice-r');
    const bob = client(server.url, 'bob', 'bob-r');
    try {
      await Promise.all([alice.connect(), bob.connect()]);
      const ref = org('restart-1');
      alice.create(ref, { count: 0 });
      await alice.whenSynced();
      bob.subscribe(ref);
      await bob.whenSynced();
      // Edits stream in while the server goes down and comes back on the same port.
      for (let i = 1; i <= 20; i++) {
        alice.update(ref, (v) => ({ ...v, count: i, [`k${i}`]: i }));
        if (i === 8) await server.close();
        if (i === 12) server = await withServer(data.dir, port);
      }
      await alice.whenSynced(20_000);
      await bob.whenSynced(20_000);
      await expect.poll(() => bob.view(ref).confirmed?.meta.validFrom, { timeout: 10_000 }).toBe(alice.view(ref).confirmed?.meta.validFrom);
      const final = alice.view(ref).confirmed?.value;
      expect(final?.count).toBe(20);
      for (let i = 1; i <= 20; i++) expect(final?.[`k${i}`]).toBe(i);
      expect(bob.view(ref).confirmed).toEqual(alice.view(ref).confirmed);
      // A second restart: what was acknowledged is on disk.
      alice.close();
      bob.close();
      await server.close();
      server = await withServer(data.dir);
      const probe = client(server.url, 'probe', 'probe-r');
      await probe.connect();
      probe.subscribe(ref);
      await probe.whenSynced();
      expect(probe.view(ref).confirmed?.value).toEqual(final);
      probe.close();
    } finally {
      alice.close();
      bob.close();
      await server.close();
      data.remove();
    }
  });
});
