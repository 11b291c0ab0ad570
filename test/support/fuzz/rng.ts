/**
 * The seeded randomness of every fuzzer here: the same seed gives the same inputs, so a failure can be
 * replayed with its seed.
 */

/** A random number in [0, 1). */
export type Rng = () => number;

/** mulberry32: a small, fast 32-bit PRNG; good enough to pick mutations, not for cryptography. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max]. */
export const randomInt = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

/** True with probability `p`. */
export const chance = (rng: Rng, p: number): boolean => rng() < p;

/** A seed for a run that was given none: different every run, printed so the run can be replayed. */
export function freshSeed(): number {
  return Math.floor(Math.random() * 0xffff_ffff);
}
