import { describe, expect, it } from 'vitest';
import { chooseToken, createRng, logSoftmax, rowSeed } from '../../src/engine/sampling.js';

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
