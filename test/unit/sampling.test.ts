import { describe, expect, it } from 'vitest';
import { chooseToken, createRng, logSoftmax, rowSeed, topTokens } from '../../src/engine/sampling.js';

describe('seeded sampling', () => {
  const logprobs = logSoftmax([2, 1, 0.5, -1]);

  it('is greedy at temperature 0', () => {
    expect(chooseToken(logprobs, { temperature: 0 }, createRng(1))).toBe(0);
  });

  it('repeats exactly for the same seed and differs across rows', () => {
    const draw = (seed: number) => Array.from({ length: 50 }, ((rng) => () => chooseToken(logprobs, { temperature: 1 }, rng))(createRng(seed)));
    expect(draw(7)).toEqual(draw(7));
    expect(draw(rowSeed(7, 0))).not.toEqual(draw(rowSeed(7, 1)));
  });

  it('follows the distribution', () => {
    const rng = createRng(3);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20000; i++) counts[chooseToken(logprobs, { temperature: 1 }, rng)]!++;
    const probs = Array.from(logprobs, Math.exp);
    counts.forEach((c, i) => expect(c / 20000).toBeCloseTo(probs[i]!, 1));
  });

  it('honours topK and topP', () => {
    const rng = createRng(5);
    for (let i = 0; i < 500; i++) expect(chooseToken(logprobs, { temperature: 1, topK: 2 }, rng)).toBeLessThan(2);
    for (let i = 0; i < 500; i++) expect(chooseToken(logprobs, { temperature: 1, topP: 0.5 }, rng)).toBe(0);
  });
});

describe('top-k alternatives', () => {
  it('gives the k most probable ids, most probable first, lower id first on ties', () => {
    const values = [0.1, 3, -1, 3, 2, -Infinity, 2.5, 0];
    expect(topTokens(values, 3)).toEqual([1, 3, 6]);
    expect(topTokens(values, 1)).toEqual([1]);
    expect(topTokens(values, 0)).toEqual([]);
    expect(topTokens(values, 20)).toEqual([1, 3, 6, 4, 0, 7, 2, 5]);
  });

  it('agrees with a full sort on random distributions', () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 200; trial++) {
      const logprobs = logSoftmax(Array.from({ length: 1 + Math.floor(rng() * 300) }, () => Math.round(rng() * 40) / 4));
      const k = 1 + Math.floor(rng() * 25);
      const sorted = Array.from(logprobs.keys()).sort((a, b) => logprobs[b]! - logprobs[a]! || a - b);
      expect(topTokens(logprobs, k)).toEqual(sorted.slice(0, k));
    }
  });
});
