/** The Node client of the league: the sync client with its unsaved updates in a JSON file under `dir`. */
import { join } from 'node:path';
import { type League, leagueApp } from '../model/league.ts';
import { FileLocalStore } from './file-local-store.ts';
import type { FrameObserver } from './frames.ts';
import { MemoryLocalStore } from './pending.ts';
import type { RequestSigner } from './s3-client.ts';
import { UpdatelogClient } from './sync-client.ts';

export interface NodeClientOptions {
  endpoint: string;
  bucket?: string;
  appId?: string;
  dataSet?: string;
  userId: string;
  clientId?: string;
  /** Where unsaved updates are kept; without it they live in memory only. */
  dir?: string;
  onFrame?: FrameObserver;
  sign?: RequestSigner;
  now?: () => number;
  pageSize?: number;
}

export function openLeagueClient(options: NodeClientOptions): Promise<UpdatelogClient<League>> {
  const clientId = options.clientId ?? options.userId;
  return UpdatelogClient.open({
    endpoint: options.endpoint,
    bucket: options.bucket ?? 'updatelog',
    appId: options.appId ?? 'league',
    dataSet: options.dataSet ?? 'main',
    userId: options.userId,
    clientId,
    app: leagueApp,
    local: options.dir ? new FileLocalStore(join(options.dir, `${clientId}.unsaved.json`)) : new MemoryLocalStore(),
    ...(options.onFrame ? { onFrame: options.onFrame } : {}),
    ...(options.sign ? { sign: options.sign } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
  });
}
