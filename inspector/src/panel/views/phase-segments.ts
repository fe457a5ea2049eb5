/**
 * Phases as the timeline draws them: a long session has hundreds of thousands of phase changes (every reconnect,
 * every HTTP exchange), far more than the strip has pixels, and one element per change made the panel lay out and
 * diff them all on every render. Phases are merged to at most `columns` segments per row: consecutive changes to
 * the same phase join, and within one column the last phase wins (it is what the column shows when it ends).
 */
import type { Phase } from '@syncscope/protocols/core';

export interface PhaseSegment {
  phase: Phase['phase'];
  /** The first merged change: its connection and time. */
  conn?: string;
  from: number;
  to: number;
  /** How many phase changes this segment stands for. */
  changes: number;
}

export function phaseSegments(phases: readonly Phase[], t0: number, t1: number, columns: number): PhaseSegment[] {
  const span = Math.max(1, t1 - t0);
  const columnOf = (t: number) => Math.min(columns - 1, Math.max(0, Math.floor(((t - t0) / span) * columns)));
  const out: Array<PhaseSegment & { column: number }> = [];
  for (const phase of phases) {
    const column = columnOf(phase.t);
    const last = out.at(-1);
    if (last && last.phase === phase.phase) {
      last.changes++;
      continue;
    }
    if (last && last.column === column) {
      // Two phases in one column: the later one is what the column shows, and it may continue the segment before.
      const before = out.at(-2);
      if (before && before.phase === phase.phase) {
        out.pop();
        before.changes += last.changes + 1;
        continue;
      }
      last.phase = phase.phase;
      last.changes++;
      continue;
    }
    out.push({ phase: phase.phase, ...(phase.conn ? { conn: phase.conn } : {}), from: phase.t, to: t1, changes: 1, column });
  }
  return out.map(({ column: _column, ...segment }, i) => ({ ...segment, to: out[i + 1]?.from ?? Math.max(t1, segment.from) }));
}
