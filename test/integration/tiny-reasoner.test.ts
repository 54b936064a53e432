import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auroc } from '../../src/confidence/auroc.js';
import { createRuntime } from '../../src/index.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import type { SolveResult, StrategySpec } from '../../src/types.js';
import { loadReasonerHeldOut, loadReasonerReference } from '../helpers/reference.js';

/**
 * The bundled reasoning model through the runtime and the instruct pack real models use: its greedy chains
 * are the card's, its accuracy is the card's, voting over its diverse chains beats one sampled chain, and
 * every second thought of the pack gets a reply the pack can read.
 */

const reference = loadReasonerReference();
const heldOut = loadReasonerHeldOut();
let runtime: Runtime;

beforeAll(async () => {
  runtime = await createRuntime({ model: 'tiny-reasoner', cache: false });
});
afterAll(async () => {
  await runtime?.dispose();
});

// Whole held-out passes on one CPU core: minutes, not the suite's default two.
describe('tiny-reasoner through the runtime', { timeout: 360_000 }, () => {
  it('runs as an instruct model: ChatML, the pack’s system prompt, its tuned temperature', () => {
    const info = runtime.info();
    expect(info.model).toBe('tiny-reasoner');
    expect(info.capabilities).toMatchObject({ logprobs: true, continueAssistant: true, confidenceToken: false, contextLength: 1024 });
    expect(info.capabilities.topLogprobs).toBeGreaterThanOrEqual(5);
  });

  it('gives the 20 reference greedy chains of the model card', async () => {
    for (const fixed of reference.fixedPrompts) {
      const result = await runtime.solve({ messages: fixed.messages, answer: { kind: 'number' } });
      expect(result.text, fixed.messages.at(-1)!.content).toBe(fixed.completion);
      expect(result.answer).toBe(fixed.answer);
    }
  });

  it('scores within 2 points of the card on the whole held-out set, greedy', async () => {
    let right = 0;
    for (const item of heldOut) {
      const result = await runtime.solve({ prompt: item.prompt, answer: { kind: 'number' } });
      right += result.answer === item.answer ? 1 : 0;
    }
    expect(Math.abs(right / heldOut.length - reference.greedy.accuracy)).toBeLessThanOrEqual(0.02);
  });

  it('SC@8 over its diverse chains beats a single sampled chain, on 200 held-out questions', async () => {
    const items = heldOut.filter((_, i) => i % 5 === 0).slice(0, 200);
    let vote = 0;
    let single = 0;
    for (const [i, item] of items.entries()) {
      const result = await runtime.solve({ prompt: item.prompt, answer: { kind: 'number' }, strategy: { kind: 'self-consistency', n: 8 }, sampling: { seed: i } });
      vote += result.answer === item.answer ? 1 : 0;
      const first = result.trace.find((e) => e.type === 'sample' && e.index === 0);
      single += first?.type === 'sample' && first.answer === item.answer ? 1 : 0;
    }
    // The card: one sample at T=0.5 is right 73.1 % of the time, the vote of 8 83.5 % (+10.4 points; on 200
    // questions the difference has a standard deviation of about 2.5 points).
    expect(vote - single, `vote ${vote}, single sample ${single}`).toBeGreaterThanOrEqual(Math.round(0.06 * items.length));
  });

  it('averaging 4 verification replies ranks right and wrong greedy answers better than the greedy reply alone', async () => {
    const items = heldOut.filter((_, i) => i % 10 === 7).slice(0, 100);
    const scored: Record<1 | 4, Array<{ signal: number; correct: boolean }>> = { 1: [], 4: [] };
    for (const [i, item] of items.entries()) {
      for (const verifications of [1, 4] as const) {
        // A cascade whose threshold is never reached reports P(yes) of the greedy answer and then returns it.
        const strategy: StrategySpec = { kind: 'cascade', signal: 'self-verify', threshold: 1, verifications, then: { kind: 'greedy' } };
        const result = await runtime.solve({ prompt: item.prompt, answer: { kind: 'number' }, strategy, sampling: { seed: i } });
        const signal = result.trace.find((e) => e.type === 'confidence' && e.signal === 'self-verify');
        if (signal?.type === 'confidence' && signal.value !== null) scored[verifications].push({ signal: signal.value, correct: result.answer === item.answer });
      }
    }
    const [one, four] = [auroc(scored[1])!, auroc(scored[4])!];
    // On these 100 questions: 0.711 with one reply, 0.847 with four (on the first 300 held-out: 0.681 and 0.766).
    expect(scored[4].length).toBe(items.length);
    expect(four - one, `AUROC ${one.toFixed(3)} with one reply, ${four.toFixed(3)} with four`).toBeGreaterThanOrEqual(0.04);
  });

  it('every instruct-pack step returns a reply the pack reads, on 50 questions', async () => {
    const items = heldOut.filter((_, i) => i % 20 === 3).slice(0, 50);
    const tally: Record<string, { ok: number; all: number }> = {};
    const count = (step: string, ok: boolean) => {
      const t = (tally[step] ??= { ok: 0, all: 0 });
      t.all++;
      t.ok += ok ? 1 : 0;
    };
    const specs: StrategySpec[] = [
      { kind: 'self-refine', maxRounds: 1 },
      { kind: 'self-refine', prompts: 'ioe', maxRounds: 1 },
      { kind: 'wait' },
    ];
    for (const [i, item] of items.entries()) {
      for (const spec of specs) {
        const result: SolveResult = await runtime.solve({ prompt: item.prompt, answer: { kind: 'number' }, strategy: spec, sampling: { seed: i } });
        for (const e of result.trace) {
          if (e.type === 'verify' && e.by === 'self-verify') {
            count('verify', e.verdict !== null);
            count('verify: P(Yes) where the verdict was written', e.score !== null);
          }
          if (e.type === 'critique') count('critique', e.says !== 'unclear');
          if (e.type === 'revise') count(spec.kind === 'wait' ? 'nudge' : 'refine, review or reconcile', e.to !== null);
        }
      }
    }
    for (const step of ['verify', 'verify: P(Yes) where the verdict was written', 'critique', 'refine, review or reconcile', 'nudge']) {
      const t = tally[step];
      expect(t, step).toBeDefined();
      expect(t!.ok / t!.all, `${step}: ${t!.ok}/${t!.all}`).toBeGreaterThanOrEqual(0.95);
    }
  });
});
