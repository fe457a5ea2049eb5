/**
 * The recording path end to end: the scenarios' fresh traffic, written by the record script into a temp dir, goes
 * through `syncscope dump --json` with zero undecodable frames, every frame linear, and settled queues.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordAll } from './record-fixtures.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'linear-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('record-fixtures', () => {
  it('records the scenarios as sessions the dissector decodes completely', async () => {
    const written = await recordAll(dir);
    expect(written).toHaveLength(3);
    for (const { file, frames } of written) {
      const out = execFileSync(process.execPath, [join(root, 'inspector/bin/syncscope.mjs'), 'dump', file, '--json'], {
        cwd: root,
        encoding: 'utf8',
      });
      const summary = JSON.parse(out.trim().split('\n').at(-1) ?? '{}').summary as {
        frames: number;
        undecodable: number;
        byProtocol: Record<string, number>;
        queues: Record<string, number>;
      };
      expect(summary.frames, file).toBe(frames);
      expect(summary.undecodable, file).toBe(0);
      expect(summary.byProtocol, file).toEqual({ linear: frames });
      expect(
        Object.values(summary.queues).every((pending) => pending === 0),
        file,
      ).toBe(true);
    }
  });
});
