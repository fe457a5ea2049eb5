/** Builds the unpacked Chrome extension once for the e2e tests (wxt build, about 5 s) and returns its directory. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));

export async function buildExtension(browser: 'chrome' | 'firefox' = 'chrome'): Promise<string> {
  await promisify(execFile)(join(root, 'node_modules/.bin/wxt'), ['build', '-b', browser], { cwd: root, timeout: 120_000 });
  return join(root, '.output', `${browser}-mv3`);
}
