/** Golden tests: every fixture through `syncscope dump --json`, and the hand-built ones equal to their builders. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PUBLIC_FIXTURES } from './public-fixtures.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const fixtures = join(here, 'fixtures');

interface Summary {
  frames: number;
  undecodable: number;
  byProtocol: Record<string, number>;
  byType: Record<string, number>;
  entities: number;
  queues: Record<string, number>;
  journals: Record<string, { side: string; cursor?: string }>;
  conflicts: Array<{ entity: string; field: string | null; rule: string; winner: string }>;
}

export function dump(file: string): Summary {
  const out = execFileSync('node', [join(root, 'inspector/bin/syncscope.mjs'), 'dump', file, '--json'], { cwd: root, encoding: 'utf8' });
  const last = out.trim().split('\n').at(-1) ?? '{}';
  return (JSON.parse(last) as { summary: Summary }).summary;
}

describe('hand-built fixtures of blueprint TemporalEntity HTTP', () => {
  it('are what their builders write', () => {
    for (const [name, build] of Object.entries(PUBLIC_FIXTURES)) {
      expect(readFileSync(join(fixtures, name), 'utf8').split('\n').slice(1)).toEqual(build().split('\n').slice(1));
    }
  });

  it('cbor-sc lifecycle: one entity, deleted, a 412 conflict, nothing pending', () => {
    const summary = dump(join(fixtures, 'public-http-cbor.syncscope.jsonl'));
    expect(summary).toMatchObject({ frames: 14, undecodable: 0, byProtocol: { temporal: 14 }, entities: 1 });
    expect(summary.byType).toMatchObject({
      'temporal/http/304': 1,
      'temporal/http/412': 1,
      'temporal/http/428': 1,
      'temporal/http/404': 1,
      'temporal/http/201': 1,
    });
    expect(summary.queues).toEqual({ 'temporal/patchDiff': 0, 'temporal/requests': 0, 'temporal/ack': 0, 'temporal/upstream': 0 });
    expect(summary.journals['temporal/server:widget/6a1b2c3d4e5f60718293a4b5c6d7e8f9']).toEqual({
      side: 'server',
      cursor: '2024-01-15T09:07:00.000Z',
    });
    expect(summary.conflicts).toEqual([
      { protocol: 'temporal', entity: 'widget/6a1b2c3d4e5f60718293a4b5c6d7e8f9', field: null, rule: 'precondition-412', winner: 'remote' },
    ]);
  });

  it('JSON: the 400 for a date without milliseconds and an undelete decode', () => {
    const summary = dump(join(fixtures, 'public-http-json.syncscope.jsonl'));
    expect(summary).toMatchObject({ frames: 6, undecodable: 0, entities: 1, conflicts: [] });
    expect(summary.byType['temporal/http/400']).toBe(1);
    expect(summary.journals['temporal/server:widget/6a1b2c3d4e5f60718293a4b5c6d7e8f9']?.cursor).toBe('2024-01-15T09:10:00.000Z');
  });

  it('every fixture in the folder decodes without undecodable frames', () => {
    const files = readdirSync(fixtures).filter((f) => f.endsWith('.syncscope.jsonl'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) expect(dump(join(fixtures, file)).undecodable, file).toBe(0);
  });
});
