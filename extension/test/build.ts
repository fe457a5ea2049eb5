/**
 * Builds the unpacked extension for the e2e tests (wxt build, 5-10 s). Several test files need the same build, so
 * it is skipped when the output's recorded key (sizes and mtimes of every source file that goes into it) still
 * matches: a changed source always rebuilds.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = ['extension', 'inspector/src', 'protocols', 'wxt.config.ts', 'package-lock.json'];

function sourceKey(): string {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) if (name !== 'node_modules' && !name.startsWith('.')) visit(join(path, name));
    } else hash.update(`${path}\0${stat.size}\0${stat.mtimeMs}\n`);
  };
  for (const source of SOURCES) if (existsSync(join(root, source))) visit(join(root, source));
  return hash.digest('hex');
}

export async function buildExtension(browser: 'chrome' | 'firefox' = 'chrome'): Promise<string> {
  const dir = join(root, '.output', `${browser}-mv3`);
  // Beside the output, not in it: wxt empties the directory on a build, and web-ext lints everything inside.
  const keyFile = join(root, '.output', `.syncscope-test-build-${browser}.key`);
  const key = sourceKey();
  if (existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) return dir;
  await promisify(execFile)(join(root, 'node_modules/.bin/wxt'), ['build', '-b', browser], { cwd: root, timeout: 120_000 });
  writeFileSync(keyFile, key);
  return dir;
}
