/** The S3 subset answers bad input with error documents naming what is wrong, and keeps serving. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorFromXml, listResultFromXml } from '@syncscope/protocols/updatelog';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from './index.ts';
import { MAX_BODY_BYTES } from './s3-http.ts';

let server: RunningServer;
let dir: string;
const KEY = 'league/main/user-alice/1700000000000-u1';
const UPDATE = JSON.stringify({ id: 'u1', actions: [{ type: 'addTeam', data: { '@type': 'Team', id: 't1', name: 'Rovers' } }] });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'updatelog-server-'));
  server = await startServer({ dataDir: dir, rollupIntervalMs: 0 });
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: string) {
  const response = await fetch(`${server.url}${path}`, { method, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, text, headers: response.headers };
}
const object = (key: string) => `/updatelog/${key}`;

describe('the S3 subset', () => {
  it.each([
    ['PUT', object(KEY), '{"id":"u1","actions":[', 400, 'MalformedJSON', 'body:'],
    ['PUT', object(KEY), '{"id":"u1","actions":[]}', 400, 'InvalidArgument', 'update.actions'],
    ['PUT', object(KEY), '{"id":"u1","actions":[{"type":7,"data":1}]}', 400, 'InvalidArgument', 'update.actions.0.type'],
    ['PUT', object(KEY), '{"id":"u2","actions":[{"type":"a","data":1}]}', 400, 'InvalidArgument', 'update.id'],
    ['PUT', object('league/main/shared/1700000000000-u1'), UPDATE, 403, 'AccessDenied', 'shared area'],
    ['PUT', object('league/main/snapshots/0000000000001.json'), '{}', 403, 'AccessDenied', 'snapshots area'],
    ['PUT', object('other/main/user-alice/1700000000000-u1'), UPDATE, 400, 'InvalidArgument', 'league/main'],
    ['PUT', object('league/main/notes.txt'), 'hi', 400, 'InvalidArgument', 'key:'],
    ['PUT', object('league/main/shop/1700000000000-u1'), UPDATE, 403, 'AccessDenied', 'user-<id>'],
    ['GET', object('league/main/user-alice/1-none'), undefined, 404, 'NoSuchKey', 'does not exist'],
    ['GET', '/nobucket/x', undefined, 404, 'NoSuchBucket', 'nobucket'],
    ['GET', `/${'updatelog'}?list-type=2&max-keys=lots`, undefined, 400, 'InvalidArgument', 'max-keys'],
    ['GET', `/${'updatelog'}?list-type=2&continuation-token=bogus`, undefined, 400, 'InvalidArgument', 'continuation-token'],
    ['GET', `/${'updatelog'}`, undefined, 400, 'InvalidArgument', 'list-type=2'],
    ['DELETE', object(KEY), undefined, 405, 'MethodNotAllowed', 'DELETE'],
    ['GET', '/updatelog/%E0%A4%A', undefined, 400, 'InvalidURI', 'percent-encoded'],
  ])('%s %s is refused with a named error', async (method, path, body, status, code, message) => {
    const response = await call(method, path, body);
    expect(response.status).toBe(status);
    const document = errorFromXml(response.text);
    expect(document.ok && document.value).toMatchObject({ Code: code, Message: expect.stringContaining(message) });
  });

  it('refuses oversized bodies and still serves afterwards', async () => {
    const big = await call('PUT', object(KEY), 'x'.repeat(MAX_BODY_BYTES + 10));
    expect(big.status).toBe(400);
    expect(big.text).toContain('EntityTooLarge');
    const stored = await call('PUT', object(KEY), UPDATE);
    expect(stored.status).toBe(200);
    expect(stored.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('an update key is written once: the same body again is fine, a different one is refused', async () => {
    expect((await call('PUT', object(KEY), UPDATE)).status).toBe(200);
    const other = await call('PUT', object(KEY), UPDATE.replace('Rovers', 'City'));
    expect(other.status).toBe(409);
  });

  it('promotes to the shared area and lists it as S3 does, with pagination', async () => {
    await server.idle();
    const first = await call('GET', `/${server.bucket}?list-type=2&prefix=league%2Fmain%2F&max-keys=1`);
    const page = listResultFromXml(first.text);
    expect(page.ok && page.value).toMatchObject({
      KeyCount: 1,
      IsTruncated: true,
      Contents: [{ Key: 'league/main/shared/1700000000000-u1' }],
    });
    const token = page.ok ? (page.value.NextContinuationToken as string) : '';
    const second = listResultFromXml(
      (
        await call(
          'GET',
          `/${server.bucket}?list-type=2&prefix=league%2Fmain%2F&max-keys=1&continuation-token=${encodeURIComponent(token)}`,
        )
      ).text,
    );
    expect(second.ok && second.value.Contents.map((c) => c.Key)).toEqual([KEY]);
    const shared = await call('GET', object('league/main/shared/1700000000000-u1'));
    expect(shared.headers.get('x-amz-meta-made-at')).toBe('1700000000000');
    expect(shared.text).toBe(UPDATE);
    const etag = shared.headers.get('etag') ?? '';
    const notModified = await fetch(`${server.url}${object('league/main/shared/1700000000000-u1')}`, {
      headers: { 'if-none-match': etag },
    });
    expect(notModified.status).toBe(304);
    const head = await call('HEAD', object(KEY));
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it('answers CORS preflights so the demo page can talk to it', async () => {
    const response = await call('OPTIONS', object(KEY));
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-methods')).toContain('PUT');
  });
  it('two racing PUTs of one key with different bodies: exactly one is stored', async () => {
    const key = 'league/main/user-bob/1700000000500-race';
    const body = (name: string) =>
      JSON.stringify({ id: 'race', actions: [{ type: 'addTeam', data: { '@type': 'Team', id: 'tr', name } }] });
    const statuses = (await Promise.all([call('PUT', object(key), body('A')), call('PUT', object(key), body('B'))]))
      .map((r) => r.status)
      .sort();
    expect(statuses).toEqual([200, 409]);
  });
});
