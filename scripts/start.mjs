// `npm start`: installs what is missing, then shows syncscope at work. Until the playground lands this prints a
// decoded dump of the bundled sample session, the same as `npx syncscope dump examples/sessions/sample.syncscope.jsonl`.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './ensure-setup.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureDependencies();
const result = spawnSync(
  process.execPath,
  [join(root, 'inspector/bin/syncscope.mjs'), 'dump', join(root, 'examples/sessions/sample.syncscope.jsonl')],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
