/** Runs labelled questions through the runtime with several strategies and scores accuracy and cost. */
import { isAbortError, AbortError, type AnswerSpec, type Runtime, type StrategySpec } from '../browser.js';
import type { EvalItem } from './eval-data.js';
import { describeSpec } from './strategy-forms.js';

export interface Score {
  label: string;
  spec: StrategySpec;
  /** Questions answered so far (errors included). */
  questions: number;
  correct: number;
  completionTokens: number;
  ms: number;
  /** Questions whose solve threw (counted as wrong). */
  failures: number;
}

export const accuracy = (s: Score) => (s.questions ? s.correct / s.questions : 0);
export const tokensPerQuestion = (s: Score) => (s.questions ? s.completionTokens / s.questions : 0);
export const msPerQuestion = (s: Score) => (s.questions ? s.ms / s.questions : 0);

/** Numbers compare as numbers ("007" = "7"); other answers trimmed and case-insensitively. */
export function sameAnswer(got: string | null, expected: string): boolean {
  if (got === null) return false;
  const a = got.trim();
  const b = expected.trim();
  if (a !== '' && b !== '' && Number.isFinite(Number(a)) && Number.isFinite(Number(b))) return Number(a) === Number(b);
  return a.toLowerCase() === b.toLowerCase();
}

export interface EvaluateOptions {
  runtime: Runtime;
  items: readonly EvalItem[];
  specs: readonly StrategySpec[];
  answer: AnswerSpec;
  signal: AbortSignal;
  /** After every question: the scores so far (the current strategy's last). */
  onProgress(done: number, total: number, scores: readonly Score[]): void;
}

export async function evaluate(options: EvaluateOptions): Promise<Score[]> {
  const { runtime, items, specs, answer, signal } = options;
  const scores: Score[] = [];
  const total = items.length * specs.length;
  let done = 0;
  for (const spec of specs) {
    const score: Score = { label: describeSpec(spec), spec, questions: 0, correct: 0, completionTokens: 0, ms: 0, failures: 0 };
    scores.push(score);
    for (const [i, item] of items.entries()) {
      if (signal.aborted) throw new AbortError('Evaluation cancelled');
      try {
        // Bypass the cache: a cached answer costs no tokens, which would flatter the chart. Seeds per
        // question make every strategy see the same draws and a rerun give the same figures.
        const result = await runtime.solve({ prompt: item.prompt, strategy: spec, answer, sampling: { seed: i + 1 }, cache: 'bypass', signal });
        score.correct += sameAnswer(result.answer, item.answer) ? 1 : 0;
        score.completionTokens += result.usage.completionTokens;
        score.ms += result.usage.ms;
      } catch (error) {
        if (signal.aborted || isAbortError(error)) throw new AbortError('Evaluation cancelled');
        score.failures++;
      }
      score.questions++;
      options.onProgress(++done, total, scores);
    }
  }
  return scores;
}
