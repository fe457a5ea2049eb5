/** Runs a session file through the real CLI, `syncscope dump --json`, and returns its frame lines and summary. */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
export const fixture = (name: string): string => join(here, 'fixtures', name);

export interface DumpSummary {
  frames: number;
  decoded: number;
  undecodable: number;
  byProtocol: Record<string, number>;
  byType: Record<string, number>;
  entities: number;
  queues: Record<string, number>;
  journals: Record<string, { side: string; cursor?: number | string | null; peer?: string }>;
  conflicts: Array<{ protocol: string; entity: string; field?: string | null; rule: string; winner: string }>;
}

export function dump(file: string): { lines: Array<Record<string, unknown>>; summary: DumpSummary } {
  const out = execFileSync(process.execPath, [join(root, 'inspector/bin/syncscope.mjs'), 'dump', file, '--json'], {
    cwd: root,
    encoding: 'utf8',
  });
  const lines = out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const last = lines.pop() as { summary: DumpSummary };
  return { lines, summary: last.summary };
}
