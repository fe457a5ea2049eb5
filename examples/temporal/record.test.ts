/**
 * The recorder script runs end to end: a fresh recording decodes fully and leaves nothing pending. One scenario
 * keeps it short; the scenario tests run all of them, and the golden tests check every committed recording.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordAll } from './scripts/record-fixtures.ts';
import { tempDir } from './test-helpers.ts';

const root = join(import.meta.dirname, '..', '..');

describe('record-fixtures', () => {
  const out = tempDir();
  afterAll(() => out.remove());

  it('records a scenario as a session that decodes without undecodable frames', { timeout: 90_000 }, async () => {
    const files = await recordAll(out.dir, ['offline-reconnect.syncscope.jsonl']);
    expect(files).toHaveLength(1);
    for (const file of files) {
      const lines = execFileSync('node', [join(root, 'inspector/bin/syncscope.mjs'), 'dump', file, '--json'], {
        cwd: root,
        encoding: 'utf8',
      })
        .trim()
        .split('\n');
      const summary = JSON.parse(lines.at(-1) ?? '{}').summary;
      expect(summary.undecodable, file).toBe(0);
      expect(summary.byProtocol, file).toEqual({ temporal: summary.frames });
      expect(
        Object.values(summary.queues).every((n) => n === 0),
        file,
      ).toBe(true);
    }
  });
});
