/**
 * One strategy over a list of questions as every strategy bench measures it: each question solved with the
 * seed 7i + 1 (so two rows see the same sampling streams), answers compared exactly with the reference.
 */
import type { Runtime } from '../src/index.js';
import type { SolveResult, StrategySpec } from '../src/types.js';
import { loadReasonerHeldOut, loadReasonerValidation } from '../test/helpers/reference.js';

export interface BenchItem {
  prompt: string;
  answer: string;
}

/** tiny-reasoner's held-out questions, as many as BENCH_REASONER_PROMPTS says (all 1,000 by default). */
export const reasonerHeldOut = () => loadReasonerHeldOut().slice(0, Number(process.env.BENCH_REASONER_PROMPTS ?? 1000));

/** tiny-reasoner's validation questions, as many as BENCH_VALIDATION_PROMPTS says (all 300 by default). */
export const reasonerValidation = () => loadReasonerValidation().slice(0, Number(process.env.BENCH_VALIDATION_PROMPTS ?? 300));

export interface StrategyRow {
  name: string;
  spec: StrategySpec;
  accuracy: number;
  meanTokens: number;
  meanSamples: number;
  meanMs: number;
  /** Questions whose result says the budget ran out. */
  budgetExhausted: number;
}

export async function solveItems(
  runtime: Runtime,
  name: string,
  spec: StrategySpec,
  items: readonly BenchItem[],
  onResult: (result: SolveResult, index: number) => void = () => {},
): Promise<StrategyRow> {
  let right = 0;
  let tokens = 0;
  let samples = 0;
  let ms = 0;
  let exhausted = 0;
  for (const [i, item] of items.entries()) {
    const result = await runtime.solve({ prompt: item.prompt, answer: { kind: 'number' }, strategy: spec, sampling: { seed: 7 * i + 1 } });
    onResult(result, i);
    right += result.answer === item.answer ? 1 : 0;
    tokens += result.usage.completionTokens;
    samples += result.usage.samples;
    ms += result.usage.ms;
    exhausted += result.budgetExhausted ? 1 : 0;
  }
  const n = items.length;
  const row = { name, spec, accuracy: right / n, meanTokens: tokens / n, meanSamples: samples / n, meanMs: ms / n, budgetExhausted: exhausted };
  console.error(`${name.padEnd(44)} acc ${(row.accuracy * 100).toFixed(1)}%  tokens ${row.meanTokens.toFixed(1)}  samples ${row.meanSamples.toFixed(2)}  ${row.meanMs.toFixed(1)} ms`);
  return row;
}
