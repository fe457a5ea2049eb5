/**
 * Re-records the sqlsync fixtures from the real engine: runs each scenario with every client's frames going to a
 * Recorder, and writes protocols/sqlsync/fixtures/<scenario>.syncscope.jsonl.
 *
 *   npx tsx examples/sqlsync/scripts/record-fixtures.ts
 *
 * The engine's messages carry no secrets (no tokens, no passwords), so nothing needs redacting.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Recorder } from '@syncscope/inspector/record';
import { concurrentEditsScenario, offlineEditsScenario, type ScenarioOptions, serverRestartScenario } from '../scenarios/index.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'protocols', 'sqlsync', 'fixtures');

const scenarios: Record<string, (options: ScenarioOptions) => Promise<unknown>> = {
  'offline-edits': offlineEditsScenario,
  'concurrent-edits': concurrentEditsScenario,
  'server-restart': serverRestartScenario,
};

for (const [name, run] of Object.entries(scenarios)) {
  const recorder = new Recorder();
  await run({ onFrame: (frame) => recorder.add(frame) });
  const file = join(fixtures, `${name}.syncscope.jsonl`);
  writeFileSync(file, recorder.toSessionFile({ origin: `examples/sqlsync scenario ${name}`, protocols: ['sqlsync'], redactions: [] }));
  console.log(`${file}: ${recorder.all().length} frames`);
}
