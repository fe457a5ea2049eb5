/**
 * The scenarios whose real traffic becomes the recorded fixtures: each runs clients against a fresh server and
 * reports every frame the clients send and receive to `onFrame`.
 */
import type { FrameInput } from '../../../inspector/src/record/recorder.ts';
import type { TemporalClient } from '../client/node-client.ts';
import { client, tempDir, withServer } from '../test-helpers.ts';

type OnFrame = (frame: FrameInput) => void;
const org = (id: string) => ({ id, type: 'org' });
const person = (id: string) => ({ id, type: 'person' });

async function withScenario(
  onFrame: OnFrame,
  run: (ctx: { url: () => string; open: (personID: string) => Promise<TemporalClient>; restart: () => Promise<void> }) => Promise<void>,
): Promise<void> {
  const data = tempDir();
  let server = await withServer(data.dir);
  const port = server.port;
  const clients: TemporalClient[] = [];
  try {
    await run({
      url: () => server.url,
      open: async (personID) => {
        const c = client(server.url, personID, personID, onFrame);
        clients.push(c);
        await c.connect();
        return c;
      },
      restart: async () => {
        await server.close();
        server = await withServer(data.dir, port);
      },
    });
  } finally {
    for (const c of clients) c.close();
    await server.close();
    data.remove();
  }
}

/** Alice and Bob edit one organisation at once: different fields merge, the same field conflicts (412) and is retried. */
export function concurrentEdits(onFrame: OnFrame): Promise<void> {
  return withScenario(onFrame, async ({ open }) => {
    const alice = await open('alice');
    const bob = await open('bob');
    const acme = org('acme');
    alice.create(acme, { name: 'Acme', city: 'Oslo', employees: 10 });
    await alice.whenSynced();
    bob.subscribe(acme);
    await bob.whenSynced();
    alice.update(acme, (v) => ({ ...v, name: 'Acme AS' }));
    bob.update(acme, (v) => ({ ...v, city: 'Bergen' }));
    await Promise.all([alice.whenSynced(), bob.whenSynced()]);
    alice.update(acme, (v) => ({ ...v, employees: 11 }));
    bob.update(acme, (v) => ({ ...v, employees: 12 }));
    await Promise.all([alice.whenSynced(), bob.whenSynced()]);
    // Alice's own profile: a Person object handles its own entity.
    alice.create(person('alice'), { name: 'Alice', emails: ['alice@example.test'] });
    await alice.whenSynced();
    alice.update(person('alice'), (v) => ({ ...v, emails: ['alice@example.test', 'a@example.test'] }));
    await alice.whenSynced();
  });
}

/** Bob edits offline while Alice changes the same organisation; Carol reconnects after missing updates. */
export function offlineAndReconnect(onFrame: OnFrame): Promise<void> {
  return withScenario(onFrame, async ({ open }) => {
    const alice = await open('alice');
    const bob = await open('bob');
    const carol = await open('carol');
    const acme = org('acme');
    alice.create(acme, { name: 'Acme', city: 'Oslo', tags: ['b2b'] });
    await alice.whenSynced();
    bob.subscribe(acme);
    carol.subscribe(acme);
    await Promise.all([bob.whenSynced(), carol.whenSynced()]);
    bob.disconnect();
    carol.disconnect();
    bob.update(acme, (v) => ({ ...v, name: 'Acme (Bob)' }));
    bob.update(acme, (v) => ({ ...v, tags: ['b2b', 'nordic'] }));
    alice.update(acme, (v) => ({ ...v, name: 'Acme (Alice)', city: 'Tromsø' }));
    await alice.whenSynced();
    await bob.connect();
    await bob.whenSynced();
    await alice.whenSynced();
    await carol.connect();
    await carol.whenSynced();
    // A reconnect with nothing new: the get is answered 304.
    carol.disconnect();
    await carol.connect();
    await carol.whenSynced();
  });
}

/** Alice streams edits while the server restarts; Bob follows. Nothing acknowledged is lost. */
export function restartMidSync(onFrame: OnFrame): Promise<void> {
  return withScenario(onFrame, async ({ open, restart }) => {
    const alice = await open('alice');
    const bob = await open('bob');
    const counter = org('counter');
    alice.create(counter, { count: 0 });
    await alice.whenSynced();
    bob.subscribe(counter);
    await bob.whenSynced();
    for (let i = 1; i <= 6; i++) alice.update(counter, (v) => ({ ...v, count: i }));
    await restart();
    for (let i = 7; i <= 9; i++) alice.update(counter, (v) => ({ ...v, count: i }));
    await alice.whenSynced(20_000);
    await bob.whenSynced(20_000);
    // Bob's view settles on Alice's last version (its update may still be on the way).
    for (let i = 0; i < 100 && bob.view(counter).confirmed?.meta.validFrom !== alice.view(counter).confirmed?.meta.validFrom; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
}

export const SCENARIOS = {
  'concurrent-edits.syncscope.jsonl': concurrentEdits,
  'offline-reconnect.syncscope.jsonl': offlineAndReconnect,
  'restart-mid-sync.syncscope.jsonl': restartMidSync,
} as const;
