import { describe, expect, it } from 'vitest';
import type { StrategySpec } from '../../src/types.js';
import { scriptedRuntime } from '../helpers/runtime.js';
import { tinyScript } from '../helpers/tiny-script.js';

const number = { kind: 'number' } as const;

/** Every strategy, set up so that it would make several engine calls if nothing stopped it. */
const all: StrategySpec[] = [
  { kind: 'greedy' },
  { kind: 'self-consistency', n: 8 },
  { kind: 'best-of-n', n: 6, scorer: 'self-verify' },
  { kind: 'best-of-n', n: 6, scorer: 'verifier', verifier: { kind: 'arithmetic' } },
  { kind: 'adaptive-consistency' },
  { kind: 'adaptive-consistency', criterion: 'dirichlet' },
  { kind: 'verify-correct', samples: 4, rounds: 3 },
  { kind: 'self-refine', maxRounds: 4 },
  { kind: 'self-refine', prompts: 'ioe', maxRounds: 4 },
  { kind: 'wait', maxNudges: 4 },
  { kind: 'cascade', signal: 'confidence-token', threshold: 0.99, then: { kind: 'adaptive-consistency' } },
  { kind: 'cascade', signal: 'vote', threshold: 1, then: { kind: 'cascade', signal: 'self-verify', threshold: 1, then: { kind: 'verify-correct' } } },
];
const named = all.map((s) => [JSON.stringify(s), s] as const);

/**
 * Disagreeing six-token samples and a checker that always proposes a new number: nothing settles early.
 * (The scripted engine appends the confidence token beyond maxTokens, so the token-budget test goes without.)
 */
function restless(withConfidence = true) {
  let next = 100;
  return tinyScript({
    draft: ({ sample }) => ({ text: String(100000 + (sample % 5)), confidence: withConfidence ? 0.3 : undefined }),
    check: () => ({ restated: String(next++), yes: 0.2 }),
  });
}

describe.each(named)('%s', (_name, strategy) => {
  it('aborts promptly mid-generation', async () => {
    const { runtime } = scriptedRuntime(restless(), { tokenDelayMs: 15 });
    const controller = new AbortController();
    const pending = runtime.solve({ prompt: '2+3', answer: number, strategy, signal: controller.signal });
    setTimeout(() => controller.abort(), 40);
    const started = Date.now();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(300);
  });

  it('a deadline returns the best so far, promptly, marked budgetExhausted', async () => {
    const { runtime } = scriptedRuntime(restless(), { tokenDelayMs: 15 });
    const started = Date.now();
    const r = await runtime.solve({ prompt: '2+3', answer: number, strategy, budget: { deadlineMs: 80 } });
    expect(Date.now() - started).toBeLessThan(400);
    expect(r.budgetExhausted).toBe(true);
  });

  it('budget.maxSamples holds across every call, nested ones included', async () => {
    const { runtime } = scriptedRuntime(restless());
    const r = await runtime.solve({ prompt: '2+3', answer: number, strategy, budget: { maxSamples: 3 } });
    expect(r.usage.samples).toBeLessThanOrEqual(3);
    if (strategy.kind !== 'greedy') expect(r.budgetExhausted).toBe(true);
  });

  it('budget.maxTokens holds across every call', async () => {
    const { runtime } = scriptedRuntime(restless(false));
    const r = await runtime.solve({ prompt: '2+3', answer: number, strategy, budget: { maxTokens: 20 } });
    expect(r.usage.completionTokens).toBeLessThanOrEqual(20);
  });
});

describe('budget results', () => {
  it('an exhausted budget returns the best answer so far', async () => {
    const { runtime } = scriptedRuntime(tinyScript({ draft: () => ({ text: '5', confidence: 0.1 }), check: () => ({ restated: '6', yes: 0.1 }) }));
    const r = await runtime.solve({
      prompt: '2+3',
      answer: number,
      strategy: { kind: 'cascade', signal: 'confidence-token', threshold: 0.9, then: { kind: 'self-consistency', n: 8 } },
      budget: { maxSamples: 1 },
    });
    // The fallback could not sample at all: the draft stands.
    expect(r).toMatchObject({ answer: '5', budgetExhausted: true });
  });
});
