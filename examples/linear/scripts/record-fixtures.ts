/**
 * Re-records the linear fixtures from the reference engine: runs each scenario with real clients and a real
 * server on 127.0.0.1, collects every frame the clients send and receive (secrets already "[redacted]" by the
 * client's wire), and writes them as session files under protocols/linear/fixtures/.
 *
 *   npx tsx examples/linear/scripts/record-fixtures.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Recorder } from '@syncscope/inspector/record';
import { concurrentEditsScenario, offlineEditsScenario, restartScenario, type ScenarioContext } from '../scenarios/scenarios.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'protocols', 'linear', 'fixtures');

const SCENARIOS: Record<string, { origin: string; run: (context: ScenarioContext) => Promise<unknown> }> = {
  'scenario-offline.syncscope.jsonl': {
    origin: 'examples/linear: offline edits, reconnect (drain, delta, live), client restart with a delta bootstrap',
    run: offlineEditsScenario,
  },
  'scenario-concurrent.syncscope.jsonl': {
    origin: 'examples/linear: concurrent edits of one issue (stale rejection) and a same-field race',
    run: concurrentEditsScenario,
  },
  'scenario-restart.syncscope.jsonl': {
    origin: 'examples/linear: server restart in the middle of a sync (acknowledged, then stopped before the sync ids arrived)',
    run: restartScenario,
  },
};

/** Runs every scenario and writes its session file into `dir`; returns the files written and their frame counts. */
export async function recordAll(dir = fixtures): Promise<Array<{ file: string; frames: number }>> {
  const written: Array<{ file: string; frames: number }> = [];
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    const recorder = new Recorder();
    await scenario.run({ onFrame: (frame) => recorder.add(frame) });
    const file = join(dir, name);
    writeFileSync(
      file,
      recorder.toSessionFile({ origin: scenario.origin, protocols: ['linear'], redactions: ['password', 'token', 'authorization'] }),
    );
    written.push({ file, frames: recorder.all().length });
  }
  return written;
}

// Only when run as a script: importing this module (the test does) must never overwrite the committed fixtures.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const { file, frames } of await recordAll()) console.log(`${file}: ${frames} frames`);
}
