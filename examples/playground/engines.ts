/**
 * The five reference engines the playground runs. Each example exports `startServer({ port, host, dataDir })`
 * from its server/index.ts and a demo page under demo/ that reads its server from the `server` query parameter.
 */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export interface EngineEntry {
  id: string;
  title: string;
  note: string;
  /** Added to the base port, so the defaults are 4101..4105. */
  portOffset: number;
  start(options: { port: number; host: string; dataDir: string }): Promise<RunningServer>;
}

export const ENGINES: readonly EngineEntry[] = [
  {
    id: 'linear',
    title: 'Linear-style: bootstrap, object pool, change stream',
    note: 'seed 000',
    portOffset: 1,
    start: async (options) => (await import('../linear/server/index.ts')).startServer(options),
  },
  {
    id: 'sqlsync',
    title: 'sqlsync: timeline and storage journals, LSN ranges, rebase',
    note: 'seed 001',
    portOffset: 2,
    start: async (options) => (await import('../sqlsync/server/index.ts')).startServer(options),
  },
  {
    id: 'seneschal',
    title: 'Seneschal: dispatches, rehydrate, per-property last writer wins',
    note: 'seed 002',
    portOffset: 3,
    start: async (options) => (await import('../seneschal/server/index.ts')).startServer(options),
  },
  {
    id: 'updatelog',
    title: 'Update log: snapshot + single-argument updates in an object store',
    note: 'seed 003',
    portOffset: 4,
    start: async (options) => (await import('../updatelog/server/index.ts')).startServer(options),
  },
  {
    id: 'temporal',
    title: 'Temporal entities: post / get / patchDiff over WebSocket',
    note: 'seed 004',
    portOffset: 5,
    start: async (options) => (await import('../temporal/server/index.ts')).startServer(options),
  },
];
