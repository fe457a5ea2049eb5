/**
 * The server against bad input, over a real socket: every inbound message is validated with the protocol's schemas
 * and answered with a protocol-level error naming the field; the server keeps working and its data stays intact.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeResponse, decodeNdjsonBody, ErrorBody } from '@syncscope/protocols/linear';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type RunningServer, startServer } from './index.ts';

let server: RunningServer;
const dataDir = mkdtempSync(join(tmpdir(), 'linear-server-'));
let token = '';

async function call(method: string, path: string, body?: string, auth = true) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth) headers.authorization = `Bearer ${token}`;
  const res = await fetch(server.url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as unknown };
}

const change = (transactions: unknown[]) => JSON.stringify({ clientId: 'test', transactions });

beforeAll(async () => {
  server = await startServer({ port: 0, dataDir });
  const login = await call('POST', '/login', JSON.stringify({ username: 'alice', password: 'alice-pw' }), false);
  token = (login.json() as { token: string }).token;
});

afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('linear server: bad input gets protocol errors', () => {
  it('login: wrong password, missing field', async () => {
    expect((await call('POST', '/login', JSON.stringify({ username: 'alice', password: 'nope' }), false)).status).toBe(401);
    const missing = await call('POST', '/login', JSON.stringify({ username: 'alice' }), false);
    expect(missing.status).toBe(400);
    expect(ErrorBody.parse(missing.json()).error).toMatchObject({ code: 'invalid', path: ['password'] });
  });

  it('auth, unknown endpoints, bad JSON, bad query', async () => {
    expect((await call('GET', '/bootstrap', undefined, false)).status).toBe(401);
    expect((await call('GET', '/nope')).status).toBe(404);
    const bad = await call('POST', '/change', '{"clientId":"x","transactions":[');
    expect(ErrorBody.parse(bad.json()).error.code).toBe('bad-json');
    expect((await call('GET', '/bootstrap?sinceSyncId=-1')).status).toBe(400);
  });

  it('change: schema errors name the field; per-transaction rejections name theirs', async () => {
    const wrongType = await call(
      'POST',
      '/change',
      change([{ id: 't1', type: 'update', modelClass: 'Issue', modelId: 'issue-1', changeSnapshot: { changes: [] } }]),
    );
    expect(wrongType.status).toBe(400);
    expect(ErrorBody.parse(wrongType.json()).error.path).toEqual(['transactions', 0, 'changeSnapshot', 'changes']);
    const unknownType = await call('POST', '/change', change([{ id: 't2', type: 'teleport', modelClass: 'Issue', modelId: 'issue-1' }]));
    expect(ErrorBody.parse(unknownType.json()).error.path).toEqual(['transactions', 0, 'type']);
    const reply = await call(
      'POST',
      '/change',
      change([
        {
          id: 't3',
          type: 'update',
          modelClass: 'Issue',
          modelId: 'issue-1',
          changeSnapshot: { changes: { assigneeId: { updated: 'user-carol' } } },
        },
        {
          id: 't4',
          type: 'update',
          modelClass: 'Issue',
          modelId: 'issue-3',
          changeSnapshot: { changes: { title: { updated: 'not my team' } } },
        },
        {
          id: 't5',
          type: 'update',
          modelClass: 'Issue',
          modelId: 'issue-1',
          changeSnapshot: { changes: { status: { updated: 'whenever' } } },
        },
        { id: 't6', type: 'create', modelType: 'Team', model: { __class: 'Team', id: 'team-x', name: 'X', key: 'X' } },
        { id: 't7', type: 'update', modelClass: 'Issue', modelId: 'issue-1', changeSnapshot: { changes: { title: { updated: 'fine' } } } },
      ]),
    );
    const results = ChangeResponse.parse(reply.json()).results;
    expect(results.map((r) => (r.ok ? 'ok' : `${r.code}:${r.field ?? ''}`))).toEqual([
      'invalid:assigneeId',
      'not-found:',
      'invalid:status',
      'forbidden:',
      'ok',
    ]);
    // Resent: the same answers, nothing applied twice.
    const again = ChangeResponse.parse(
      (
        await call(
          'POST',
          '/change',
          change([
            {
              id: 't7',
              type: 'update',
              modelClass: 'Issue',
              modelId: 'issue-1',
              changeSnapshot: { changes: { title: { updated: 'fine' } } },
            },
          ]),
        )
      ).json(),
    );
    expect(again.results).toEqual([results[4]]);
    const body = decodeNdjsonBody((await call('GET', `/bootstrap?sinceSyncId=${again.lastSyncId - 1}`)).text, false);
    expect(body.ok && body.message.kind === 'bootstrap' && body.message.message.lines.filter((l) => l.kind === 'model').length).toBe(1);
  });

  it('socket: bad frames get error commands, a bad token gets noauth; the server lives on', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/sync`);
    const replies: Array<Record<string, unknown>> = [];
    ws.on('message', (data) => replies.push(JSON.parse(data.toString()) as Record<string, unknown>));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send('{not json');
    ws.send(JSON.stringify({ cmd: 'teleport' }));
    ws.send(JSON.stringify({ cmd: 'hshk', token: 'forged' }));
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    expect(code).toBe(4001);
    expect(replies.map((r) => r.cmd)).toEqual(['error', 'error', 'noauth']);
    expect(replies[1]).toMatchObject({ code: 'invalid', path: ['cmd'] });
    expect((await call('GET', '/health', undefined, false)).status).toBe(200);
  });
});
