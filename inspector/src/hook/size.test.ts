import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bundleHook, WORKER_ENTRY } from './build.ts';

const BUDGET = 10 * 1024;

describe('page hook size budget', () => {
  it('builds under 10 kB minified + gzipped, with no zod, Preact or codecs inside', async () => {
    for (const entry of [undefined, WORKER_ENTRY]) {
      const { code, inputs } = await bundleHook({ entry });
      const gzipped = gzipSync(code, { level: 9 }).length;
      expect(gzipped).toBeLessThan(BUDGET);
      expect(inputs.filter((path) => /node_modules|codecs|zod|preact|messages\.ts/.test(path))).toEqual([]);
    }
  });
});
