/** The Firefox build: `web-ext lint` finds no error, and the manifest carries what Firefox needs. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildExtension } from './test/build.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('Firefox build', () => {
  it('passes web-ext lint with no errors and declares its gecko id and the MAIN-world hook', async () => {
    const dir = await buildExtension('firefox');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.browser_specific_settings.gecko.id).toBe('syncscope@syncscope.dev');
    expect(manifest.devtools_page).toBe('devtools.html');
    expect(manifest.content_scripts).toContainEqual(
      expect.objectContaining({ world: 'MAIN', run_at: 'document_start', js: ['content-scripts/hook.js'] }),
    );
    // web-ext exits non-zero on lint errors; warnings (zod probing `new Function`) are reported, not fatal.
    const { stdout } = await promisify(execFile)(
      join(root, 'node_modules/.bin/web-ext'),
      ['lint', '--source-dir', dir, '--output', 'json', '--no-config-discovery'],
      {
        cwd: root,
        timeout: 120_000,
      },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout.slice(stdout.indexOf('{')));
    expect(report.errors).toEqual([]);
    expect(report.summary.errors).toBe(0);
  });
});
