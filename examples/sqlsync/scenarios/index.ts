/**
 * The scenarios of issue 4, runnable by the tests (scenarios.test.ts) and by the fixture recorder
 * (scripts/record-fixtures.ts): several Node clients over real sockets on 127.0.0.1 against a real server with its
 * data in a temp dir. Each returns what the caller checks: every client's todos, the server's, and what was
 * acknowledged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FrameInput, NodeSqlsyncClient } from '../client/node-client.ts';
import { type RunningServer, startServer } from '../server/index.ts';
import type { Todo } from '../shared/mutations.ts';

export interface ScenarioOptions {
  onFrame?: (frame: FrameInput) => void;
}

export interface ScenarioResult {
  clients: Record<string, Todo[]>;
  server: Todo[];
  /** Todo ids each client had acknowledged (server timeline range covered them) before the end. */
  rejections: Record<string, string[]>;
  serverStorageLast: number;
}

/** Polls until `ready()` holds; a bounded wait that fails with `what`, not a timing assertion. */
export async function waitFor(what: string, ready: () => boolean, tries = 1000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting for: ${what}`);
}

class Harness {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'sqlsync-scenario-'));
  server: RunningServer | undefined;
  readonly clients = new Map<string, NodeSqlsyncClient>();
  private port = 0;

  constructor(
    private readonly options: ScenarioOptions,
    readonly doc: string,
  ) {}

  async start(): Promise<RunningServer> {
    this.server = await startServer({ port: this.port, host: '127.0.0.1', dataDir: this.dataDir });
    this.port = Number(new URL(this.server.url).port);
    return this.server;
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  client(name: string): NodeSqlsyncClient {
    if (!this.server) throw new Error('start the server first');
    const client = new NodeSqlsyncClient({
      url: this.server.url,
      doc: this.doc,
      timeline: `tl-${name}`,
      name,
      ...(this.options.onFrame ? { onFrame: this.options.onFrame } : {}),
    });
    this.clients.set(name, client);
    return client;
  }

  serverTodos(): Todo[] {
    const rows = this.server?.coordinator.query(this.doc, 'SELECT id, text, done FROM todos ORDER BY id') ?? [];
    return rows.map((row) => ({ id: String(row.id), text: String(row.text), done: Number(row.done) === 1 }));
  }

  serverStorageLast(): number {
    const rows = this.server?.coordinator.query(this.doc, 'SELECT COALESCE(MAX(lsn), -1) AS last FROM sqlsync_storage') ?? [];
    return Number(rows[0]?.last ?? -1);
  }

  /** Every connected client has had all its mutations applied and holds all of the server's storage. */
  async converge(): Promise<void> {
    await waitFor('all clients to converge', () => {
      const last = this.serverStorageLast();
      return [...this.clients.values()].every((c) => c.status !== 'connected' || (c.settled && (c.storage.range?.last ?? -1) === last));
    });
  }

  result(): ScenarioResult {
    const clients: Record<string, Todo[]> = {};
    const rejections: Record<string, string[]> = {};
    for (const [name, client] of this.clients) {
      clients[name] = client.todos();
      rejections[name] = client.rejections.map((r) => `${r.mutation.tag} ${String((r.mutation as { id?: unknown }).id)}: ${r.rejected}`);
    }
    return { clients, server: this.serverTodos(), rejections, serverStorageLast: this.serverStorageLast() };
  }

  async dispose(): Promise<void> {
    for (const client of this.clients.values()) await client.close();
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

async function withHarness<T>(options: ScenarioOptions, doc: string, run: (h: Harness) => Promise<T>): Promise<T> {
  const harness = new Harness(options, doc);
  try {
    await harness.start();
    return await run(harness);
  } finally {
    await harness.dispose();
  }
}

/** Two clients; one goes offline, edits, and reconnects; the other edits meanwhile. */
export function offlineEditsScenario(options: ScenarioOptions = {}): Promise<ScenarioResult> {
  return withHarness(options, 'doc-offline', async (h) => {
    const alice = h.client('alice');
    const bob = h.client('bob');
    await alice.connect();
    await bob.connect();
    alice.mutate({ tag: 'AddTodo', id: 'milk', text: 'buy milk' });
    alice.mutate({ tag: 'AddTodo', id: 'bread', text: 'buy bread' });
    await h.converge();
    await bob.disconnect();
    bob.mutate({ tag: 'AddTodo', id: 'eggs', text: 'buy eggs' });
    bob.mutate({ tag: 'ToggleDone', id: 'milk', done: true });
    alice.mutate({ tag: 'SetText', id: 'bread', text: 'buy rye bread' });
    await h.converge();
    await bob.connect();
    await h.converge();
    return h.result();
  });
}

/**
 * Concurrent edits to one object: both clients edit the same todo before either hears of the other's edit; the
 * server's receive order decides, both rebase onto it. Then a delete races a toggle: the toggle is rejected.
 */
export function concurrentEditsScenario(options: ScenarioOptions = {}): Promise<ScenarioResult> {
  return withHarness(options, 'doc-concurrent', async (h) => {
    const alice = h.client('alice');
    const bob = h.client('bob');
    const carol = h.client('carol');
    await Promise.all([alice.connect(), bob.connect(), carol.connect()]);
    alice.mutate({ tag: 'AddTodo', id: 'plan', text: 'plan the trip' });
    await h.converge();
    // Bob goes offline so his edit is surely concurrent with Alice's, then both edit the same todo.
    await bob.disconnect();
    alice.mutate({ tag: 'SetText', id: 'plan', text: 'plan the trip to Lisbon' });
    bob.mutate({ tag: 'SetText', id: 'plan', text: 'plan the trip to Porto' });
    bob.mutate({ tag: 'ToggleDone', id: 'plan', done: true });
    await h.converge();
    // Carol deletes it while Bob is still offline; Bob's edits arrive after the delete and are rejected.
    carol.mutate({ tag: 'DeleteTodo', id: 'plan' });
    carol.mutate({ tag: 'AddTodo', id: 'pack', text: 'pack bags' });
    await h.converge();
    await bob.connect();
    await h.converge();
    return h.result();
  });
}

/**
 * Server restart in the middle of a sync: a client with a long offline backlog (many byte-sized batches) starts
 * syncing; the server is stopped right after acknowledging the first batch, started again on the same port and
 * data directory, and the client reconnects and finishes. Nothing acknowledged is lost.
 */
export function serverRestartScenario(options: ScenarioOptions = {}): Promise<ScenarioResult & { acknowledgedBeforeRestart: number }> {
  return withHarness(options, 'doc-restart', async (h) => {
    const alice = h.client('alice');
    const bob = h.client('bob');
    await alice.connect();
    await bob.connect();
    await alice.disconnect();
    const long = 'x'.repeat(450);
    for (let i = 0; i < 80; i++) {
      const outcome = alice.mutate({ tag: 'AddTodo', id: `item-${String(i).padStart(2, '0')}`, text: `${i} ${long}` });
      if (!outcome.ok) throw new Error(`local mutation refused: ${outcome.reason}`);
    }
    await alice.connect();
    await waitFor('the first batch to be acknowledged', () => (alice.serverTimeline?.last ?? -1) >= 0);
    const acknowledgedBeforeRestart = (alice.serverTimeline?.last ?? -1) + 1;
    await h.stop();
    await h.start();
    await waitFor('clients to reconnect', () => alice.status === 'connected' && bob.status === 'connected');
    bob.mutate({ tag: 'ToggleDone', id: 'item-00', done: true });
    await h.converge();
    return { ...h.result(), acknowledgedBeforeRestart };
  });
}
