/**
 * For golden tests: a session file through the real CLI, `syncscope dump --json`, in a child process, parsed into
 * its frame lines and summary. One helper for every protocol, typed by the CLI's own summary type.
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DumpSummary } from '../../../inspector/src/cli/summary.ts';

export type { DumpSummary };

export type DumpLine =
  | { seq: number; protocol: string; ok: true; type: string }
  | { seq: number; protocol: string; ok: false; error: string };

export interface DumpJson {
  lines: DumpLine[];
  summary: DumpSummary;
}

const root = join(import.meta.dirname, '../../..');
const args = (file: string) => [join(root, 'inspector/bin/syncscope.mjs'), 'dump', file, '--json'];
const run = promisify(execFile);

function parse(stdout: string): DumpJson {
  const lines = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
  const last = lines.pop() as { summary: DumpSummary };
  return { lines: lines as DumpLine[], summary: last.summary };
}

export async function dumpJson(file: string): Promise<DumpJson> {
  const { stdout } = await run(process.execPath, args(file), { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return parse(stdout);
}

export function dumpJsonSync(file: string): DumpJson {
  return parse(execFileSync(process.execPath, args(file), { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
}
