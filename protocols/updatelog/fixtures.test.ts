/** Golden tests of the hand-built public fixtures through `syncscope dump --json`, and their builders. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PUBLIC_FIXTURES } from './public-fixtures.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

export interface DumpSummary {
  frames: number;
  decoded: number;
  undecodable: number;
  byProtocol: Record<string, number>;
  byType: Record<string, number>;
  entities: number;
  queues: Record<string, number>;
  journals: Record<string, { side: string; cursor?: string | number; peer?: string }>;
  conflicts: Array<{ protocol: string; entity: string; field: string | null; rule: string; winner: string }>;
}

export function dump(file: string): DumpSummary {
  const out = execFileSync('node', [join(root, 'inspector/bin/syncscope.mjs'), 'dump', file, '--json'], { cwd: root, encoding: 'utf8' });
  return (JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { summary: DumpSummary }).summary;
}

const T0 = Date.UTC(2016, 10, 1, 12, 0, 0);

describe('hand-built fixtures of the public formats', () => {
  it('are what their builders write', () => {
    for (const [name, build] of Object.entries(PUBLIC_FIXTURES)) {
      expect(readFileSync(join(here, 'fixtures', name), 'utf8')).toBe(build());
    }
  });

  it('lsd-storage against S3: typed updates, a collision, a late update, a refused PUT still queued', () => {
    const summary = dump(join(here, 'fixtures', 'public-lsd-storage.syncscope.jsonl'));
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
    const summary = dump(join(here, 'fixtures', 'public-s3-listing.syncscope.jsonl'));
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
