/** Runs session files through `syncscope dump --json` (the real CLI, as a child process) and returns the summaries. */
import { type DumpSummary, dumpJson } from '../core/testing/dump-cli.ts';

export type { DumpSummary };

export async function dump(file: string): Promise<DumpSummary> {
  return (await dumpJson(file)).summary;
}

/** Several files at once: the CLI start-up dominates, so they run side by side. */
export async function dumpAll(files: Record<string, string>): Promise<Record<string, DumpSummary>> {
  const entries = await Promise.all(Object.entries(files).map(async ([name, file]) => [name, await dump(file)] as const));
  return Object.fromEntries(entries);
}
