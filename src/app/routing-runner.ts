/** Runs labelled questions on both models (one always-escalating cascade each) and judges both answers. */
import { AbortError, isAbortError, recordRouting, type AnswerSpec, type CascadeSignal, type RoutedQuestion, type Runtime, type StrategySpec } from '../browser.js';
import type { EvalItem } from './eval-data.js';
import { sameAnswer } from './eval-runner.js';
import { LOCAL_MODEL, SERVER_MODEL } from './session.js';

export interface RoutingRow extends RoutedQuestion {
  prompt: string;
  expected: string;
  smallAnswer: string | null;
  largeAnswer: string | null;
  /** This question picks the threshold rather than scoring it (see `splitForPicking`). */
  picks: boolean;
}

export interface RoutingRunOptions {
  runtime: Runtime;
  items: readonly EvalItem[];
  answer: AnswerSpec;
  signal: CascadeSignal;
  /** What the server model runs when a question escalates. */
  large: StrategySpec;
  abort: AbortSignal;
  /** After every question, with the rows so far. */
  onProgress(done: number, total: number, rows: readonly RoutingRow[]): void;
}

/**
 * Every third question picks the threshold and the others score it. Not the first third: the questions are
 * spread over a set ordered by kind (the bundled set by operator), so its head would be one kind only.
 */
export const picksThreshold = (index: number) => index % 3 === 0;

export function splitForPicking<T extends { picks: boolean }>(rows: readonly T[]): { pick: T[]; scored: T[] } {
  return { pick: rows.filter((r) => r.picks), scored: rows.filter((r) => !r.picks) };
}

/** Stops at the first failure (a server that went away, a 401): a curve with holes would not be the large model's. */
export async function runRouting(options: RoutingRunOptions): Promise<RoutingRow[]> {
  const { runtime, items, answer, abort } = options;
  const rows: RoutingRow[] = [];
  for (const [i, item] of items.entries()) {
    if (abort.aborted) throw new AbortError('Routing cancelled');
    try {
      // Seeded per question and past the cache, as the strategy evaluation is: reruns give the same curve
      // and cached answers would cost no tokens.
      const record = await recordRouting(
        runtime,
        { prompt: item.prompt, answer, sampling: { seed: i + 1 }, cache: 'bypass', signal: abort },
        { signal: options.signal, large: options.large, models: { small: LOCAL_MODEL, large: SERVER_MODEL } },
      );
      rows.push({
        ...record,
        prompt: item.prompt,
        expected: item.answer,
        smallCorrect: sameAnswer(record.smallAnswer, item.answer),
        largeCorrect: sameAnswer(record.largeAnswer, item.answer),
        picks: picksThreshold(i),
      });
    } catch (error) {
      if (abort.aborted || isAbortError(error)) throw new AbortError('Routing cancelled');
      throw error;
    }
    options.onProgress(i + 1, items.length, rows);
  }
  return rows;
}
