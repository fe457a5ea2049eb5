/** Runs a session file through the real CLI, `syncscope dump --json`, and returns its frame lines and summary. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DumpJson, dumpJsonSync } from '../core/testing/dump-cli.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const fixture = (name: string): string => join(here, 'fixtures', name);

export type { DumpSummary } from '../core/testing/dump-cli.ts';

export function dump(file: string): DumpJson {
  return dumpJsonSync(file);
}
