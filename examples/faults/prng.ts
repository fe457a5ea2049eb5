/**
 * A small seeded PRNG (mulberry32): every random choice a fault test makes comes from a seed it prints, so a
 * failure can be replayed exactly.
 */
export interface Prng {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
}

export function prng(seed: number): Prng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
  };
}

/** The seed of a test run: FAULT_SEED from the environment when set (to replay a failure), else the given default. */
export function seedFrom(fallback: number): number {
  const text = process.env.FAULT_SEED;
  const parsed = text === undefined ? Number.NaN : Number(text);
  return Number.isInteger(parsed) ? parsed : fallback;
}
