/**
 * Re-records the seneschal fixtures from the reference engine: runs each scenario against a real server and writes
 * its client-side traffic (secrets redacted) to protocols/seneschal/fixtures/. Run: npx tsx examples/seneschal/scripts/record-fixtures.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RECORDED_SCENARIOS } from '../test/recorded-scenarios.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'protocols', 'seneschal', 'fixtures');

for (const scenario of RECORDED_SCENARIOS) {
  const { name, session } = await scenario();
  writeFileSync(join(fixtures, name), session);
  console.log(`wrote ${name} (${session.split('\n').length - 2} frames)`);
}
