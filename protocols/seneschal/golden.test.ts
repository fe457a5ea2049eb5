/**
 * Golden tests: every fixture through the real CLI, `syncscope dump --json`, checking the derived queues, journals
 * and conflicts. Recorded fixtures come from examples/seneschal/scripts/record-fixtures.ts; public-* are hand-built.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PUBLIC_FIXTURES } from './public-fixtures.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const fixture = (name: string) => join(here, 'fixtures', name);

interface Summary {
  frames: number;
  decoded: number;
  undecodable: number;
  byType: Record<string, number>;
  entities: number;
  queues: Record<string, number>;
  journals: Record<string, { side: string; cursor?: number | string | null; peer?: string }>;
  conflicts: Array<{ protocol: string; entity: string; field?: string; rule: string; winner: string }>;
}

export function dump(file: string): { lines: Array<Record<string, unknown>>; summary: Summary } {
  const out = execFileSync(process.execPath, [join(root, 'inspector/bin/syncscope.mjs'), 'dump', file, '--json'], {
    cwd: root,
    encoding: 'utf8',
  });
  const lines = out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const last = lines.pop() as { summary: Summary };
  return { lines, summary: last.summary };
}

/** Frames' text without the header line, whose createdAt differs on every build. */
const body = (session: string) => session.split('\n').slice(1).join('\n');

describe('seneschal public fixtures', () => {
  it('are what public-fixtures.ts builds', () => {
    for (const [name, build] of Object.entries(PUBLIC_FIXTURES)) {
      expect(body(readFileSync(fixture(name), 'utf8')), name).toBe(body(build()));
    }
  });

  it('public envelopes: the worked example yields the two property conflicts', () => {
    const { lines, summary } = dump(fixture('public-envelopes.syncscope.jsonl'));
    expect(summary.undecodable).toBe(0);
    expect(lines.every((l) => l.protocol === 'seneschal')).toBe(true);
    expect(summary.byType['seneschal/envelope']).toBe(5);
    expect(summary.conflicts).toEqual([
      { protocol: 'seneschal', entity: 'ob1', field: 'qty', rule: 'lww-property', winner: 'local' },
      { protocol: 'seneschal', entity: 'ob1', field: 'location', rule: 'lww-property', winner: 'remote' },
    ]);
  });

  it('public journal: JSON and NDJSON chunks decode to the same journal, each entry counted once', () => {
    const { summary } = dump(fixture('public-journal.syncscope.jsonl'));
    expect(summary.undecodable).toBe(0);
    expect(summary.byType['seneschal/journal']).toBe(3);
    const cursor = Date.UTC(2026, 10, 20, 7, 30);
    expect(summary.journals).toEqual({
      'seneschal/journal/h1': { side: 'server', cursor },
      'seneschal/journal/h2': { side: 'server', cursor },
    });
    expect(summary.conflicts).toEqual([
      { protocol: 'seneschal', entity: 'ob1', field: 'location', rule: 'lww-property', winner: 'remote' },
    ]);
  });
});
