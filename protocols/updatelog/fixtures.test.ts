/** Golden tests of the hand-built public fixtures through `syncscope dump --json`, and their builders. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DumpSummary, dumpAll } from './golden.ts';
import { PUBLIC_FIXTURES } from './public-fixtures.ts';

const here = dirname(fileURLToPath(import.meta.url));
let summaries: Record<string, DumpSummary> = {};
beforeAll(async () => {
  summaries = await dumpAll({
    lsd: join(here, 'fixtures', 'public-lsd-storage.syncscope.jsonl'),
    s3: join(here, 'fixtures', 'public-s3-listing.syncscope.jsonl'),
  });
});
const T0 = Date.UTC(2016, 10, 1, 12, 0, 0);

describe('hand-built fixtures of the public formats', () => {
  it('are what their builders write', () => {
    for (const [name, build] of Object.entries(PUBLIC_FIXTURES)) {
      expect(readFileSync(join(here, 'fixtures', name), 'utf8')).toBe(build());
    }
  });

  it('lsd-storage against S3: typed updates, a collision, a late update, a refused PUT still queued', () => {
    const summary = summaries.lsd as DumpSummary;
    expect(summary).toMatchObject({ frames: 20, undecodable: 0, byProtocol: { updatelog: 20 }, entities: 5 });
    expect(summary.byType).toMatchObject({
      'updatelog/PutUpdate': 3,
      'updatelog/Stored': 2,
      'updatelog/S3Error': 1,
      'updatelog/UpdateObject': 5,
    });
    expect(summary.queues).toEqual({ 'updatelog/client:client': 1 });
    expect(summary.journals).toEqual({
      'updatelog/server:user-alice': { side: 'server', cursor: T0 + 10 },
      'updatelog/server:updates': { side: 'server', cursor: T0 + 600 },
      'updatelog/client:client': { side: 'client', cursor: T0 + 600, peer: 'server:updates' },
    });
    expect(summary.conflicts).toEqual([
      {
        protocol: 'updatelog',
        entity: 'update:6f1c2d3e-4a5b-4c6d-8e9f-000000000003',
        field: 'timestamp',
        rule: 'timestamp-collision',
        winner: 'none',
      },
      { protocol: 'updatelog', entity: 'Result:match-1', field: null, rule: 'out-of-order', winner: 'local' },
    ]);
  });

  it('S3 listing: pagination, start-after, real S3 extra fields, HEAD and an error document', () => {
    const summary = summaries.s3 as DumpSummary;
    expect(summary).toMatchObject({ frames: 12, undecodable: 0, entities: 0, queues: {}, conflicts: [] });
    expect(summary.byType).toEqual({
      'updatelog/ListObjectsV2': 4,
      'updatelog/ListBucketResult': 4,
      'updatelog/GetObject': 2,
      'updatelog/ObjectHead': 1,
      'updatelog/S3Error': 1,
    });
    expect(summary.journals).toEqual({ 'updatelog/server:updates': { side: 'server', cursor: T0 + 300 } });
  });
});
