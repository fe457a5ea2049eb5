/**
 * Re-records the updatelog fixtures from the real engine: runs every scenario over real sockets with a Recorder
 * observing each client, and writes the traffic as session files under protocols/updatelog/fixtures/.
 *
 *   npx tsx examples/updatelog/scripts/record-fixtures.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Recorder } from '@syncscope/inspector/record';
import { SCENARIOS } from '../scenarios/scenarios.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', '..', '..', 'protocols', 'updatelog', 'fixtures');

/** File name of each scenario's recording. */
export const RECORDINGS: Record<keyof typeof SCENARIOS, string> = {
  offlineReconnect: 'offline-reconnect.syncscope.jsonl',
  concurrentEdits: 'concurrent-edits.syncscope.jsonl',
  serverRestart: 'server-restart.syncscope.jsonl',
  outOfOrder: 'out-of-order.syncscope.jsonl',
  validationFlags: 'validation-flags.syncscope.jsonl',
  snapshots: 'snapshots.syncscope.jsonl',
};

async function main(): Promise<void> {
  for (const [name, run] of Object.entries(SCENARIOS) as Array<[keyof typeof SCENARIOS, (typeof SCENARIOS)[keyof typeof SCENARIOS]]>) {
    const recorder = new Recorder();
    await run({ onFrame: (frame) => recorder.add(frame) });
    const file = join(fixtures, RECORDINGS[name]);
    writeFileSync(file, recorder.toSessionFile({ origin: `examples/updatelog scenario ${name}`, protocols: ['updatelog'] }));
    console.log(`${RECORDINGS[name]}: ${recorder.all().length} frames`);
  }
}

await main();
