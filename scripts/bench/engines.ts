/**
 * The reference engines under load (issue 11, "Reference engines"), each driven through its real server and its
 * real Node client, as the engines' own tests drive them: servers on 127.0.0.1, port 0, data in temp dirs that are
 * removed afterwards. Set-up (seeding, offline edits) is not timed; what is timed is said in each row's name and
 * note. Every wait is bounded. Servers and Node clients of linear, seneschal, sqlsync and updatelog share this one
 * process (as in the engines' tests), so their figures include both sides; temporal's server runs in workerd.
 * `BENCH_ENGINES=linear,sqlsync npm run bench -- engines` runs only the engines named.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeNdjsonBody, encodeBootstrapLine, type JsonModel, METADATA_PREFIX } from '@syncscope/protocols/linear';
import type { Envelope, StoredDispatch } from '@syncscope/protocols/seneschal';
import type { Mutation } from '@syncscope/protocols/sqlsync';
import { promotedMetaToHeaders, SHARED_AREA, type Update, updateKey } from '@syncscope/protocols/updatelog';
import Database from 'better-sqlite3';
import { IDBFactory } from 'fake-indexeddb';
import { IdbStore } from '../../examples/linear/client/idb-store.ts';
import type { StoredModel } from '../../examples/linear/client/local-store.ts';
import { createNodeClient as createLinearClient } from '../../examples/linear/client/node.ts';
import { ObjectPool, poolKey } from '../../examples/linear/client/object-pool.ts';
import { Store as LinearStore } from '../../examples/linear/server/db.ts';
import { startServer as startLinear } from '../../examples/linear/server/index.ts';
import { rehydrateMessages } from '../../examples/seneschal/client/batches.ts';
import type { ClientStorage } from '../../examples/seneschal/client/client.ts';
import { createNodeClient as createSeneschalClient } from '../../examples/seneschal/client/node.ts';
import type { LocalState } from '../../examples/seneschal/client/state.ts';
import { MAX_BODY_BYTES as SENESCHAL_MAX_MESSAGE } from '../../examples/seneschal/server/http.ts';
import { startServer as startSeneschal } from '../../examples/seneschal/server/index.ts';
import { reconcile } from '../../examples/seneschal/server/reconcile.ts';
import { NodeSqlsyncClient } from '../../examples/sqlsync/client/node-client.ts';
import { startServer as startSqlsync } from '../../examples/sqlsync/server/index.ts';
import { applyMutation, SCHEMA_SQL } from '../../examples/sqlsync/shared/mutations.ts';
import { createNodeClient as createTemporalClient, type TemporalClient } from '../../examples/temporal/client/node-client.ts';
import { startServer as startTemporal } from '../../examples/temporal/server/index.ts';
import { openLeagueClient } from '../../examples/updatelog/client/node-client.ts';
import { canonicalJson } from '../../examples/updatelog/engine/canonical.ts';
import { leagueApp, Match, MatchStatus, Result, Team } from '../../examples/updatelog/model/league.ts';
import { startServer as startUpdatelog } from '../../examples/updatelog/server/index.ts';
import { FileObjectStore } from '../../examples/updatelog/server/object-store.ts';
import type { BenchRow } from './table.ts';

const HOST = '127.0.0.1';
const GROUP = 'reference engines';

// ---- shared helpers ----------------------------------------------------------------------------------------------

const count = (n: number) => n.toLocaleString('en-US');
const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`;
const perSecond = (items: number, millis: number) => (items / millis) * 1000;

async function timed<T>(work: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

/** A temp dir that the caller's `finally` removes. */
function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `syncscope-bench-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls until `ready()` holds; throws naming `what` after `timeoutMs` (a bound, not a measurement). */
async function waitUntil(what: string, ready: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!ready()) {
    if (performance.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Deterministic pseudo-random numbers (mulberry32), so every run measures the same data. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], next: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function failedRow(name: string, unit: string, error: unknown): BenchRow {
  return { group: GROUP, name, figure: Number.NaN, unit, note: `NOT MEASURED: ${error instanceof Error ? error.message : String(error)}` };
}

// ---- linear: bootstrap of 100,000 objects --------------------------------------------------------------------------

const LINEAR_OBJECTS = 100_000;
/** The class order a hand-written loader would sort by (the peer's sort key). */
const CLASS_RANK: Record<string, number> = { Team: 0, User: 1, Project: 2, Label: 3, Issue: 4 };

/**
 * A tracker of `total` objects whose references (teamId, assigneeId, projectId, labelIds, parentId) all resolve,
 * in shuffled order so that the topological sort has real work: teams, users, projects, labels, then issues, a
 * quarter of which are sub-issues of an earlier issue (chains several levels deep).
 */
function trackerModels(total: number, seed = 11): JsonModel[] {
  const next = random(seed);
  const pick = (prefix: string, n: number) => `${prefix}-${Math.floor(next() * n)}`;
  const teams = 20;
  const users = 500;
  const projects = 1_000;
  const labels = 480;
  const models: JsonModel[] = [];
  for (let i = 0; i < teams; i++) models.push({ __class: 'Team', id: `team-${i}`, name: `Team ${i}`, key: `T${i}` });
  for (let i = 0; i < users; i++) models.push({ __class: 'User', id: `user-${i}`, name: `User ${i}`, teamId: pick('team', teams) });
  for (let i = 0; i < projects; i++)
    models.push({ __class: 'Project', id: `project-${i}`, name: `Project ${i}`, teamId: pick('team', teams) });
  for (let i = 0; i < labels; i++) models.push({ __class: 'Label', id: `label-${i}`, name: `label ${i}`, teamId: pick('team', teams) });
  const issues = total - models.length;
  for (let i = 0; i < issues; i++) {
    const parent = i > 0 && next() < 0.25 ? `iss-${Math.floor(next() * i)}` : undefined;
    models.push({
      __class: 'Issue',
      id: `iss-${i}`, // not issue-N: the server's demo seed has those
      title: `Issue ${i}: something to do`,
      description: '',
      status: ['backlog', 'todo', 'in-progress', 'done'][i % 4] as string,
      teamId: pick('team', teams),
      projectId: pick('project', projects),
      assigneeId: next() < 0.8 ? pick('user', users) : null,
      labelIds: next() < 0.5 ? [pick('label', labels), pick('label', labels)] : [],
      ...(parent ? { parentId: parent } : {}),
    });
  }
  return shuffle(models, next);
}

/** The bootstrap body as the linear server writes it: one model a line with its syncId, then the metadata line. */
function bootstrapBody(models: readonly JsonModel[]): string {
  const lines = models.map((model, i) => encodeBootstrapLine({ kind: 'model', model: { ...model, syncId: i + 1 } }));
  lines.push(encodeBootstrapLine({ kind: 'metadata', metadata: { method: 'full', lastSyncId: models.length, returnedModelsCount: {} } }));
  return lines.join('');
}

/** What the client does with a full bootstrap body before the store write: decode (zod), then hydrate the pool. */
function clientHydrate(body: string): { pool: ObjectPool; rows: Array<{ model: JsonModel; syncId: number }>; decodeMs: number } {
  const start = performance.now();
  const decoded = decodeNdjsonBody(body, false);
  if (!decoded.ok || decoded.message.kind !== 'bootstrap') throw new Error('the bootstrap body did not decode');
  const rows = decoded.message.message.lines.flatMap((line) => {
    if (line.kind !== 'model') return [];
    const { syncId, ...model } = line.model;
    return [{ model: model as JsonModel, syncId: typeof syncId === 'number' ? syncId : 0 }];
  });
  const decodeMs = performance.now() - start;
  const pool = new ObjectPool();
  pool.hydrate(rows);
  return { pool, rows, decodeMs };
}

/** The peer: the same body through JSON.parse line by line and one Array.sort by class. */
function plainParseAndSort(body: string): unknown[] {
  const objects: Array<{ __class: string }> = [];
  for (const line of body.split('\n')) {
    if (line.length === 0 || line.startsWith(METADATA_PREFIX)) continue;
    objects.push(JSON.parse(line) as { __class: string });
  }
  return objects.sort((a, b) => (CLASS_RANK[a.__class] ?? 9) - (CLASS_RANK[b.__class] ?? 9));
}

/** Runs `work` with a fresh fake-indexeddb factory as the global `indexedDB`, then puts back what was there. */
async function withFakeIndexedDb<T>(work: () => Promise<T>): Promise<T> {
  const scope = globalThis as { indexedDB?: unknown };
  const had = Object.hasOwn(scope, 'indexedDB');
  const previous = scope.indexedDB;
  scope.indexedDB = new IDBFactory();
  try {
    return await work();
  } finally {
    if (had) scope.indexedDB = previous;
    else delete scope.indexedDB;
  }
}

async function linearRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const models = trackerModels(LINEAR_OBJECTS);
  const body = bootstrapBody(models);
  // Warm both paths on a small tracker so the JIT has seen them.
  const warm = bootstrapBody(trackerModels(5_000, 3));
  clientHydrate(warm);
  plainParseAndSort(warm);

  const engine = await timed(() => clientHydrate(body));
  const peer = await timed(() => plainParseAndSort(body));
  const { pool, rows: poolRows, decodeMs } = engine.value;
  if (pool.all().length !== LINEAR_OBJECTS || pool.problems.length) {
    throw new Error(`linear pool holds ${pool.all().length} objects with ${pool.problems.length} problems`);
  }
  const figure = perSecond(LINEAR_OBJECTS, engine.ms);
  const peerFigure = perSecond(LINEAR_OBJECTS, peer.ms);
  rows.push({
    group: GROUP,
    name: `linear: bootstrap of ${count(LINEAR_OBJECTS)} objects in memory (client NDJSON decode + topological sort + ObjectPool insert)`,
    figure,
    unit: 'objects/s',
    peer: { name: 'JSON.parse per line + Array.sort by class', figure: peerFigure },
    ratio: figure / peerFigure,
    note: `${ms(engine.ms)}: decode+validate ${ms(decodeMs)}, sort+insert ${ms(engine.ms - decodeMs)}; peer ${ms(peer.ms)}`,
  });

  // The local-store write of the same bootstrap: the browser store (IdbStore) on fake-indexeddb.
  try {
    const stored: StoredModel[] = poolRows.map((r) => ({ key: poolKey(r.model.__class, r.model.id), model: r.model, syncId: r.syncId }));
    const { write, loaded } = await withFakeIndexedDb(async () => {
      const store = new IdbStore(`bench-linear-${randomUUID()}`);
      try {
        await store.load(); // opens (and creates) the database outside the timing
        const write = await timed(() => store.replaceModels(stored, LINEAR_OBJECTS));
        const loaded = (await store.load())?.models.length ?? 0;
        return { write, loaded };
      } finally {
        await store.close();
      }
    });
    if (loaded !== LINEAR_OBJECTS) throw new Error(`IdbStore read back ${loaded} of ${LINEAR_OBJECTS} models`);
    rows.push({
      group: GROUP,
      name: `linear: local-store write of the ${count(LINEAR_OBJECTS)}-object bootstrap (IdbStore.replaceModels, one readwrite transaction)`,
      figure: perSecond(LINEAR_OBJECTS, write.ms),
      unit: 'objects/s',
      note: `${ms(write.ms)}; IndexedDB is fake-indexeddb 6.2 (in-memory, pure JS) under Node, not a browser's; all ${count(loaded)} read back`,
    });
  } catch (error) {
    rows.push(failedRow(`linear: local-store write of ${count(LINEAR_OBJECTS)} objects (IdbStore on fake-indexeddb)`, 'objects/s', error));
  }

  rows.push(await linearOverTheWire(models));
  return rows;
}

/** A real linear server whose SQLite holds the tracker (seeded through its own Store), and a fresh client. */
async function linearOverTheWire(models: readonly JsonModel[]): Promise<BenchRow> {
  const name = `linear: full bootstrap over the wire of ${count(models.length)} objects (fresh Node client: login, socket, GET /bootstrap, decode, pool, store, live)`;
  const temp = tempDir('linear');
  try {
    const seed = await timed(() => {
      const store = new LinearStore(temp.dir);
      try {
        const demo = store.objectsSince('team-core', 0).objects.length;
        store.db.transaction(() => {
          for (const model of models)
            store.record(
              'team-core',
              'I',
              { modelName: model.__class, id: model.id, team: 'team-core', data: model, deleted: false, archived: false },
              // No per-field sync ids: the bootstrap never reads them (only later changes are checked against them).
              [],
            );
        })();
        return demo;
      } finally {
        store.close();
      }
    });
    const expected = models.length + seed.value;
    const server = await startLinear({ port: 0, host: HOST, dataDir: temp.dir });
    try {
      // The Node client as the engine's tests use it: its MemoryStore (the IndexedDB write is the row above).
      const client = createLinearClient({
        server: server.url,
        username: 'alice',
        password: 'alice-pw',
        clientId: 'bench-linear',
        reconnectDelayMs: 60_000,
      });
      try {
        const run = await timed(() => client.start());
        if (client.status !== 'live') throw new Error(`the client ended ${client.status}, not live`);
        const held = client.pool.all().length;
        // The team also holds the server's own demo objects.
        if (held !== expected) throw new Error(`the client holds ${held} of ${expected} objects`);
        return {
          group: GROUP,
          name,
          figure: perSecond(held, run.ms),
          unit: 'objects/s',
          note: `${ms(run.ms)} for ${count(held)} objects (${count(held - models.length)} are the server's demo seed); server seeded through its own Store in ${ms(seed.ms)}; client store: MemoryStore`,
        };
      } finally {
        await client.stop();
      }
    } finally {
      await server.close();
    }
  } catch (error) {
    return failedRow(name, 'objects/s', error);
  } finally {
    temp.remove();
  }
}

// ---- seneschal: rehydrate of 10,000 offline dispatches -------------------------------------------------------------

const SENESCHAL_DISPATCHES = 10_000;
const SENESCHAL_OBJECTS = 100;

/**
 * Keeps the client's saved state by reference: the state is immutable, so this is what memoryStorage's
 * structuredClone gives without measuring structuredClone (the client coalesces the saves of a burst of changes,
 * but each save would still clone the whole state).
 */
function referenceStorage(): ClientStorage {
  let saved: LocalState | undefined;
  return {
    load: async () => saved,
    save: async (state) => {
      saved = state;
    },
  };
}

interface RehydrateRun {
  ms: number;
  dispatches: number;
  messages: number;
  largestMessageBytes: number;
  reduceMs: number;
}

/** One user's device: registers, connects, goes offline, makes `n` dispatches, and reconnects (timed). */
async function seneschalRehydrate(n: number): Promise<RehydrateRun> {
  const temp = tempDir('seneschal');
  const server = await startSeneschal({ port: 0, host: HOST, dataDir: temp.dir }).catch((error: unknown) => {
    temp.remove();
    throw error;
  });
  const client = createSeneschalClient({ server: server.url, clientID: `bench-${randomUUID()}`, storage: referenceStorage() });
  try {
    await client.register('bench', 'bench-password');
    await client.login('bench', 'bench-password');
    await client.connect();
    await client.disconnect();
    for (let i = 0; i < n; i++) client.dispatch('items/upsert', `item-${i % SENESCHAL_OBJECTS}`, { qty: i, note: `edit ${i}` });
    await client.saved();
    const unsent: readonly StoredDispatch[] = client.unsent();
    if (unsent.length !== n) throw new Error(`the client kept ${unsent.length} of ${n} offline dispatches`);
    // The messages the client will send (the same split it makes on rehydrateBegin).
    const messages = rehydrateMessages(unsent);
    const largestMessageBytes = Math.max(...messages.map((m) => Buffer.byteLength(JSON.stringify(m))));
    // The peer: the server's reduction alone (reconcile per object, in memory), on the same envelopes.
    const byObject = new Map<string, Envelope[]>();
    for (const { envelope } of unsent) {
      const oid = envelope.dispatch.payload[0];
      const list = byObject.get(oid);
      if (list) list.push(envelope);
      else byObject.set(oid, [envelope]);
    }
    const reduce = await timed(() => {
      for (const [oid, envelopes] of byObject) reconcile(undefined, oid, envelopes);
    });
    const run = await timed(async () => {
      await client.connect(); // resolves after rehydrateEnd and the queue flush
      await client.settled(); // every dispatch acknowledged and saved
    });
    if (client.unsent().length !== 0 || client.lastError)
      throw new Error(`rehydrate left ${client.unsent().length} unsent (${client.lastError})`);
    return { ms: run.ms, dispatches: n, messages: messages.length, largestMessageBytes, reduceMs: reduce.ms };
  } finally {
    await client.disconnect().catch(() => undefined);
    await server.close();
    temp.remove();
  }
}

async function seneschalRows(): Promise<BenchRow[]> {
  const name = `seneschal: rehydrate of ${count(SENESCHAL_DISPATCHES)} offline dispatches on ${SENESCHAL_OBJECTS} objects (connect until rehydrateEnd, queue flush, all acknowledged)`;
  try {
    const run = await seneschalRehydrate(SENESCHAL_DISPATCHES);
    const figure = perSecond(run.dispatches, run.ms);
    const peerFigure = perSecond(run.dispatches, run.reduceMs);
    return [
      {
        group: GROUP,
        name,
        figure,
        unit: 'dispatches/s',
        peer: { name: 'server reduction alone (reconcile per object, in memory)', figure: peerFigure },
        ratio: figure / peerFigure,
        note: `${ms(run.ms)}; ${count(run.messages)} rehydrate messages (\`more: true\` on all but the last), the largest ${count(run.largestMessageBytes)} bytes (the server takes ${count(SENESCHAL_MAX_MESSAGE)} per message), reconciled at once on the last; the engine path is durable (SQLite, synchronous=FULL), validated (zod) and over a socket, the peer is neither`,
      },
    ];
  } catch (error) {
    return [failedRow(name, 'dispatches/s', error)];
  }
}

// ---- sqlsync: sync and rebase of 10,000 mutations ------------------------------------------------------------------

const SQLSYNC_MUTATIONS = 10_000;
const SQLSYNC_TODOS = 2_000;

/** 2,000 todos added, then edits, toggles and a few deletes of them: all accepted by the reducer in this order. */
function todoMutations(): Mutation[] {
  const out: Mutation[] = [];
  for (let i = 0; i < SQLSYNC_TODOS; i++) out.push({ tag: 'AddTodo', id: `todo-${i}`, text: `todo number ${i}` });
  for (let i = 0; out.length < SQLSYNC_MUTATIONS; i++) {
    const id = `todo-${i % (SQLSYNC_TODOS - 100)}`;
    if (i % 2 === 0) out.push({ tag: 'SetText', id, text: `todo edited ${i}` });
    else out.push({ tag: 'ToggleDone', id, done: i % 4 === 1 });
  }
  return out;
}

async function sqlsyncRows(): Promise<BenchRow[]> {
  const name = `sqlsync: sync and rebase of ${count(SQLSYNC_MUTATIONS)} offline mutations (connect until the server acknowledged all and the client rebased onto storage)`;
  const mutations = todoMutations();
  // The peer: the same mutations through the todo reducer once, each in a savepoint, with no sync and no rebase.
  const db = new Database(':memory:');
  const peer = await timed(() => {
    const sql = {
      run: (text: string, params: ReadonlyArray<string | number | null> = []) => void db.prepare(text).run(...params),
      all: (text: string, params: ReadonlyArray<string | number | null> = []) =>
        db.prepare(text).all(...params) as Array<Record<string, unknown>>,
    };
    sql.run(SCHEMA_SQL);
    for (const mutation of mutations) {
      db.exec('SAVEPOINT mutation');
      const outcome = applyMutation(sql, mutation);
      db.exec(outcome.ok ? 'RELEASE mutation' : 'ROLLBACK TO mutation; RELEASE mutation');
    }
  });
  db.close();

  const temp = tempDir('sqlsync');
  const server = await startSqlsync({ port: 0, host: HOST, dataDir: temp.dir }).catch((error: unknown) => {
    temp.remove();
    throw error;
  });
  const client = new NodeSqlsyncClient({ url: server.url, doc: 'bench', timeline: 'tl-bench', name: 'bench', reconnect: false });
  try {
    await client.connect();
    await client.disconnect();
    for (const mutation of mutations) {
      const outcome = client.mutate(mutation);
      if (!outcome.ok) throw new Error(`local mutation refused: ${outcome.reason}`);
    }
    const storageLast = () =>
      Number(server.coordinator.query('bench', 'SELECT COALESCE(MAX(lsn), -1) AS last FROM sqlsync_storage')[0]?.last ?? -1);
    const run = await timed(async () => {
      await client.connect();
      await waitUntil(
        'the sqlsync client to settle',
        () =>
          client.settled && client.serverTimeline?.last === SQLSYNC_MUTATIONS - 1 && (client.storage.range?.last ?? -1) === storageLast(),
        120_000,
      );
    });
    const serverTodos = server.coordinator.query('bench', 'SELECT COUNT(*) AS n FROM todos')[0]?.n;
    if (Number(serverTodos) !== client.todos().length || client.rejections.length)
      throw new Error(`server has ${String(serverTodos)} todos, client ${client.todos().length}, ${client.rejections.length} rejected`);
    const figure = perSecond(SQLSYNC_MUTATIONS, run.ms);
    const peerFigure = perSecond(SQLSYNC_MUTATIONS, peer.ms);
    return [
      {
        group: GROUP,
        name,
        figure,
        unit: 'mutations/s',
        peer: { name: 'the todo reducer alone, once (better-sqlite3 in memory)', figure: peerFigure },
        ratio: figure / peerFigure,
        note: `${ms(run.ms)}; ${count(SQLSYNC_TODOS)} AddTodo then SetText/ToggleDone; 16 KiB batches, one in flight; the server applies each received batch in one transaction; a storage batch of the client's own oldest mutations fast-forwards its rebase`,
      },
    ];
  } catch (error) {
    return [failedRow(name, 'mutations/s', error)];
  } finally {
    await client.close();
    await server.close();
    temp.remove();
  }
}

// ---- updatelog: catch-up over 10,000 updates -----------------------------------------------------------------------

const UPDATELOG_UPDATES = 10_000;

const LEAGUE_TEAMS = 20;

/**
 * A season of a 20-team league (every pair plays home and away: 380 matches), then results, result corrections,
 * reschedules and renames until there are 10,000 updates, every one valid.
 */
function leagueUpdates(): Update[] {
  const teams = LEAGUE_TEAMS;
  const toJson = (value: unknown) => leagueApp.types.toJson(value);
  const update = (type: string, data: unknown): Update => ({ id: randomUUID(), actions: [{ type, data: toJson(data) }] });
  const out: Update[] = [];
  for (let i = 0; i < teams; i++) out.push(update('addTeam', new Team(`team-${i}`, `Team ${i}`)));
  let matches = 0;
  for (let home = 0; home < teams; home++) {
    for (let away = 0; away < teams; away++) {
      if (home === away) continue;
      const date = new Date(Date.UTC(2026, 7, 1 + (matches % 280)));
      out.push(update('scheduleMatch', new Match(`match-${matches++}`, `team-${home}`, `team-${away}`, date, MatchStatus.SCHEDULED)));
    }
  }
  for (let i = 0; out.length < UPDATELOG_UPDATES; i++) {
    const match = `match-${i % matches}`;
    if (i % 3 === 0) out.push(update('recordResult', new Result(match, i % 5, (i * 3) % 4)));
    else if (i % 3 === 1)
      out.push(update('rescheduleMatch', new Match(match, undefined, undefined, new Date(Date.UTC(2026, 5, 1 + (i % 28))))));
    else out.push(update('renameTeam', new Team(`team-${i % teams}`, `Team ${i % teams} (${i})`)));
  }
  return out;
}

async function updatelogRows(): Promise<BenchRow[]> {
  const name = `updatelog: catch-up over ${count(UPDATELOG_UPDATES)} updates (fresh client: list the shared log, GET each update, replay)`;
  const temp = tempDir('updatelog');
  try {
    // Seeded as the promoter leaves the store (shared area, strictly increasing timestamps, promoter metadata),
    // written through the server's own FileObjectStore; 10,000 client PUTs + promotions cost ~4 fsyncs each.
    const updates = leagueUpdates();
    const base = Date.UTC(2026, 10, 1);
    const seed = await timed(async () => {
      const store = await FileObjectStore.open(temp.dir, 'updatelog');
      for (let i = 0; i < updates.length; i += 32) {
        await Promise.all(
          updates.slice(i, i + 32).map((update, j) => {
            const timestamp = base + i + j;
            const key = updateKey({ appId: 'league', dataSet: 'main', area: SHARED_AREA, timestamp, id: update.id });
            const source = updateKey({ appId: 'league', dataSet: 'main', area: 'user-seed', timestamp, id: update.id });
            const headers = promotedMetaToHeaders({ madeAt: timestamp, sourceKey: source });
            const meta = Object.fromEntries(Object.entries(headers).map(([header, value]) => [header.toLowerCase(), value]));
            return store.put(key, Buffer.from(JSON.stringify(update)), { contentType: 'application/json', meta });
          }),
        );
      }
    });
    // Starting replays the whole shared log into the server's replica (from its files, no HTTP): said in the note.
    const started = await timed(() => startUpdatelog({ port: 0, host: HOST, dataDir: temp.dir, rollupIntervalMs: 0 }));
    const server = started.value;
    try {
      const reader = await openLeagueClient({ endpoint: server.url, userId: 'bench-reader' });
      const fromLog = await timed(() => reader.sync());
      if (fromLog.value !== UPDATELOG_UPDATES || reader.status().lastError)
        throw new Error(`the reader caught up ${fromLog.value} of ${UPDATELOG_UPDATES} (${reader.status().lastError})`);
      const expected = canonicalJson(leagueApp.types.toJson(reader.state()));
      // The peer: the engine's own shortcut, a fresh client reading the roll-up snapshot of the same log.
      const snapshotKey = await server.rollup();
      if (!snapshotKey) throw new Error('the roll-up wrote no snapshot');
      const second = await openLeagueClient({ endpoint: server.url, userId: 'bench-reader-2' });
      const fromSnapshot = await timed(() => second.sync());
      if (canonicalJson(leagueApp.types.toJson(second.state())) !== expected) throw new Error('snapshot catch-up gave another state');
      const figure = perSecond(UPDATELOG_UPDATES, fromLog.ms);
      const peerFigure = perSecond(UPDATELOG_UPDATES, fromSnapshot.ms);
      return [
        {
          group: GROUP,
          name,
          figure,
          unit: 'updates/s',
          peer: { name: 'fresh client from the roll-up snapshot of the same log', figure: peerFigure },
          ratio: figure / peerFigure,
          note: `${ms(fromLog.ms)} (snapshot: ${ms(fromSnapshot.ms)}, the same state); the server's own start-up replay of the same log from its files took ${ms(started.ms)}; ${LEAGUE_TEAMS} teams, 380 matches, then results/reschedules/renames; seeded into the shared area through the server's FileObjectStore in ${ms(seed.ms)}`,
        },
      ];
    } finally {
      await server.close();
    }
  } catch (error) {
    return [failedRow(name, 'updates/s', error)];
  } finally {
    temp.remove();
  }
}

// ---- temporal: 1,000 concurrent patchDiffs -------------------------------------------------------------------------

const TEMPORAL_CLIENTS = 10;
const TEMPORAL_PATCHES = 100;
const TEMPORAL_ENTITIES = 4;

async function temporalRows(): Promise<BenchRow[]> {
  const total = TEMPORAL_CLIENTS * TEMPORAL_PATCHES;
  const name = `temporal: ${count(total)} concurrent patchDiffs (${TEMPORAL_CLIENTS} clients × ${TEMPORAL_PATCHES} on ${TEMPORAL_ENTITIES} shared entities, Miniflare; until all answered)`;
  const temp = tempDir('temporal');
  const clients: TemporalClient[] = [];
  const open = async (personID: string) => {
    // Retries are bounded but high, so that a patch that keeps losing the race is still counted, not dropped.
    const client = createTemporalClient({ serverURL: server.url, personID, name: personID, maxAttempts: 1_000 });
    clients.push(client);
    await client.connect();
    return client;
  };
  const server = await startTemporal({ port: 0, host: HOST, dataDir: temp.dir }).catch((error: unknown) => {
    temp.remove();
    throw error;
  });
  try {
    const refs = Array.from({ length: TEMPORAL_ENTITIES }, (_, k) => ({ type: 'org', id: `bench-org-${k}` }));
    const writers = await Promise.all(Array.from({ length: TEMPORAL_CLIENTS }, (_, i) => open(`bench-person-${i}`)));
    const first = writers[0] as TemporalClient;
    for (const ref of refs) first.create(ref, { name: ref.id, last: 'created' });
    await first.whenSynced(60_000);
    for (const writer of writers.slice(1)) for (const ref of refs) writer.subscribe(ref);
    await Promise.all(writers.map((w) => w.whenSynced(60_000)));
    const errorsBefore = writers.map((w) => w.errors.length);

    // Every patch sets the writer's own field (never conflicts) and the shared field `last` (conflicts with any
    // other writer's patch since its base: 412, taken and retried on the newest version).
    const run = await timed(async () => {
      writers.forEach((writer, i) => {
        for (let n = 0; n < TEMPORAL_PATCHES; n++) {
          writer.update(refs[n % TEMPORAL_ENTITIES] as { type: string; id: string }, (v) => ({ ...v, [`w${i}`]: n, last: `${i}:${n}` }));
        }
      });
      await Promise.all(writers.map((w) => w.whenSynced(120_000)));
    });
    const answers = writers.flatMap((w, i) => w.errors.slice(errorsBefore[i]));
    const status = (code: number) => answers.filter((r) => r.status === code).length;
    const other = answers.filter((r) => r.status !== 412 && r.status !== 409);

    // What the server holds: every writer's field on every entity is its last patch to that entity.
    const probe = await open('bench-probe');
    for (const ref of refs) probe.subscribe(ref);
    await probe.whenSynced(60_000);
    let lost = 0;
    refs.forEach((ref, k) => {
      const value = probe.view(ref).confirmed?.value ?? {};
      const lastN = TEMPORAL_PATCHES - TEMPORAL_ENTITIES + k;
      for (let i = 0; i < TEMPORAL_CLIENTS; i++) if (value[`w${i}`] !== lastN) lost++;
    });
    if (lost || other.length)
      throw new Error(`${lost} writer fields not at their last patch; other errors: ${other.map((r) => r.status).join(',')}`);
    return [
      {
        group: GROUP,
        name,
        figure: perSecond(total, run.ms),
        unit: 'patchDiffs/s',
        note: `${ms(run.ms)}; ${count(status(412))} answered 412 (conflict on \`last\`) and retried, ${count(status(409))} answered 409; every writer's own field holds its last patch`,
      },
    ];
  } catch (error) {
    return [failedRow(name, 'patchDiffs/s', error)];
  } finally {
    for (const client of clients) client.close();
    await server.close();
    temp.remove();
  }
}

// ---- the suite -----------------------------------------------------------------------------------------------------

export async function enginesBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const parts: Array<[string, () => Promise<BenchRow[]>]> = [
    ['linear', linearRows],
    ['seneschal', seneschalRows],
    ['sqlsync', sqlsyncRows],
    ['updatelog', updatelogRows],
    ['temporal', temporalRows],
  ];
  const only = process.env.BENCH_ENGINES?.split(',');
  for (const [engine, part] of parts) {
    if (only && !only.includes(engine)) continue;
    process.stderr.write(`bench: engines: ${engine}…\n`);
    try {
      rows.push(...(await part()));
    } catch (error) {
      rows.push(failedRow(`${engine}: set-up failed`, '', error));
    }
  }
  return rows;
}
