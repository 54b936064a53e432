import { createRng, type Rng } from '../engine/sampling.js';

/** Draws per estimate: the standard error near 0.95 is about 0.003. */
export const DIRICHLET_DRAWS = 5000;

/**
 * P(the first count's class has the largest probability | Dirichlet(counts + 1)), by Monte Carlo: the
 * Adaptive-Consistency paper's Dirichlet rule over the top answers. The generator is seeded from the counts,
 * so the same counts always give the same estimate (deterministic tests, stable stopping).
 */
export function dirichletLeaderProbability(counts: readonly number[], draws = DIRICHLET_DRAWS): number {
  if (counts.length < 2) return 1;
  const rng = createRng(seedFor(counts));
  const normal = normalSource(rng);
  let wins = 0;
  for (let i = 0; i < draws; i++) {
    // Gamma variates share a scale, so comparing them compares the Dirichlet proportions.
    const leader = gamma(counts[0]! + 1, rng, normal);
    let best = true;
    for (let k = 1; k < counts.length && best; k++) if (gamma(counts[k]! + 1, rng, normal) >= leader) best = false;
    if (best) wins++;
  }
  return wins / draws;
}

function seedFor(counts: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const c of counts) h = Math.imul(h ^ c, 0x01000193) >>> 0;
  return h;
}

function normalSource(rng: Rng): () => number {
  // Box–Muller; the spare value is kept for the next call.
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - rng();
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** Marsaglia–Tsang for shape >= 1 (ours is always a count + 1). */
function gamma(shape: number, rng: Rng, normal: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
