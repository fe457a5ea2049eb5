import { describe, expect, it } from 'vitest';
import { SessionStore } from '../store/index.ts';
import { sampleModels } from './sampling.ts';
import { demoFrames } from './test/demo-session.ts';

describe('sampleModels', () => {
  it.each([
    { cap: 100_000, checkpointEvery: 1024, count: 40 },
    { cap: 256, checkpointEvery: 8, count: 10 },
  ])('samples equal the store models at the same positions (%o)', ({ count, ...options }) => {
    const store = new SessionStore({ ...options, schedule: (run) => run() });
    store.addMany(demoFrames());
    const samples = sampleModels(store, count);
    expect(samples.length).toBeGreaterThan(1);
    expect(samples.length).toBeLessThanOrEqual(count + 1);
    for (const sample of samples) expect(sample.models).toEqual(store.modelsAt(sample.position));
  });
});
