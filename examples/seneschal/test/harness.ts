/** Shared set-up for scenario tests and the fixture recorder: a server on a temp dir, clients with a settable clock. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FrameInput } from '@syncscope/inspector/record';
import type { SeneschalClient } from '../client/client.ts';
import { createNodeClient } from '../client/node.ts';
import { type RunningServer, type ServerOptions, startServer } from '../server/index.ts';

/** 07:00 of the note's day as epoch ms, from an hhmm number (740 -> 07:40). */
export const at = (hhmm: number) => Date.UTC(2026, 10, 20, Math.floor(hhmm / 100), hhmm % 100);

export class Harness {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'seneschal-'));
  server: RunningServer | undefined;
  port = 0;
  private readonly clients: SeneschalClient[] = [];
  /** The clock every client stamps its dispatches with (the note's times), and the server's. */
  clock = at(600);

  constructor(
    private readonly onFrame?: (frame: FrameInput) => void,
    private readonly serverOptions: Partial<ServerOptions> = {},
  ) {}

  get url(): string {
    if (!this.server) throw new Error('server not started');
    return this.server.url;
  }

  async start(): Promise<void> {
    this.server = await startServer({ port: this.port, dataDir: this.dataDir, now: () => this.clock, ...this.serverOptions });
    this.port = Number(new URL(this.server.url).port);
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  client(clientID: string, onFrame = this.onFrame): SeneschalClient {
    const client = createNodeClient({ server: this.url, clientID, now: () => this.clock, ...(onFrame ? { onFrame } : {}) });
    this.clients.push(client);
    return client;
  }

  /** A logged-in, connected client of a (possibly new) user. */
  async connected(clientID: string, username: string, register = false): Promise<SeneschalClient> {
    const client = this.client(clientID);
    if (register) await client.register(username, `${username}-password`);
    await client.login(username, `${username}-password`);
    await client.connect();
    return client;
  }

  async dispose(): Promise<void> {
    for (const client of this.clients) await client.disconnect().catch(() => undefined);
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Props of every visible object, per client: what convergence compares. */
export function snapshot(client: SeneschalClient): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(client.objects()).map(([oid, o]) => [oid, o.props]));
}

export async function converge(clients: readonly SeneschalClient[], expected: Record<string, Record<string, unknown>>): Promise<void> {
  const json = JSON.stringify(sorted(expected));
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A bound, not a timing assertion: without it a divergence would only show as a test timeout.
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const seen = clients.map((c) => `${c.clientID}: ${JSON.stringify(sorted(snapshot(c)))}`).join('\n');
      reject(new Error(`clients did not converge on ${json}\n${seen}`));
    }, 8000);
  });
  try {
    await Promise.race([Promise.all(clients.map((c) => c.until(() => JSON.stringify(sorted(snapshot(c))) === json))), bound]);
  } finally {
    clearTimeout(timer);
  }
}

function sorted(objects: Record<string, Record<string, unknown>>): unknown {
  return Object.keys(objects)
    .sort()
    .map((oid) => [oid, Object.fromEntries(Object.entries(objects[oid] ?? {}).sort(([a], [b]) => a.localeCompare(b)))]);
}
