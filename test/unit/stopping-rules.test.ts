import { describe, expect, it } from 'vitest';
import { betaAboveHalf } from '../../src/confidence/beta.js';
import { dirichletLeaderProbability } from '../../src/confidence/dirichlet.js';
import { checkRule, nextBatch } from '../../src/strategies/stopping-rules.js';

/** Simpson's rule on the Beta(a+1, b+1) density, to check the exact binomial sum independently. */
function numericBetaAboveHalf(a: number, b: number): number {
  const f = (x: number) => x ** a * (1 - x) ** b;
  const integrate = (lo: number, hi: number) => {
    const n = 2000;
    const h = (hi - lo) / n;
    let s = f(lo) + f(hi);
    for (let i = 1; i < n; i++) s += f(lo + i * h) * (i % 2 ? 4 : 2);
    return (s * h) / 3;
  };
  return integrate(0.5, 1) / integrate(0, 1);
}

describe('Beta rule (Adaptive-Consistency)', () => {
  it('computes P(p > 0.5 | Beta(a+1, b+1)) exactly', () => {
    expect(betaAboveHalf(0, 0)).toBe(0.5);
    expect(betaAboveHalf(4, 0)).toBe(31 / 32);
    expect(betaAboveHalf(3, 0)).toBe(15 / 16);
    expect(betaAboveHalf(6, 1)).toBe(247 / 256);
    expect(betaAboveHalf(8, 2)).toBe(1981 / 2048);
    expect(betaAboveHalf(9, 3)).toBe(7814 / 8192);
    for (const [a, b] of [[1, 0], [5, 2], [10, 7], [30, 12], [2, 9]] as const) {
      expect(betaAboveHalf(a, b)).toBeCloseTo(numericBetaAboveHalf(a, b), 8);
    }
  });

  it('stops at exactly 4–0, 6–1, 8–2, 9–3 and not one vote earlier', () => {
    const stopsAt = { 0: 4, 1: 6, 2: 8, 3: 9 } as const;
    for (const [b, a] of Object.entries(stopsAt).map(([b, a]) => [Number(b), a] as const)) {
      const counts = b === 0 ? [a] : [a, b];
      expect(checkRule('beta', 0.95, counts).stop, `${a}–${b}`).toBe(true);
      const fewer = b === 0 ? [a - 1] : [a - 1, b];
      expect(checkRule('beta', 0.95, fewer).stop, `${a - 1}–${b}`).toBe(false);
    }
    // A third answer does not count: only the top two do.
    expect(checkRule('beta', 0.95, [6, 1, 1]).stop).toBe(true);
    expect(checkRule('beta', 0.95, [6, 1]).numbers).toMatchObject({ a: 6, b: 1, probability: 247 / 256, threshold: 0.95 });
  });

  it('plans the fewest samples after which the rule could hold', () => {
    expect(nextBatch('beta', 0.95, [], 16)).toBe(4);
    expect(nextBatch('beta', 0.95, [3, 1], 12)).toBe(3); // 6–1
    expect(nextBatch('beta', 0.95, [2, 2], 12)).toBe(6); // 8–2
    expect(nextBatch('beta', 0.95, [7, 3], 6)).toBe(2); // 9–3
    expect(nextBatch('beta', 0.95, [2, 2], 3)).toBe(3); // cannot hold within the cap: draw what is left
    expect(nextBatch('beta', 0.95, [], 2)).toBe(2);
  });
});

describe('other criteria', () => {
  it('majority share >= 0.8, never on one vote', () => {
    expect(checkRule('majority', 0.8, [1]).stop).toBe(false);
    expect(checkRule('majority', 0.8, [2]).stop).toBe(true);
    expect(checkRule('majority', 0.8, [4, 1]).stop).toBe(true);
    expect(checkRule('majority', 0.8, [3, 1]).stop).toBe(false);
    expect(nextBatch('majority', 0.8, [], 16)).toBe(2);
  });

  it('entropy <= 0.75 of the maximum, with the paper’s pseudo-count for a single answer', () => {
    // One answer seen k times is scored as counts [k, 1]: k = 4 is the first below 0.75.
    expect(checkRule('entropy', 0.75, [3]).stop).toBe(false);
    expect(checkRule('entropy', 0.75, [4]).stop).toBe(true);
    expect(checkRule('entropy', 0.75, [4, 1]).stop).toBe(true);
    expect(checkRule('entropy', 0.75, [3, 1]).stop).toBe(false);
    expect(checkRule('entropy', 0.75, [4, 1]).numbers.normalizedEntropy).toBeCloseTo(0.7219, 4);
    expect(nextBatch('entropy', 0.75, [], 16)).toBe(4);
  });

  it('dirichlet: Beta below three answers; a seeded Monte Carlo estimate above', () => {
    expect(checkRule('dirichlet', 0.95, [4]).stop).toBe(true);
    expect(checkRule('dirichlet', 0.95, [5, 1]).stop).toBe(false);
    const p = dirichletLeaderProbability([8, 1, 1]);
    expect(p).toBe(dirichletLeaderProbability([8, 1, 1])); // deterministic
    expect(p).toBeGreaterThan(0.95);
    expect(dirichletLeaderProbability([3, 3, 1])).toBeLessThan(0.6);
    expect(dirichletLeaderProbability([3, 1, 1])).toBeLessThan(0.95);
    expect(checkRule('dirichlet', 0.95, [8, 1, 1]).stop).toBe(true);
    expect(checkRule('dirichlet', 0.95, [3, 2, 1]).stop).toBe(false);
  });
});
