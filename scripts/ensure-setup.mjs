// Installs what `npm start`, `npm test` and `npm run bench` need when it is missing or stale: the npm
// dependencies (npm ci when package-lock.json changed since the last install) and Debian's Chromium.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from './chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function dependenciesAreStale() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(installed)) return true;
  return statSync(join(root, 'package-lock.json')).mtimeMs > statSync(installed).mtimeMs;
}

export function ensureDependencies() {
  if (!dependenciesAreStale()) return;
  console.log('syncscope: installing dependencies (npm ci)…');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('syncscope: npm ci failed; see the output above.');
    process.exit(result.status ?? 1);
  }
}

export function ensureChromium() {
  if (findChromium()) return findChromium();
  if (process.env.CHROMIUM_PATH) {
    console.error(`syncscope: CHROMIUM_PATH is ${process.env.CHROMIUM_PATH}, which does not exist.`);
    process.exit(1);
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.log("syncscope: installing Debian's chromium (apt-get)…");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium', 'fonts-liberation'], { stdio: 'inherit', env });
    const found = findChromium();
    if (found) return found;
  }
  console.error(
    'syncscope: no Chromium found. Install Chromium (Debian: apt-get install chromium) or set CHROMIUM_PATH to its executable.',
  );
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureDependencies();
  ensureChromium();
}
