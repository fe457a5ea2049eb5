// `npm run bench`: runs scripts/bench/run.ts with the garbage collector exposed, so heap figures are exact.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const result = spawnSync(
  process.execPath,
  ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', join(import.meta.dirname, 'bench/run.ts'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
