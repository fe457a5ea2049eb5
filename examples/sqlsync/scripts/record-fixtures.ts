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
import { browserTabsScenario } from '../scenarios/browser.ts';
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

// The browser scenario: two tabs of the demo talking to the origin's SharedWorker (tab <-> worker messages).
const browserRecorder = new Recorder();
for (const frame of await browserTabsScenario()) browserRecorder.add(frame);
const browserFile = join(fixtures, 'browser-tabs.syncscope.jsonl');
writeFileSync(
  browserFile,
  browserRecorder.toSessionFile({ origin: 'examples/sqlsync demo in Chromium, two tabs', protocols: ['sqlsync'], redactions: [] }),
);
console.log(`${browserFile}: ${browserRecorder.all().length} frames`);
