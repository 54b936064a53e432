/**
 * The routing curve: "answer on the small model, escalate to the large one when the signal is below t"
 * against "always the large one", over thresholds t. One definition for `npm run bench` and the app's
 * Evaluate tab, so the figure in docs/benchmarks.md and the plot a person draws are the same arithmetic.
 *
 * The input is one record per question with both answers judged (from `recordRouting`, which runs a
 * cascade that always escalates); the point at t takes the small answer where the signal reaches t, which
 * is what a cascade with threshold t returns. A question without a signal value escalates at every t, as
 * the cascade does.
 */

export interface RoutedQuestion {
  /** Whether the small model's answer was right. */
  smallCorrect: boolean;
  /** Whether the large model's answer was right. */
  largeCorrect: boolean;
  /** The cascade signal's value on the small answer; null when it had none. */
  signal: number | null;
  /** Completion tokens the small model spent (its draft, and its self-verification where that is the signal). */
  smallTokens: number;
  /** Completion tokens the large model spent on the question. */
  largeTokens: number;
}

export interface RoutingPoint {
  threshold: number;
  accuracy: number;
  /** Share of questions sent to the large model (its calls, relative to always calling it). */
  largeCallShare: number;
  /** The large model's tokens, relative to what always calling it spends (0 when it spent none at all). */
  largeTokenShare: number;
  /** Completion tokens per question, both models together. */
  tokensPerQuestion: number;
}

/** 0, 0.01, …, 1: fine enough that no confidence value of a few hundred questions falls between two steps unseen. */
export const ROUTING_THRESHOLDS: readonly number[] = Array.from({ length: 101 }, (_, k) => k / 100);

const accepts = (q: RoutedQuestion, threshold: number) => q.signal !== null && q.signal >= threshold;

function share(questions: readonly RoutedQuestion[], test: (q: RoutedQuestion) => boolean): number {
  return questions.filter(test).length / questions.length;
}

function nonEmpty(questions: readonly RoutedQuestion[], what: string): void {
  if (questions.length === 0) throw new RangeError(`the routing curve needs at least one question to ${what}`);
}

/** One point per threshold, in the thresholds' order. */
export function routingCurve(questions: readonly RoutedQuestion[], thresholds: readonly number[] = ROUTING_THRESHOLDS): RoutingPoint[] {
  nonEmpty(questions, 'score');
  const allLargeTokens = questions.reduce((sum, q) => sum + q.largeTokens, 0);
  return thresholds.map((threshold) => {
    let right = 0;
    let escalated = 0;
    let largeTokens = 0;
    let tokens = 0;
    for (const q of questions) {
      const accept = accepts(q, threshold);
      right += (accept ? q.smallCorrect : q.largeCorrect) ? 1 : 0;
      escalated += accept ? 0 : 1;
      largeTokens += accept ? 0 : q.largeTokens;
      tokens += q.smallTokens + (accept ? 0 : q.largeTokens);
    }
    const n = questions.length;
    return { threshold, accuracy: right / n, largeCallShare: escalated / n, largeTokenShare: allLargeTokens ? largeTokens / allLargeTokens : 0, tokensPerQuestion: tokens / n };
  });
}

export interface RoutingStudyOptions {
  /** How far below always-large a threshold may score and still count, 0..1. Default 0.01 (one point). */
  tolerance?: number;
  thresholds?: readonly number[];
}

export interface RoutingStudy {
  pickQuestions: number;
  scoredQuestions: number;
  /** Accuracy of the small model alone and of the large one alone, on the scored questions. */
  smallOnly: number;
  alwaysLarge: number;
  /** The curve on the scored questions. */
  curve: RoutingPoint[];
  /** The cheapest threshold (fewest large calls; the lowest t among equals) within `tolerance` of always-large on the picking questions; null when none. */
  chosenThreshold: number | null;
  /** That threshold's point on the scored questions. */
  atChosen: RoutingPoint | null;
}

/**
 * The threshold is chosen on `pick` and scored on `scored`, never on the questions it is scored on (a
 * threshold fitted to the questions that report it flatters itself). Callers decide the split.
 */
export function routingStudy(pick: readonly RoutedQuestion[], scored: readonly RoutedQuestion[], options: RoutingStudyOptions = {}): RoutingStudy {
  nonEmpty(pick, 'pick a threshold on');
  nonEmpty(scored, 'score');
  const tolerance = options.tolerance ?? 0.01;
  const thresholds = options.thresholds ?? ROUTING_THRESHOLDS;
  const pickLarge = share(pick, (q) => q.largeCorrect);
  // A hair of slack: 0.96 - 0.01 is not 0.95 in floating point, and "within one point" includes one point.
  const good = routingCurve(pick, thresholds).filter((p) => p.accuracy >= pickLarge - tolerance - 1e-9);
  // Stable sort: among thresholds with as many large calls, the lowest (the first) wins.
  const chosen = good.sort((a, b) => a.largeCallShare - b.largeCallShare)[0] ?? null;
  const curve = routingCurve(scored, thresholds);
  return {
    pickQuestions: pick.length,
    scoredQuestions: scored.length,
    smallOnly: share(scored, (q) => q.smallCorrect),
    alwaysLarge: share(scored, (q) => q.largeCorrect),
    curve,
    chosenThreshold: chosen?.threshold ?? null,
    atChosen: chosen ? curve[thresholds.indexOf(chosen.threshold)]! : null,
  };
}
