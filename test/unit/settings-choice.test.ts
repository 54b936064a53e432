import { describe, expect, it } from 'vitest';
import { againstSc16, saving } from '../../bench/reasoner-targets.js';
import { chooseSetting } from '../../bench/settings-study.js';
import type { StrategyRow } from '../../bench/solve-items.js';

const row = (name: string, accuracy: number, meanTokens: number, meanSamples = 8): StrategyRow => ({
  name,
  spec: { kind: 'greedy' },
  accuracy,
  meanTokens,
  meanSamples,
  meanMs: meanTokens,
  budgetExhausted: 0,
});

describe('choosing a strategy setting on validation', () => {
  const sc16 = row('sc16', 0.84, 860, 16);
  const meets = (r: StrategyRow) => r.accuracy >= sc16.accuracy && saving(r, sc16).tokens >= 0.4;

  it('takes the most accurate of the settings that meet the target, not the cheapest', () => {
    const rows = [row('cheap', 0.84, 400), row('accurate', 0.85, 500), row('misses saving', 0.9, 700)];
    expect(chooseSetting(rows, meets).name).toBe('accurate');
  });

  it('breaks an accuracy tie by the fewest tokens', () => {
    const rows = [row('a', 0.85, 500), row('b', 0.85, 450), row('c', 0.85, 480)];
    expect(chooseSetting(rows, meets).name).toBe('b');
  });

  it('falls back to the most accurate of all when none meets the target', () => {
    const rows = [row('cheap but wrong', 0.8, 300), row('best', 0.83, 600), row('worse', 0.82, 500)];
    expect(chooseSetting(rows, meets).name).toBe('best');
  });

  it('measures savings against SC@16: tokens and time saved, samples as a share', () => {
    const s = saving({ ...row('x', 0.85, 430, 4), meanMs: 215 }, { ...sc16, meanMs: 430 });
    expect(s.tokens).toBeCloseTo(0.5);
    expect(s.samples).toBeCloseTo(0.25);
    expect(s.time).toBeCloseTo(0.5);
  });

  it('states a row against SC@16 in one phrase: accuracies, then tokens saved, samples used and time saved', () => {
    const phrase = againstSc16({ ...row('x', 0.85, 430, 4), meanMs: 215 }, { ...sc16, meanMs: 430 });
    expect(phrase).toBe('85.0% against 84.0%; 50.0% fewer tokens, 25.0% of its samples, 50.0% less time');
  });
});
