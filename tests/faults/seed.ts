/**
 * The fault battery's randomness: one seeded PRNG per run, so a failing run is replayed exactly
 * (same operations, same kill delays) with `WARREN_FAULT_SEED=<seed printed by the failing run>`.
 * Timing on a shared machine still varies; the seed fixes every choice the battery makes.
 */
export type Rng = {
  seed: number;
  /** A float in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
};

/** mulberry32: tiny, fast and good enough to spread kill points; not for anything secret. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (max) => Math.floor(next() * max),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
    chance: (p) => next() < p,
  };
}

/** The run's seed: WARREN_FAULT_SEED when replaying, otherwise fresh; printed either way. */
export function faultRng(label: string): Rng {
  const fromEnv = process.env.WARREN_FAULT_SEED;
  const seed = fromEnv ? Number.parseInt(fromEnv, 10) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  if (fromEnv && !/^\d+$/.test(fromEnv)) throw new Error(`WARREN_FAULT_SEED must be an unsigned integer, got ${fromEnv}`);
  console.log(`[faults] ${label}: seed ${seed} (replay with WARREN_FAULT_SEED=${seed})`);
  return seededRng(seed);
}

/**
 * How long after issuing a request to kill. Most runner operations answer within a few
 * milliseconds, so half the delays fall in the first 25 ms (where the windows between a runtime
 * call and its record write are) and the rest spread over 0–200 ms.
 */
export function killDelayMs(rng: Rng): number {
  return rng.chance(0.5) ? rng.next() * 25 : rng.next() * 200;
}
