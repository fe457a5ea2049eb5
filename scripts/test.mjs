// `npm test`: installs what is missing, then lint, typecheck and every vitest test (node and real Chromium),
// and ends with the one line CI reads: "N passed, N failed". Lint and typecheck count as one test each.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureChromium, ensureDependencies } from './ensure-setup.mjs';

ensureDependencies();
ensureChromium();

let passed = 0;
let failed = 0;
const failures = [];

function step(name, command, args) {
  console.log(`\n── ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  return result.status === 0;
}

for (const [name, args] of [
  ['lint', ['biome', 'check', '.']],
  ['typecheck', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
]) {
  if (step(name, 'npx', args)) passed++;
  else {
    failed++;
    failures.push(name);
  }
}

const report = join(mkdtempSync(join(tmpdir(), 'syncscope-test-')), 'vitest.json');
const extra = process.argv.slice(2);
const vitestOk = step('vitest', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra]);
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  // A test file that fails to load runs no test: count it as a failure, not as nothing.
  const brokenFiles = results.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0);
  failed += brokenFiles.length;
  for (const file of brokenFiles) failures.push(`${file.name} (did not load)`);
  for (const file of results.testResults)
    for (const test of file.assertionResults) if (test.status === 'failed') failures.push(`${file.name}: ${test.fullName}`);
} catch {
  failed++;
  failures.push('vitest produced no report');
}
if (!vitestOk && failed === 0) {
  failed++;
  failures.push('vitest exited with an error');
}

if (failures.length) console.log(`\nFailed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
