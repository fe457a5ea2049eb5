/**
 * Hand-built sessions of the public formats (formats.md section 1), so that traffic of the real systems can be
 * inspected: pbardea/sync (PascalCase bootstrap, `{type, jsonObject}` socket events, change bodies) and Linear's
 * production sync (NDJSON bootstrap with `_metadata_=`, SyncActions, `cmd` socket frames in JSON and MessagePack).
 * Written to fixtures/public-*.syncscope.jsonl by `npx tsx protocols/linear/public-fixtures.ts`; the tests rebuild
 * them and compare.
 */
import { Recorder } from '@syncscope/inspector/record';
import { encodeBootstrapLine, encodeCommand, METADATA_PREFIX } from './codec.ts';
import type { PbBootstrap, PbChange, PbModel, SyncAction } from './schemas.ts';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const at = (s: number) => T0 + s * 1000;

const json = { 'content-type': 'application/json' };

function pbIssue(id: string, version: number, title: string, extra: Record<string, unknown> = {}): PbModel {
  return {
    __class: 'Issue',
    id,
    version,
    lastModifiedDate: new Date(at(version)).toISOString(),
    title,
    teamId: 'team-1',
    assigneeId: 'user-paul',
    ...extra,
  };
}

/** pbardea/sync: login, bootstrap, socket events (one of them stale), a change, and a delta bootstrap. */
export function publicPbardeaSession(): string {
  const r = new Recorder(() => at(0));
  const base = 'http://127.0.0.1:8080';
  r.add({
    t: at(0),
    transport: 'http',
    conn: 'h1',
    dir: 'out',
    kind: 'request',
    text: JSON.stringify({ username: 'paul', password: '[redacted]' }),
    meta: { url: `${base}/login`, method: 'POST', headers: json, redacted: ['password'] },
  });
  r.add({
    t: at(0),
    transport: 'http',
    conn: 'h1',
    dir: 'in',
    kind: 'response',
    text: JSON.stringify({ token: '[redacted]' }),
    meta: { url: `${base}/login`, method: 'POST', status: 200, headers: json, redacted: ['token'] },
  });
  const bootstrap: PbBootstrap = {
    Objects: [
      { __class: 'Team', id: 'team-1', version: 1, name: 'Core' },
      { __class: 'User', id: 'user-paul', version: 1, name: 'paul', teamId: 'team-1' },
      pbIssue('issue-1', 3, 'Bootstrap is slow'),
      pbIssue('issue-2', 1, 'Reconnect drops changes'),
    ],
    Tombstones: [],
    LatestTS: at(3),
  };
  r.add({
    t: at(1),
    transport: 'http',
    conn: 'h2',
    dir: 'out',
    kind: 'request',
    meta: { url: `${base}/bootstrap`, method: 'GET', headers: {} },
  });
  r.add({
    t: at(1),
    transport: 'http',
    conn: 'h2',
    dir: 'in',
    kind: 'response',
    text: JSON.stringify(bootstrap),
    meta: { url: `${base}/bootstrap`, method: 'GET', status: 200, headers: json },
  });
  const ws = 'ws://127.0.0.1:8080/sync';
  r.add({ t: at(2), transport: 'websocket', conn: 'ws1', dir: 'out', kind: 'open', meta: { url: ws } });
  r.add({
    t: at(2),
    transport: 'websocket',
    conn: 'ws1',
    dir: 'out',
    kind: 'message',
    text: JSON.stringify({ token: '[redacted]' }),
    meta: { redacted: ['token'] },
  });
  r.add({
    t: at(4),
    transport: 'websocket',
    conn: 'ws1',
    dir: 'in',
    kind: 'message',
    text: JSON.stringify({ type: 'update', jsonObject: pbIssue('issue-1', 4, 'Bootstrap is slow on big teams') }),
  });
  // An update that was overtaken in flight: version 2 < the 4 the client holds, so pbardea's client drops it.
  r.add({
    t: at(5),
    transport: 'websocket',
    conn: 'ws1',
    dir: 'in',
    kind: 'message',
    text: JSON.stringify({ type: 'update', jsonObject: pbIssue('issue-1', 2, 'Bootstrap slow') }),
  });
  const change: PbChange = {
    id: '6f1f7a52-8d1c-4bb8-9a55-2f1b5d0c1e01',
    oid: 1,
    modelType: 'Issue',
    modelId: 'issue-2',
    changeType: 'update',
    changeSnapshot: { changes: { title: { original: 'Reconnect drops changes', updated: 'Reconnect drops queued changes' } } },
  };
  r.add({
    t: at(6),
    transport: 'http',
    conn: 'h3',
    dir: 'out',
    kind: 'request',
    text: JSON.stringify(change),
    meta: { url: `${base}/change`, method: 'POST', headers: json },
  });
  r.add({
    t: at(6),
    transport: 'http',
    conn: 'h3',
    dir: 'in',
    kind: 'response',
    meta: { url: `${base}/change`, method: 'POST', status: 200, headers: {} },
  });
  r.add({
    t: at(7),
    transport: 'websocket',
    conn: 'ws1',
    dir: 'in',
    kind: 'message',
    text: JSON.stringify({ type: 'update', jsonObject: pbIssue('issue-2', 2, 'Reconnect drops queued changes') }),
  });
  r.add({
    t: at(8),
    transport: 'websocket',
    conn: 'ws1',
    dir: 'in',
    kind: 'message',
    text: JSON.stringify({ type: 'create', jsonObject: pbIssue('issue-3', 1, 'Offline queue UI') }),
  });
  r.add({ t: at(9), transport: 'websocket', conn: 'ws1', dir: 'in', kind: 'close', meta: { code: 1006, reason: 'network lost' } });
  const delta: PbBootstrap = {
    Objects: [pbIssue('issue-3', 2, 'Offline queue UI', { assigneeId: null })],
    Tombstones: [{ Id: 'issue-2', Time: at(10), ModelName: 'Issue' }],
    LatestTS: at(10),
  };
  const deltaUrl = `${base}/delta-bootstrap?start_time=${at(8)}`;
  r.add({ t: at(11), transport: 'http', conn: 'h4', dir: 'out', kind: 'request', meta: { url: deltaUrl, method: 'GET', headers: {} } });
  r.add({
    t: at(11),
    transport: 'http',
    conn: 'h4',
    dir: 'in',
    kind: 'response',
    text: JSON.stringify(delta),
    meta: { url: deltaUrl, method: 'GET', status: 200, headers: json },
  });
  return r.toSessionFile({
    origin: 'hand-built: pbardea/sync formats (formats.md, linear)',
    protocols: ['linear'],
    redactions: ['password', 'token'],
  });
}

function action(id: number, act: SyncAction['action'], modelName: string, modelId: string, data?: Record<string, unknown>): SyncAction {
  return { __class: 'SyncAction', id, modelName, modelId, action: act, ...(data ? { data } : {}) };
}

const linearSocketCommands = {
  clientHello: { cmd: 'hshk', userId: 'user-1', clientType: 'web', protocolVersion: 3, lastSyncId: 2_000_105 },
  serverHello: {
    cmd: 'hshk',
    sync: { lastSyncId: 2_000_105, lastSequentialSyncId: 2_000_105, subscribedSyncGroups: ['team-1'], databaseVersion: 1042 },
  },
  ping: { cmd: 'ping', id: 1 },
  pong: { cmd: 'pong', id: 1 },
  sync1: {
    cmd: 'sync',
    lastSyncId: 2_000_108,
    sync: [
      action(2_000_106, 'U', 'Issue', 'iss-1', { title: 'Sync engine: delta after reconnect', updatedAt: '2026-11-20T09:00:06.000Z' }),
      action(2_000_107, 'I', 'Issue', 'iss-3', { title: 'Presence dots', teamId: 'team-1', stateId: 'st-todo', assigneeId: null }),
      action(2_000_108, 'A', 'Issue', 'iss-2', { archivedAt: '2026-11-20T09:00:08.000Z' }),
    ],
  },
  presence: { cmd: 'presence', time: at(9) },
  sync2: {
    cmd: 'sync',
    lastSyncId: 2_000_112,
    sync: [
      action(2_000_109, 'S', 'Issue', 'iss-2'),
      action(2_000_110, 'C', 'Comment', 'com-1', { body: 'Seen on 3 clients', issueId: 'iss-1' }),
      action(2_000_111, 'D', 'Issue', 'iss-3'),
      action(2_000_112, 'G', 'SyncGroup', 'team-2'),
    ],
  },
  sync3: { cmd: 'sync', lastSyncId: 2_000_113, sync: [action(2_000_113, 'V', 'Comment', 'com-1')] },
  cache: { cmd: 'cacheSyncId', syncId: 2_000_113 },
  eu: { cmd: 'eu', updates: [{ modelName: 'User', id: 'user-2', lastSeen: at(12) }] },
  refresh: { cmd: 'refresh', reloadClient: false },
} as const;

/** Linear's production sync: a full NDJSON bootstrap in two chunks, the socket in JSON, a delta, a batch load. */
export function publicLinearSession(binary = false): string {
  const r = new Recorder(() => at(0));
  const api = 'https://client-api.linear.app';
  if (!binary) {
    const url = `${api}/sync/bootstrap?type=full&onlyModels=Team,User,WorkflowState,Issue`;
    r.add({
      t: at(0),
      transport: 'http',
      conn: 'b1',
      dir: 'out',
      kind: 'request',
      meta: { url, method: 'GET', headers: { authorization: '[redacted]' }, redacted: ['authorization'] },
    });
    const first = [
      `Team=${JSON.stringify({ id: 'team-1', name: 'Core', key: 'COR' })}`,
      `User=${JSON.stringify({ id: 'user-1', name: 'Ada', teamIds: ['team-1'] })}`,
      JSON.stringify({ __class: 'WorkflowState', id: 'st-todo', name: 'Todo', teamId: 'team-1' }),
    ];
    const second = [
      JSON.stringify({
        __class: 'Issue',
        id: 'iss-1',
        title: 'Sync engine',
        teamId: 'team-1',
        stateId: 'st-todo',
        assigneeId: 'user-1',
        labelIds: [],
      }),
      `Issue=${JSON.stringify({ id: 'iss-2', title: 'Old bug', teamId: 'team-1', stateId: 'st-todo', assigneeId: null, labelIds: [] })}`,
      `${METADATA_PREFIX}${JSON.stringify({ method: 'mongo', lastSyncId: 2_000_105, subscribedSyncGroups: ['team-1'], databaseVersion: 1042, returnedModelsCount: { Team: 1, User: 1, WorkflowState: 1, Issue: 2 } })}`,
    ];
    const headers = { 'content-type': 'application/x-ndjson' };
    r.add({
      t: at(1),
      transport: 'http',
      conn: 'b1',
      dir: 'in',
      kind: 'response',
      text: `${first.join('\n')}\n`,
      meta: { url, method: 'GET', status: 200, headers, chunk: true },
    });
    r.add({
      t: at(1),
      transport: 'http',
      conn: 'b1',
      dir: 'in',
      kind: 'response',
      text: `${second.join('\n')}\n`,
      meta: { url, method: 'GET', status: 200, headers },
    });
  }
  const ws = `wss://client-api.linear.app/sync/ws${binary ? '?binary=1' : ''}`;
  const send = (t: number, dir: 'out' | 'in', command: unknown) => {
    const wire = encodeCommand(command, binary);
    r.add({ t: at(t), transport: 'websocket', conn: 'ws1', dir, kind: 'message', ...Recorder.payload(wire) });
  };
  const c = linearSocketCommands;
  r.add({ t: at(2), transport: 'websocket', conn: 'ws1', dir: 'out', kind: 'open', meta: { url: ws } });
  send(2, 'out', c.clientHello);
  send(2, 'in', c.serverHello);
  send(3, 'out', c.ping);
  send(3, 'in', c.pong);
  send(8, 'in', c.sync1);
  send(9, 'out', c.presence);
  send(10, 'in', c.sync2);
  send(11, 'in', c.sync3);
  send(11, 'in', c.cache);
  send(12, 'in', c.eu);
  send(13, 'in', c.refresh);
  if (!binary) {
    const deltaUrl = `${api}/sync/delta?lastSyncId=2000113`;
    r.add({ t: at(14), transport: 'http', conn: 'd1', dir: 'out', kind: 'request', meta: { url: deltaUrl, method: 'GET', headers: {} } });
    const lines = [
      encodeBootstrapLine({ kind: 'action', action: action(2_000_114, 'U', 'Issue', 'iss-1', { assigneeId: null }) }),
      encodeBootstrapLine({ kind: 'metadata', metadata: { lastSyncId: 2_000_114 } }),
    ];
    r.add({
      t: at(14),
      transport: 'http',
      conn: 'd1',
      dir: 'in',
      kind: 'response',
      text: lines.join(''),
      meta: { url: deltaUrl, method: 'GET', status: 200, headers: { 'content-type': 'application/x-ndjson' } },
    });
    const batchUrl = `${api}/sync/batch`;
    const batch = { firstSyncId: 2_000_105, requests: [{ indexedKey: 'issueId', keyValue: 'iss-1', modelName: 'Comment' }] };
    r.add({
      t: at(15),
      transport: 'http',
      conn: 'l1',
      dir: 'out',
      kind: 'request',
      text: JSON.stringify(batch),
      meta: { url: batchUrl, method: 'POST', headers: json },
    });
    const loaded = [
      JSON.stringify({ __class: 'Comment', id: 'com-2', body: 'Lazy loaded', issueId: 'iss-1' }),
      `${METADATA_PREFIX}${JSON.stringify({ lastSyncId: 2_000_114 })}`,
    ];
    r.add({
      t: at(15),
      transport: 'http',
      conn: 'l1',
      dir: 'in',
      kind: 'response',
      text: `${loaded.join('\n')}\n`,
      meta: { url: batchUrl, method: 'POST', status: 200, headers: { 'content-type': 'application/x-ndjson' } },
    });
  }
  r.add({ t: at(16), transport: 'websocket', conn: 'ws1', dir: 'in', kind: 'close', meta: { code: 1000, reason: '' } });
  const what = binary ? 'Linear socket cmd frames in MessagePack' : 'Linear NDJSON bootstrap, socket cmd frames in JSON, delta and batch';
  return r.toSessionFile({
    origin: `hand-built: ${what} (formats.md, linear)`,
    protocols: ['linear'],
    ...(binary ? {} : { redactions: ['authorization'] }),
  });
}

export const PUBLIC_FIXTURES = {
  'public-pbardea.syncscope.jsonl': publicPbardeaSession,
  'public-linear-json.syncscope.jsonl': () => publicLinearSession(false),
  'public-linear-msgpack.syncscope.jsonl': () => publicLinearSession(true),
} as const;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { writeFileSync } = await import('node:fs');
  const { join, dirname } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
  for (const [name, build] of Object.entries(PUBLIC_FIXTURES)) writeFileSync(join(dir, name), build());
}
