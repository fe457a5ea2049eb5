import type { Phase } from '@syncscope/protocols/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { phaseSegments } from './phase-segments.ts';

const at = (t: number, phase: Phase['phase'], conn = 'c'): Phase => ({ phase, conn, frame: t, t });

describe('phaseSegments', () => {
  it('keeps phases that are wider than a column as they are', () => {
    const segments = phaseSegments([at(0, 'connecting'), at(50, 'bootstrap'), at(100, 'live')], 0, 200, 100);
    expect(segments.map((s) => [s.phase, s.from, s.to, s.changes])).toEqual([
      ['connecting', 0, 50, 1],
      ['bootstrap', 50, 100, 1],
      ['live', 100, 200, 1],
    ]);
  });

  it('merges changes inside one column into the phase the column ends with', () => {
    const segments = phaseSegments([at(0, 'live'), at(100, 'offline'), at(100.1, 'connecting'), at(100.2, 'live')], 0, 200, 10);
    expect(segments.map((s) => [s.phase, s.changes])).toEqual([['live', 4]]);
  });

  it('never draws more segments than columns, and the segments tile the time from the first phase to the end', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1000, noNaN: true }), fc.constantFrom('live', 'offline', 'connecting' as const)), {
          maxLength: 400,
        }),
        fc.integer({ min: 1, max: 50 }),
        (raw, columns) => {
          const phases = raw.map(([t, phase]) => at(t, phase)).sort((a, b) => a.t - b.t);
          const segments = phaseSegments(phases, 0, 1000, columns);
          expect(segments.length).toBeLessThanOrEqual(columns);
          expect(segments.reduce((n, s) => n + s.changes, 0)).toBe(phases.length);
          segments.forEach((s, i) => {
            if (i > 0) expect(s.phase).not.toBe(segments[i - 1]?.phase);
            expect(s.to).toBe(segments[i + 1]?.from ?? 1000);
          });
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});
