import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime, type SolveResult, type StrategySpec } from '../../src/index.js';
import { heldOutSample, loadReference } from '../helpers/reference.js';

/** The runtime in Node (in-process, onnxruntime-node) on the bundled model. */

const reference = loadReference();
let runtime: Runtime;

beforeAll(async () => {
  runtime = await createRuntime({ cache: false });
});
afterAll(async () => {
  await runtime?.dispose();
});

describe('createRuntime in Node', () => {
  it('reports the bundled model on the CPU, in-process', () => {
    expect(runtime.info()).toMatchObject({ model: 'tiny-arith', engine: 'transformers', device: 'cpu', worker: false, fallback: null });
    expect(runtime.info().capabilities).toMatchObject({ batchedSampling: true, confidenceToken: true, contextLength: 64 });
  });

  it('greedy answers equal the model card, with the card confidence', async () => {
    for (const fixed of reference.fixedPrompts) {
      const result = await runtime.solve({ prompt: fixed.prompt, answer: { kind: 'number' } });
      expect(result.text).toBe(fixed.completion.replace(/<CN>|<UN>/, ''));
      expect(result.answer).toBe(fixed.completion.replace(/<CN>|<UN>/, ''));
      expect(result.confidence).toBeCloseTo(fixed.confidence, 3);
    }
  });

  // The issue asked for "SC@8 beats greedy" here. tiny-arith answers directly, with no reasoning between
  // question and answer, so a vote converges on its most probable answer: on the held-out set the right
  // answer is more probable than the greedy one for 4 of 558 wrong drafts (MODEL_CARD.md, "Why voting
  // barely helps"). What must hold is that SC@8 costs one batched call and loses nothing; the second
  // thought that does pay on this model is a verifier, asserted in the next test.
  /** Right answers of greedy and of `strategy` on the same 200 held-out prompts, seeded per prompt. */
  async function againstGreedy(strategy: StrategySpec, seedBase: number, temperature?: number, check?: (r: SolveResult) => void) {
    let greedyRight = 0;
    let strategyRight = 0;
    for (const [i, item] of heldOutSample(200).entries()) {
      const greedy = await runtime.solve({ prompt: item.prompt, answer: { kind: 'number' } });
      const result = await runtime.solve({ prompt: item.prompt, answer: { kind: 'number' }, strategy, sampling: { seed: seedBase + i, temperature } });
      check?.(result);
      greedyRight += greedy.answer === item.answer ? 1 : 0;
      strategyRight += result.answer === item.answer ? 1 : 0;
    }
    console.log(`greedy ${greedyRight}/200, ${strategy.kind} ${strategyRight}/200`);
    return { greedyRight, strategyRight };
  }

  // The issue asked for "SC@8 beats greedy" here. tiny-arith answers directly, with no reasoning between
  // question and answer, so a vote converges on its most probable answer: on the held-out set the right
  // answer is more probable than the greedy one for 4 of 558 wrong drafts (MODEL_CARD.md, "Why voting
  // barely helps"). What must hold is that SC@8 costs one batched call and loses nothing; the second
  // thought that does pay on this model is a verifier, asserted in the next test.
  it('SC@8 is one engine call and scores within a point of greedy on 200 held-out prompts', async () => {
    const { greedyRight, strategyRight } = await againstGreedy({ kind: 'self-consistency', n: 8 }, 1000, undefined, (sc) =>
      expect(sc.usage).toMatchObject({ engineCalls: 1, samples: 8 }),
    );
    expect(strategyRight).toBeGreaterThanOrEqual(greedyRight - 2);
  });

  it('a second thought with evidence beats greedy: Best-of-8 with the arithmetic verifier, 200 held-out prompts', async () => {
    const { greedyRight, strategyRight } = await againstGreedy(
      { kind: 'best-of-n', n: 8, scorer: 'verifier', verifier: { kind: 'arithmetic' } },
      2000,
      1,
    );
    expect(strategyRight).toBeGreaterThanOrEqual(greedyRight + 6);
  });

  it('the same seed gives the same samples', async () => {
    const request = { prompt: '347+589', strategy: { kind: 'self-consistency' as const, n: 8 }, sampling: { seed: 42 } };
    const a = await runtime.solve(request);
    const b = await runtime.solve(request);
    const samples = (r: typeof a) => r.trace.filter((e) => e.type === 'sample').map((e) => (e.type === 'sample' ? e.text : ''));
    expect(samples(a)).toEqual(samples(b));
  });

  it('a prompt longer than the context fails with ContextLengthError', async () => {
    await expect(runtime.solve({ prompt: '1+'.repeat(40) + '1' })).rejects.toMatchObject({ name: 'ContextLengthError' });
  });
});
