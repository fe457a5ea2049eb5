/**
 * Re-records the temporal fixtures from the real engine: `npx tsx examples/temporal/scripts/record-fixtures.ts`.
 * Each scenario runs against a fresh server in a temp dir; every frame its clients send and receive is written as
 * a session file under protocols/temporal/fixtures/. (The engine carries no secrets: nothing to redact.)
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Recorder } from '../../../inspector/src/record/recorder.ts';
import { SCENARIOS } from './scenarios.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'protocols', 'temporal', 'fixtures');

export async function recordAll(dir = fixtures, only?: readonly string[]): Promise<string[]> {
  const written: string[] = [];
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    if (only && !only.includes(name)) continue;
    const recorder = new Recorder();
    await scenario((frame) => recorder.add(frame));
    const path = join(dir, name);
    writeFileSync(
      path,
      recorder.toSessionFile({ origin: `examples/temporal scenario ${name.replace('.syncscope.jsonl', '')}`, protocols: ['temporal'] }),
    );
    written.push(path);
  }
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const written = await recordAll();
  for (const path of written) console.log(`wrote ${path}`);
}
