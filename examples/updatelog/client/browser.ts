/**
 * The browser client library: the sync client with its unsaved updates and replica in IndexedDB, and a
 * BroadcastChannel so that tabs of one client (sharing that database) show each other's updates at once.
 *
 *   const { client } = await openBrowserLeagueClient({ endpoint: 'http://127.0.0.1:4101', userId: 'alice' });
 *   await client.call('addTeam', new Team('t1', 'Rovers'));
 *   client.start(1000); // flush + poll every second
 */
import { TabNotice } from '@syncscope/protocols/updatelog';
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

export interface BrowserClient {
  client: UpdatelogClient<League>;
  store: IdbLocalStore;
  /** Stops polling and closes the tab channel and the database. */
  close(): void;
}

/** Tabs of one client share one IndexedDB database and hear of each other's changes on this channel. */
export function tabChannelName(appId: string, dataSet: string, clientId: string): string {
  return `updatelog:${appId}.${dataSet}:${clientId}`;
}

export async function openBrowserLeagueClient(options: BrowserClientOptions): Promise<BrowserClient> {
  const appId = options.appId ?? 'league';
  const dataSet = options.dataSet ?? 'main';
  const clientId = options.clientId ?? options.userId;
  const store = await IdbLocalStore.open(localDbName(appId, dataSet, clientId));
  const channelName = tabChannelName(appId, dataSet, clientId);
  const channel = new BroadcastChannel(channelName);
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
    onLocalChange: (op, updateId) => {
      const notice: TabNotice = { type: 'local-changed', op, updateId, client: clientId };
      channel.postMessage(notice);
      options.onFrame?.({
        transport: 'broadcast',
        conn: `${clientId}:tabs`,
        dir: 'local',
        kind: 'message',
        meta: { channel: channelName, client: clientId },
        json: notice,
      });
    },
  });
  channel.onmessage = (event: MessageEvent) => {
    if (TabNotice.safeParse(event.data).success) void client.reloadLocal();
  };
  return {
    client,
    store,
    close() {
      client.stop();
      channel.close();
      store.close();
    },
  };
}

export { FlagDismissal, League, Match, MatchStatus, Result, Team } from '../model/league.ts';
export { sigV4Signer } from './sigv4.ts';
export { UpdatelogClient } from './sync-client.ts';
