import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime, type SolveResult, type StrategySpec } from '../../src/index.js';
import { loadEngine } from '../../src/engine/load.js';
import { findModel } from '../../src/models/catalog.js';
import { bundledModelsFolder } from '../../src/models/node-base.js';
import { heldOutSample, loadReference, type HeldOutItem } from '../helpers/reference.js';

/**
 * Every strategy on the real tiny model, in Node, over 30 held-out prompts. The model is retrained from
 * time to time, so these check properties that hold for any model, not accuracy.
 */

const items = heldOutSample(30);
const temperature = loadReference().temperature;
let runtime: Runtime;

beforeAll(async () => {
  runtime = await createRuntime({ cache: false });
});
afterAll(async () => {
  await runtime?.dispose();
});

async function solveAll(strategy: StrategySpec, seed = 7): Promise<SolveResult[]> {
  const results: SolveResult[] = [];
  for (const item of items) {
    results.push(await runtime.solve({ prompt: item.prompt, answer: { kind: 'number' }, strategy, sampling: { seed, temperature } }));
  }
  return results;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const right = (r: SolveResult, item: HeldOutItem) => r.answer === item.answer;
const sampleAnswers = (r: SolveResult) => r.trace.flatMap((e) => (e.type === 'sample' ? [e.answer] : []));

let greedy: SolveResult[];

describe('strategies on tiny-arith', () => {
  it('greedy answers every prompt with a number and a confidence-token score', async () => {
    greedy = await solveAll({ kind: 'greedy' });
    expect(greedy.filter((r) => r.answer !== null).length).toBeGreaterThanOrEqual(27);
    for (const r of greedy) {
      expect(r.usage).toMatchObject({ samples: 1, engineCalls: 1 });
      expect(r.confidence).not.toBeNull();
    }
  });

  it('adaptive-consistency stops where its rule says, within its cap, and is reproducible', async () => {
    const results = await solveAll({ kind: 'adaptive-consistency' });
    for (const r of results) {
      expect(r.usage.samples).toBeGreaterThanOrEqual(4);
      expect(r.usage.samples).toBeLessThanOrEqual(16);
      const stop = r.trace.find((e) => e.type === 'stop')!;
      if (r.usage.samples < 16) expect(stop).toMatchObject({ rule: 'beta', numbers: { probability: expect.any(Number) } });
      if (stop.type === 'stop' && stop.rule === 'beta') expect(stop.numbers.probability).toBeGreaterThanOrEqual(0.95);
    }
    const again = await solveAll({ kind: 'adaptive-consistency' });
    expect(again.map((r) => [r.answer, r.usage.samples])).toEqual(results.map((r) => [r.answer, r.usage.samples]));
    // A model that agrees with itself at all stops early on some prompts; the mean stays under the cap.
    const agreeing = results.filter((r) => r.trace.some((e) => e.type === 'vote' && e.share >= 0.5)).length;
    if (agreeing > 0) expect(mean(results.map((r) => r.usage.samples))).toBeLessThan(16);
    console.info(`adaptive-consistency: mean ${mean(results.map((r) => r.usage.samples)).toFixed(2)} samples of 16`);
  });

  it('best-of-n with the arithmetic verifier picks a verified answer whenever a sample has one', async () => {
    const strategy: StrategySpec = { kind: 'best-of-n', n: 8, scorer: 'verifier', verifier: { kind: 'arithmetic' } };
    const results = await solveAll(strategy);
    results.forEach((r, i) => {
      const item = items[i]!;
      if (sampleAnswers(r).includes(item.answer)) expect(r.answer).toBe(item.answer);
      expect(r.confidence === 1).toBe(right(r, item));
      expect(r.usage).toMatchObject({ samples: 8, engineCalls: 1 });
    });
  });

  it('best-of-n with self-verification judges each distinct answer once', async () => {
    const results = await solveAll({ kind: 'best-of-n', n: 4, scorer: 'self-verify' });
    for (const r of results) {
      const distinct = new Set(sampleAnswers(r).filter((a) => a !== null)).size;
      expect(r.usage.engineCalls).toBe(1 + distinct);
      expect(r.trace.filter((e) => e.type === 'verify')).toHaveLength(distinct);
    }
  });

  it('a cascade with threshold 0 never runs `then`; with threshold 1 it always does', async () => {
    const never = await solveAll({ kind: 'cascade', signal: 'confidence-token', threshold: 0, then: { kind: 'self-consistency', n: 8 } });
    never.forEach((r, i) => {
      expect(r.usage.engineCalls).toBe(1);
      expect(r.answer).toBe(greedy[i]!.answer);
    });
    const always = await solveAll({ kind: 'cascade', signal: 'confidence-token', threshold: 1, then: { kind: 'adaptive-consistency' } });
    for (const r of always) {
      expect(r.trace.some((e) => e.type === 'decision' && e.choice === 'escalate to adaptive-consistency')).toBe(true);
      expect(r.usage.samples).toBeGreaterThanOrEqual(1 + 4);
    }
  });

  it.each<[string, StrategySpec]>([
    ['self-refine', { kind: 'self-refine', verifier: { kind: 'arithmetic' } }],
    ['self-refine ioe', { kind: 'self-refine', prompts: 'ioe', verifier: { kind: 'arithmetic' } }],
    ['wait', { kind: 'wait', maxNudges: 2, verifier: { kind: 'arithmetic' } }],
  ])('%s with a verifier never loses a right greedy draft and never returns a rejected revision', async (_name, strategy) => {
    const results = await solveAll(strategy);
    results.forEach((r, i) => {
      const item = items[i]!;
      if (right(greedy[i]!, item)) expect(r.answer).toBe(item.answer);
      // Only the draft itself can be a rejected answer: a revision must have been accepted to win.
      if (r.answer !== greedy[i]!.answer) expect(right(r, item)).toBe(true);
      expect(r.trace[0]).toMatchObject({ type: 'draft' });
    });
  });

  it.each<[string, StrategySpec]>([
    ['self-refine', { kind: 'self-refine' }],
    ['self-refine ioe', { kind: 'self-refine', prompts: 'ioe' }],
    ['wait', { kind: 'wait' }],
    ['verify-correct', { kind: 'verify-correct' }],
  ])('%s on self-verification returns answers and records every decision', async (_name, strategy) => {
    const results = await solveAll(strategy);
    expect(results.filter((r) => r.answer !== null).length).toBeGreaterThanOrEqual(27);
    for (const r of results) {
      const revisions = r.trace.filter((e) => e.type === 'revise' && e.from !== e.to && e.to !== null).length;
      const decisions = r.trace.filter((e) => e.type === 'decision').length;
      if (strategy.kind !== 'self-refine' || strategy.prompts !== 'ioe') expect(decisions).toBeGreaterThanOrEqual(Math.min(revisions, 1));
      expect(r.trace.some((e) => e.type === 'stop')).toBe(true);
    }
  });

  it('verify-correct: the final vote is among the verified whenever one is', async () => {
    const results = await solveAll({ kind: 'verify-correct', samples: 4, rounds: 2, verifier: { kind: 'arithmetic' } });
    results.forEach((r, i) => {
      const anyVerified = r.trace.some((e) => e.type === 'verify' && e.verdict === true);
      expect(right(r, items[i]!)).toBe(anyVerified);
    });
  });

  it('budgets hold on the real engine: maxSamples across a nested cascade', async () => {
    const results = await solveAll({ kind: 'cascade', signal: 'confidence-token', threshold: 1, then: { kind: 'self-consistency', n: 16 } });
    const capped = [];
    for (const item of items.slice(0, 5)) {
      capped.push(await runtime.solve({
        prompt: item.prompt,
        answer: { kind: 'number' },
        strategy: { kind: 'cascade', signal: 'confidence-token', threshold: 1, then: { kind: 'self-consistency', n: 16 } },
        budget: { maxSamples: 6 },
      }));
    }
    expect(results.every((r) => r.usage.samples === 17)).toBe(true);
    for (const r of capped) expect(r).toMatchObject({ budgetExhausted: true, usage: { samples: 6 } });
  });
});

describe('engine: an open assistant turn', () => {
  it('continueFinal renders the chat without closing the last message', async () => {
    const engine = await loadEngine({ model: findModel('tiny-arith'), engine: 'auto', device: 'auto', modelBase: bundledModelsFolder() });
    try {
      const open = await engine.countTokens({ messages: [{ role: 'user', content: '347+589' }, { role: 'assistant', content: '93' }], continueFinal: true });
      expect(open).toBe(await engine.countTokens({ text: '<s>347+589=93' }));
      const [g] = (await engine.generate({
        prompt: { messages: [{ role: 'user', content: '347+589' }, { role: 'assistant', content: '9' }], continueFinal: true },
        n: 1,
        temperature: 0,
        maxTokens: 6,
      })).generations;
      const [h] = (await engine.generate({ prompt: { text: '<s>347+589=9' }, n: 1, temperature: 0, maxTokens: 6 })).generations;
      expect(g!.text).toBe(h!.text);
    } finally {
      await engine.dispose();
    }
  });
});
