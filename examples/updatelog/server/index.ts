/**
 * The updatelog reference server: an S3-compatible object store (filesystem-backed, atomic writes) holding the
 * log of one app data set, with the promoter and the snapshot roll-up running beside it.
 *
 *   startServer({ port, host, dataDir }) -> { url, close(), rollup(), idle() }
 *
 * `url` is the S3 endpoint (path-style); the bucket is `bucket` (default "updatelog").
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { leagueApp } from '../model/league.ts';
import { LogService } from './log-service.ts';
import { FileObjectStore } from './object-store.ts';
import { createS3Handler } from './s3-http.ts';

export const DEFAULTS = { bucket: 'updatelog', appId: 'league', dataSet: 'main' } as const;

export interface ServerOptions {
  port?: number;
  host?: string;
  dataDir: string;
  bucket?: string;
  appId?: string;
  dataSet?: string;
  /** How often the roll-up job writes a snapshot (ms); 0 turns the timer off (roll-ups on demand only). */
  rollupIntervalMs?: number;
  /** False leaves stored user updates unpromoted until the next start (to test recovery after a crash). */
  autoPromote?: boolean;
}

export interface RunningServer {
  url: string;
  bucket: string;
  appId: string;
  dataSet: string;
  port: number;
  close(): Promise<void>;
  /** Runs the roll-up now; the key of the snapshot written, or undefined when nothing new was promoted. */
  rollup(): Promise<string | undefined>;
  /** Resolves once every queued promotion has been written. */
  idle(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const bucket = options.bucket ?? DEFAULTS.bucket;
  const config = { appId: options.appId ?? DEFAULTS.appId, dataSet: options.dataSet ?? DEFAULTS.dataSet };
  const store = await FileObjectStore.open(options.dataDir, bucket);
  const log = await LogService.open(store, leagueApp, config);
  const handler = createS3Handler({ store, log: log as LogService<unknown>, autoPromote: options.autoPromote ?? true });
  const server: Server = createServer((request, response) => {
    handler(request, response).catch(() => response.destroy());
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const interval = options.rollupIntervalMs ?? 60_000;
  const timer = interval > 0 ? setInterval(() => void log.rollup().catch(() => undefined), interval) : undefined;
  timer?.unref();
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    bucket,
    ...config,
    port,
    rollup: () => log.rollup(),
    idle: () => log.idle(),
    async close() {
      if (timer) clearInterval(timer);
      await log.idle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
