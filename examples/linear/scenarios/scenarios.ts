/**
 * The scenarios of the issue, with real clients over real sockets on 127.0.0.1: offline edits, reconnect,
 * concurrent edits to one object, a server restart in the middle of a sync. The tests assert on their outcomes;
 * scripts/record-fixtures.ts runs the same scenarios and writes their traffic as session files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeClient, MemoryStore, poolKey, type SyncClient } from '../client/node.ts';
import type { FrameObserver } from '../client/wire.ts';
import { type RunningServer, startServer } from '../server/index.ts';

export interface ScenarioContext {
  onFrame?: FrameObserver;
}

const PASSWORDS: Record<string, string> = { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' };

/** Polls until `ready` holds; bounded, and says what it waited for when it gives up. */
export async function waitFor(what: string, ready: () => boolean | Promise<boolean>, attempts = 400): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export class Harness {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'linear-scenario-'));
  server!: RunningServer;
  private port = 0;
  readonly clients: SyncClient[] = [];

  constructor(private readonly context: ScenarioContext = {}) {}

  async start(): Promise<void> {
    this.server = await startServer({ port: this.port, dataDir: this.dataDir });
    this.port = Number(new URL(this.server.url).port);
  }

  /** Stops the server and starts it again on the same port and data directory. */
  async restart(): Promise<void> {
    await this.server.close();
    await this.start();
  }

  client(username: string, clientId: string, store = new MemoryStore(), watch?: FrameObserver): SyncClient {
    const observers = [this.context.onFrame, watch].filter((o): o is FrameObserver => o !== undefined);
    const client = createNodeClient({
      server: this.server.url,
      username,
      password: PASSWORDS[username] ?? '',
      clientId,
      store,
      reconnectDelayMs: 50,
      ...(observers.length
        ? {
            onFrame: (frame) => {
              for (const observe of observers) observe(frame);
            },
          }
        : {}),
    });
    this.clients.push(client);
    return client;
  }

  /** What a client that starts from nothing would see: the truth to converge on. */
  async truth(username = 'alice'): Promise<Record<string, unknown>> {
    const fresh = createNodeClient({
      server: this.server.url,
      username,
      password: PASSWORDS[username] ?? '',
      clientId: `truth-${username}`,
    });
    await fresh.start();
    const snapshot = fresh.pool.snapshot();
    await fresh.stop();
    return snapshot;
  }

  /** Every client live, its queue empty, and its pool equal to the server's truth. */
  async converge(clients: readonly SyncClient[]): Promise<Record<string, unknown>> {
    let truth = await this.truth();
    await waitFor('clients to converge', async () => {
      if (!clients.every((c) => c.status === 'live' && c.queue.length === 0)) return false;
      truth = await this.truth();
      return clients.every((c) => JSON.stringify(c.pool.snapshot()) === JSON.stringify(truth));
    });
    return truth;
  }

  async close(): Promise<void> {
    for (const client of this.clients) await client.stop();
    await this.server?.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export const issue = (id: string) => poolKey('Issue', id);

/** A new Issue in the seeded core team, as a client creates it; `fields` overrides the defaults. */
export const newIssue = (id: string, title: string, fields: Record<string, unknown> = {}) => ({
  __class: 'Issue',
  id,
  title,
  description: '',
  status: 'backlog',
  teamId: 'team-core',
  projectId: null,
  assigneeId: null,
  labelIds: [],
  ...fields,
});

export interface OfflineOutcome {
  truth: Record<string, unknown>;
  createdId: string;
  phasesOfBob: string[];
  bobRestartedWithDelta: boolean;
}

/** Bob edits offline while Alice edits online; Bob reconnects (and later restarts from his local data: a delta). */
export async function offlineEditsScenario(context: ScenarioContext = {}): Promise<OfflineOutcome> {
  const h = new Harness(context);
  try {
    await h.start();
    const alice = h.client('alice', 'alice-laptop');
    const bobStore = new MemoryStore();
    const bob = h.client('bob', 'bob-phone', bobStore);
    const phasesOfBob: string[] = [];
    bob.onChange(() => {
      if (phasesOfBob.at(-1) !== bob.status) phasesOfBob.push(bob.status);
    });
    await alice.start();
    await bob.start();
    bob.goOffline();
    await bob.update('Issue', 'issue-2', { title: 'Reconnect drains the queue, then takes the delta' });
    const createdId = 'issue-bob-1';
    await bob.create(
      newIssue(createdId, 'Offline queue survives a reload', {
        status: 'todo',
        projectId: 'proj-sync',
        assigneeId: 'user-bob',
        labelIds: ['label-bug'],
      }),
    );
    await alice.update('Issue', 'issue-1', { status: 'done' });
    await waitFor('alice to see her own change', () => alice.queue.length === 0);
    await bob.goOnline();
    await h.converge([alice, bob]);
    // Bob's app restarts: local data, so a delta bootstrap from his last sync id.
    await bob.stop();
    await alice.update('Issue', createdId, { assigneeId: 'user-alice' });
    const bobAgain = h.client('bob', 'bob-phone', bobStore);
    let sawDelta = false;
    bobAgain.onChange(() => {
      sawDelta ||= bobAgain.status === 'delta';
    });
    await bobAgain.start();
    const truth = await h.converge([alice, bobAgain]);
    return { truth, createdId, phasesOfBob, bobRestartedWithDelta: sawDelta };
  } finally {
    await h.close();
  }
}

export interface ConcurrentOutcome {
  truth: Record<string, unknown>;
  rejectedOfBob: Array<{ code: string; field?: string }>;
  racedRejections: number;
}

/**
 * Two edits of one issue: Alice's title lands first, Bob's offline title is stale and rejected, Bob's status (a
 * field nobody else touched) is accepted. Then both race on the same field while online: exactly one wins.
 */
export async function concurrentEditsScenario(context: ScenarioContext = {}): Promise<ConcurrentOutcome> {
  const h = new Harness(context);
  try {
    await h.start();
    const alice = h.client('alice', 'alice-laptop');
    const bob = h.client('bob', 'bob-phone');
    await alice.start();
    await bob.start();
    bob.goOffline();
    await bob.update('Issue', 'issue-1', { title: 'Bob: bootstrap streams NDJSON' });
    await bob.update('Issue', 'issue-1', { status: 'todo' });
    await alice.update('Issue', 'issue-1', { title: 'Alice: bootstrap streams every object' });
    await waitFor('alice to see her own change', () => alice.queue.length === 0);
    await bob.goOnline();
    await h.converge([alice, bob]);
    const rejectedOfBob = bob.rejections.map((r) => ({ code: r.code, ...(r.field ? { field: r.field } : {}) }));
    // Both online, both change the same field at once.
    const before = alice.rejections.length + bob.rejections.length;
    await Promise.all([
      alice.update('Issue', 'issue-2', { assigneeId: 'user-alice' }),
      bob.update('Issue', 'issue-2', { assigneeId: 'user-bob' }),
    ]);
    const truth = await h.converge([alice, bob]);
    return { truth, rejectedOfBob, racedRejections: alice.rejections.length + bob.rejections.length - before };
  } finally {
    await h.close();
  }
}

export interface RestartOutcome {
  truth: Record<string, unknown>;
  acknowledged: string[];
  survivedRestart: boolean;
  /** Transactions the server had acknowledged but whose sync id Alice had not seen when it stopped. */
  acknowledgedButUnseenAtStop: number;
}

/**
 * The server stops right after acknowledging a batch (before its sync ids reach the client) and comes back on the
 * same data: the client reconnects on its own, the delta brings the sync ids, nothing acknowledged is lost.
 */
export async function restartScenario(context: ScenarioContext = {}): Promise<RestartOutcome> {
  const h = new Harness(context);
  try {
    await h.start();
    // Stop the server the moment it has answered Alice's drain, before its sync ids reach her.
    let armed = false;
    let stopped: Promise<void> | undefined;
    const alice = h.client('alice', 'alice-laptop', new MemoryStore(), (frame) => {
      if (armed && frame.kind === 'response' && frame.meta?.url?.endsWith('/change')) {
        armed = false;
        stopped = h.server.close();
      }
    });
    const bob = h.client('bob', 'bob-phone');
    await alice.start();
    await bob.start();
    alice.goOffline();
    const titles = ['Survives restart 1', 'Survives restart 2', 'Survives restart 3'];
    const acknowledged: string[] = [];
    for (const [i, title] of titles.entries()) {
      const id = `issue-restart-${i + 1}`;
      await alice.create(newIssue(id, title));
      acknowledged.push(id);
    }
    armed = true;
    await alice.goOnline();
    await waitFor('the server to stop mid-sync', () => stopped !== undefined);
    await stopped;
    const midSync = alice.queue.filter((q) => q.syncId !== undefined).length;
    await bob.update('Issue', 'issue-1', { description: 'edited while the server was down' });
    await h.start();
    const truth = await h.converge([alice, bob]);
    const survivedRestart = acknowledged.every((id) => issue(id) in truth);
    return { truth, acknowledged, survivedRestart, acknowledgedButUnseenAtStop: midSync };
  } finally {
    await h.close();
  }
}
