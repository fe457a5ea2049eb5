/**
 * The browser client library: the sync client with its unsaved updates and replica in IndexedDB.
 *
 *   const client = await openBrowserLeagueClient({ endpoint: 'http://127.0.0.1:4101', userId: 'alice' });
 *   await client.call('addTeam', new Team('t1', 'Rovers'));
 *   client.start(1000); // flush + poll every second
 */
import { type League, leagueApp } from '../model/league.ts';
import type { FrameObserver } from './frames.ts';
import { IdbLocalStore, localDbName } from './idb-local-store.ts';
import type { RequestSigner } from './s3-client.ts';
import { UpdatelogClient } from './sync-client.ts';

export interface BrowserClientOptions {
  endpoint: string;
  bucket?: string;
  appId?: string;
  dataSet?: string;
  userId: string;
  clientId?: string;
  onFrame?: FrameObserver;
  sign?: RequestSigner;
}

export async function openBrowserLeagueClient(
  options: BrowserClientOptions,
): Promise<{ client: UpdatelogClient<League>; store: IdbLocalStore }> {
  const appId = options.appId ?? 'league';
  const dataSet = options.dataSet ?? 'main';
  const clientId = options.clientId ?? options.userId;
  const store = await IdbLocalStore.open(localDbName(appId, dataSet, clientId));
  const client = await UpdatelogClient.open({
    endpoint: options.endpoint,
    bucket: options.bucket ?? 'updatelog',
    appId,
    dataSet,
    userId: options.userId,
    clientId,
    app: leagueApp,
    local: store,
    ...(options.onFrame ? { onFrame: options.onFrame } : {}),
    ...(options.sign ? { sign: options.sign } : {}),
  });
  return { client, store };
}

export { FlagDismissal, League, Match, MatchStatus, Result, Team } from '../model/league.ts';
export { sigV4Signer } from './sigv4.ts';
export { UpdatelogClient } from './sync-client.ts';
