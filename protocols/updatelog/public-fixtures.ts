/**
 * Hand-built sessions of the public formats this dissector also reads, written as a tap would record them:
 *  - lsd-storage talking to a real S3 bucket (virtual-hosted URLs): updates PUT to a user area as typed JSON
 *    (`@type` classes, enums as {"@type", name}, ISO dates), the whole read area listed and every object fetched
 *    (lsd-storage has no start-after), two keys in one millisecond, an update promoted late, a 403 on a PUT;
 *  - S3 ListObjectsV2 as AWS writes it: pagination with continuation tokens, start-after, the extra fields real
 *    S3 adds, an error document.
 * `npx tsx protocols/updatelog/public-fixtures.ts` rewrites protocols/updatelog/fixtures/public-*.syncscope.jsonl.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Recorder } from '@syncscope/inspector/record';
import { errorToXml, listResultToXml } from './codec.ts';
import type { ListedObject } from './schemas.ts';
import { type Exchange, exchangeFrames } from './test-frames.ts';

const HOST = 'https://leaguetable-data.s3.eu-west-1.amazonaws.com';
const T0 = Date.UTC(2016, 10, 1, 12, 0, 0);
const CREATED_AT = '2024-06-01T00:00:00.000Z';

const uuid = (n: number) => `6f1c2d3e-4a5b-4c6d-8e9f-${String(n).padStart(12, '0')}`;
const key = (area: string, ms: number, id: string) => `leaguetable/main/${area}/${T0 + ms}-${id}`;

const teamUpdate = (n: number, name: string) => ({
  id: uuid(n),
  actions: [{ type: 'addTeam', data: { '@type': 'Team', id: `team-${n}`, name } }],
});
const UPDATES = {
  rovers: teamUpdate(1, 'Rovers'),
  city: teamUpdate(2, 'City'),
  united: teamUpdate(3, 'United'),
  match: {
    id: uuid(4),
    actions: [
      {
        type: 'scheduleMatch',
        data: {
          '@type': 'Match',
          id: 'match-1',
          homeTeamId: 'team-1',
          awayTeamId: 'team-2',
          date: '2016-11-05T15:00:00.000Z',
          status: { '@type': 'MatchStatus', name: 'SCHEDULED' },
        },
      },
    ],
  },
  late: { id: uuid(5), actions: [{ type: 'recordResult', data: { '@type': 'Result', id: 'match-1', homeGoals: 2, awayGoals: 1 } }] },
};

const listed = (Key: string, Size: number, extra: Partial<ListedObject> = {}): ListedObject => ({
  Key,
  LastModified: '2016-11-01T12:00:01.000Z',
  ETag: `"${Key.length.toString(16).padStart(32, '0')}"`,
  Size,
  StorageClass: 'STANDARD',
  ...extra,
});

class Session {
  readonly recorder: Recorder;
  private n = 0;
  private t = T0;
  constructor() {
    this.recorder = new Recorder(() => this.t);
  }
  exchange(exchange: Omit<Exchange, 'conn'>): void {
    const [request, response] = exchangeFrames({ conn: `http-${++this.n}`, ...exchange });
    this.t += 20;
    this.recorder.add(request);
    this.t += 35;
    this.recorder.add(response);
  }
  file(origin: string): string {
    return this.recorder.toSessionFile({ createdAt: CREATED_AT, origin, protocols: ['updatelog'] });
  }
}

function listExchange(
  prefix: string,
  keys: ListedObject[],
  extra: { startAfter?: string; token?: string; next?: string; maxKeys?: number } = {},
): Omit<Exchange, 'conn'> {
  const search = new URLSearchParams({ 'list-type': '2', prefix });
  if (extra.startAfter) search.set('start-after', extra.startAfter);
  if (extra.token) search.set('continuation-token', extra.token);
  if (extra.maxKeys) search.set('max-keys', String(extra.maxKeys));
  return {
    method: 'GET',
    url: `${HOST}/?${search}`,
    status: 200,
    responseHeaders: { 'content-type': 'application/xml', 'x-amz-request-id': 'R1' },
    responseBody: listResultToXml({
      Name: 'leaguetable-data',
      Prefix: prefix,
      ...(extra.startAfter ? { StartAfter: extra.startAfter } : {}),
      ...(extra.token ? { ContinuationToken: extra.token } : {}),
      ...(extra.next ? { NextContinuationToken: extra.next } : {}),
      KeyCount: keys.length,
      MaxKeys: extra.maxKeys ?? 1000,
      IsTruncated: extra.next !== undefined,
      Contents: keys,
    }),
  };
}

const putUpdate = (objectKey: string, body: unknown, status = 200): Omit<Exchange, 'conn'> => ({
  method: 'PUT',
  url: `${HOST}/${objectKey}`,
  requestHeaders: { 'content-type': 'application/json', authorization: '[redacted]' },
  requestBody: JSON.stringify(body),
  status,
  responseHeaders: status === 200 ? { etag: '"9b2cf535f27731c974343645a3985328"' } : { 'content-type': 'application/xml' },
  ...(status === 200 ? {} : { responseBody: errorToXml({ Code: 'AccessDenied', Message: 'Access Denied', RequestId: 'R2' }) }),
});

const getUpdate = (objectKey: string, body: unknown): Omit<Exchange, 'conn'> => ({
  method: 'GET',
  url: `${HOST}/${objectKey}`,
  status: 200,
  responseHeaders: { 'content-type': 'application/json', etag: '"e"' },
  responseBody: JSON.stringify(body),
});

export function buildLsdStorage(): string {
  const s = new Session();
  s.exchange(putUpdate(key('user-alice', 0, UPDATES.rovers.id), UPDATES.rovers));
  s.exchange(putUpdate(key('user-alice', 10, UPDATES.match.id), UPDATES.match));
  s.exchange(putUpdate(key('user-alice', 20, UPDATES.late.id), UPDATES.late, 403));
  const first = [
    listed(key('updates', 100, UPDATES.city.id), 80),
    listed(key('updates', 500, UPDATES.rovers.id), 82),
    listed(key('updates', 500, UPDATES.united.id), 82),
    listed(key('updates', 600, UPDATES.match.id), 230),
  ];
  s.exchange(listExchange('leaguetable/main/updates/', first));
  s.exchange(getUpdate(key('updates', 100, UPDATES.city.id), UPDATES.city));
  s.exchange(getUpdate(key('updates', 500, UPDATES.rovers.id), UPDATES.rovers));
  s.exchange(getUpdate(key('updates', 500, UPDATES.united.id), UPDATES.united));
  s.exchange(getUpdate(key('updates', 600, UPDATES.match.id), UPDATES.match));
  // The promoter copied an update made earlier, after the reader had seen newer ones: it sorts before them.
  const second = [...first.slice(0, 1), listed(key('updates', 300, UPDATES.late.id), 120), ...first.slice(1)];
  s.exchange(listExchange('leaguetable/main/updates/', second));
  s.exchange(getUpdate(key('updates', 300, UPDATES.late.id), UPDATES.late));
  return s.file('hand-built: lsd-storage against S3');
}

export function buildS3Listing(): string {
  const s = new Session();
  const prefix = 'leaguetable/main/updates/';
  const keys = [100, 200, 300].map((ms, i) => key('updates', ms, uuid(10 + i)));
  const extras = { ChecksumAlgorithm: 'CRC64NVME', ChecksumType: 'FULL_OBJECT', Owner: { ID: 'a1b2c3', DisplayName: 'league' } };
  s.exchange(
    listExchange(prefix, [listed(keys[0] as string, 70, extras), listed(keys[1] as string, 71, extras)], {
      maxKeys: 2,
      next: '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=',
    }),
  );
  s.exchange(
    listExchange(prefix, [listed(keys[2] as string, 72, extras)], { maxKeys: 2, token: '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=' }),
  );
  s.exchange(listExchange(prefix, [], { startAfter: keys[2] as string }));
  s.exchange({ method: 'HEAD', url: `${HOST}/${keys[0]}`, status: 200, responseHeaders: { etag: '"e"', 'content-length': '70' } });
  s.exchange({
    method: 'GET',
    url: `${HOST}/leaguetable/main/updates/${T0 + 999}-missing`,
    status: 404,
    responseHeaders: { 'content-type': 'application/xml' },
    responseBody: errorToXml({
      Code: 'NoSuchKey',
      Message: 'The specified key does not exist.',
      Key: `leaguetable/main/updates/${T0 + 999}-missing`,
      RequestId: 'R3',
    }),
  });
  s.exchange({
    method: 'GET',
    url: `${HOST}/?list-type=2&prefix=other%26more%2F`,
    status: 200,
    responseBody: listResultToXml({
      Name: 'leaguetable-data',
      Prefix: 'other&more/',
      KeyCount: 0,
      MaxKeys: 1000,
      IsTruncated: false,
      Contents: [],
    }),
  });
  return s.file('hand-built: S3 ListObjectsV2 pagination and errors');
}

export const PUBLIC_FIXTURES: Record<string, () => string> = {
  'public-lsd-storage.syncscope.jsonl': buildLsdStorage,
  'public-s3-listing.syncscope.jsonl': buildS3Listing,
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
  for (const [name, build] of Object.entries(PUBLIC_FIXTURES)) writeFileSync(join(dir, name), build());
  console.log(`wrote ${Object.keys(PUBLIC_FIXTURES).length} fixtures to ${dir}`);
}
