/**
 * Store memory and scale in Node: heap per retained frame beyond payloads, with the fold running, and the cost
 * of a time-travel jump. (The browser panel's own scale benchmark measures load, filter and scroll in Chromium.)
 */
import { createRegistry, type RawFrame } from '@syncscope/protocols';
import { SessionStore } from '../../inspector/src/store/index.ts';
import type { BenchRow } from './table.ts';

const FRAMES = 1_000_000;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export async function storeBench(): Promise<BenchRow[]> {
  // One shared payload string: what remains is the store's own cost per frame (frame object, indexes, fold).
  const text = JSON.stringify({ op: 'set', key: 'k', value: 1 });
  gc();
  const before = process.memoryUsage().heapUsed;
  const store = new SessionStore({ registry: createRegistry(), cap: FRAMES });
  const start = performance.now();
  for (let i = 0; i < FRAMES; i++) {
    store.add({ seq: i, t: i, transport: 'websocket', conn: `c${i % 16}`, dir: i % 2 ? 'in' : 'out', kind: 'message', text } as RawFrame);
  }
  store.finish();
  const loadMs = performance.now() - start;
  gc();
  const perFrame = (process.memoryUsage().heapUsed - before) / FRAMES;
  const jumps = 200;
  const jumpStart = performance.now();
  for (let i = 0; i < jumps; i++) store.modelsAt(store.start + Math.floor(Math.random() * store.size));
  const jumpMs = (performance.now() - jumpStart) / jumps;
  const filterStart = performance.now();
  const hits = store.query({ conn: 'c3' }).length;
  const filterMs = performance.now() - filterStart;
  return [
    { group: 'store (node)', name: '1,000,000 frames added and folded', figure: (FRAMES / loadMs) * 1000, unit: 'frames/s' },
    {
      group: 'store (node)',
      name: 'heap per frame beyond payloads',
      figure: perFrame,
      unit: 'bytes',
      goal: '< 600',
      met: perFrame < 600,
      note: process.execArgv.includes('--expose-gc') ? undefined : 'without --expose-gc: an estimate',
    },
    { group: 'store (node)', name: 'time-travel jump to a random frame', figure: jumpMs, unit: 'ms', goal: '< 100', met: jumpMs < 100 },
    {
      group: 'store (node)',
      name: `filter by connection (${hits.toLocaleString('en-US')} hits)`,
      figure: filterMs,
      unit: 'ms',
      goal: '< 300',
      met: filterMs < 300,
    },
  ];
}
