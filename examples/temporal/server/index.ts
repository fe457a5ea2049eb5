/**
 * Starts the temporal reference server: the Worker and its Durable Objects (Temporalizable, Person) in workerd
 * through Miniflare's programmatic API, with storage persisted under `dataDir` so a restart loses nothing that was
 * acknowledged. The Worker's TypeScript is bundled with esbuild for workerd (wrangler does the same on deploy).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

const here = dirname(fileURLToPath(import.meta.url));
const exampleDir = join(here, '..');

export interface ServerOptions {
  port?: number;
  host?: string;
  /** Durable Object storage lives in `${dataDir}/durable-objects`. */
  dataDir: string;
}

export interface RunningServer {
  /** http://host:port/ of the Worker; sockets connect to `${url}temporal/person/<personID>` with ws:. */
  url: string;
  close(): Promise<void>;
}

/** Keeps wrangler and Miniflare local: no metrics, no request.cf fetch, config under the example (gitignored). */
function keepLocal(): void {
  process.env.WRANGLER_SEND_METRICS = 'false';
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  process.env.XDG_CONFIG_HOME ??= join(exampleDir, '.xdg');
  mkdirSync(process.env.XDG_CONFIG_HOME, { recursive: true });
}

let bundled: Promise<string> | undefined;

/** The Worker as one ES module; built once per process. */
export function bundleWorker(): Promise<string> {
  bundled ??= build({
    entryPoints: [join(here, 'worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    write: false,
    logLevel: 'silent',
  }).then((result) => {
    const file = result.outputFiles[0];
    if (!file) throw new Error('esbuild produced no worker bundle');
    return file.text;
  });
  return bundled;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  keepLocal();
  const script = await bundleWorker();
  const persist = join(options.dataDir, 'durable-objects');
  mkdirSync(persist, { recursive: true });
  const miniflare = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2025-04-01',
    durableObjects: { TEMPORALIZABLE: 'Temporalizable', PERSON: 'Person' },
    durableObjectsPersist: persist,
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
  });
  const url = await miniflare.ready;
  let closed = false;
  return {
    url: url.href,
    async close() {
      if (closed) return;
      closed = true;
      await miniflare.dispose();
    },
  };
}
