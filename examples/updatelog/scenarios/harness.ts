/** Helpers the scenario tests and the fixture recorder share: a server in a temp dir, clients, convergence. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FrameObserver } from '../client/frames.ts';
import { openLeagueClient } from '../client/node-client.ts';
import type { UpdatelogClient } from '../client/sync-client.ts';
import { canonicalJson } from '../engine/canonical.ts';
import { type League, leagueApp } from '../model/league.ts';
import { type RunningServer, type ServerOptions, startServer } from '../server/index.ts';

export type LeagueClient = UpdatelogClient<League>;

export interface ScenarioOptions {
  onFrame?: FrameObserver;
}

export class Bench {
  readonly clients: LeagueClient[] = [];
  server: RunningServer | undefined;
  private constructor(readonly dir: string) {}

  static async create(): Promise<Bench> {
    return new Bench(await mkdtemp(join(tmpdir(), 'updatelog-')));
  }

  async start(options: Partial<ServerOptions> = {}): Promise<RunningServer> {
    this.server = await startServer({ dataDir: join(this.dir, 'server'), rollupIntervalMs: 0, ...options });
    return this.server;
  }

  async client(
    userId: string,
    options: ScenarioOptions & { now?: () => number; pageSize?: number; endpoint?: string } = {},
  ): Promise<LeagueClient> {
    const server = this.server;
    if (!server && !options.endpoint) throw new Error('start the server before opening clients');
    const client = await openLeagueClient({
      endpoint: options.endpoint ?? (server as RunningServer).url,
      userId,
      dir: join(this.dir, 'clients'),
      ...(options.onFrame ? { onFrame: options.onFrame } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    });
    this.clients.push(client);
    return client;
  }

  forget(client: LeagueClient): void {
    client.stop();
    this.clients.splice(this.clients.indexOf(client), 1);
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.stop();
    await this.server?.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

export const canonicalState = (client: LeagueClient) => canonicalJson(leagueApp.types.toJson(client.state()));

/**
 * Flush everyone, let the promoter finish, read everyone, until all clients hold the same state with nothing
 * pending. Bounded: a scenario that does not converge in `rounds` rounds fails loudly.
 */
export async function settle(server: RunningServer, clients: readonly LeagueClient[], rounds = 10): Promise<number> {
  for (let round = 1; round <= rounds; round++) {
    for (const client of clients) await client.flush();
    await server.idle();
    for (const client of clients) await client.sync();
    const states = new Set(clients.map(canonicalState));
    const pending = clients.some((c) => c.status().unsaved > 0 || c.status().awaitingPromotion > 0);
    if (states.size === 1 && !pending) {
      // One more poll each: nothing new, so every client ends caught up and polling.
      for (const client of clients) await client.sync();
      return round;
    }
  }
  const detail = clients.map((c) => JSON.stringify(c.status())).join('\n');
  throw new Error(`clients did not converge in ${rounds} rounds:\n${detail}`);
}
