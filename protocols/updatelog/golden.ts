/** Runs session files through `syncscope dump --json` (the real CLI, as a child process) and returns the summaries. */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

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

export async function dump(file: string): Promise<DumpSummary> {
  const { stdout } = await run('node', [join(root, 'inspector/bin/syncscope.mjs'), 'dump', file, '--json'], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  });
  return (JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { summary: DumpSummary }).summary;
}

/** Several files at once: the CLI start-up dominates, so they run side by side. */
export async function dumpAll(files: Record<string, string>): Promise<Record<string, DumpSummary>> {
  const entries = await Promise.all(Object.entries(files).map(async ([name, file]) => [name, await dump(file)] as const));
  return Object.fromEntries(entries);
}
