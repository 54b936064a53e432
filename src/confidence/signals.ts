import type { TokenStep } from '../engine/engine.js';

export interface ConfidenceTokens {
  confident: string;
  unsure: string;
}

/**
 * Self-REF score: P(confident) / (P(confident) + P(unsure)) at the position where the model emitted its
 * confidence token. Null when the model emitted neither or the engine could not report both probabilities.
 */
export function confidenceTokenScore(steps: readonly TokenStep[], tokens: ConfidenceTokens): number | null {
  const step = steps.find((s) => s.token === tokens.confident || s.token === tokens.unsure);
  return step ? binaryScore(step, tokens.confident, tokens.unsure) : null;
}

/** P(yes) / (P(yes) + P(no)) at one step, from the watched log-probabilities. */
export function binaryScore(step: TokenStep, yes: string, no: string): number | null {
  const lpYes = step.watched?.[yes];
  const lpNo = step.watched?.[no];
  if (lpYes === undefined || lpNo === undefined) return null;
  if (lpYes === -Infinity && lpNo === -Infinity) return null;
  const max = Math.max(lpYes, lpNo);
  const a = Math.exp(lpYes - max);
  const b = Math.exp(lpNo - max);
  return a / (a + b);
}

/** Mean log-probability of the content tokens (confidence tokens excluded: they are not the answer). */
export function meanLogprob(steps: readonly TokenStep[], exclude: readonly string[] = []): number | null {
  const content = steps.filter((s) => !exclude.includes(s.token));
  if (content.length === 0) return null;
  return content.reduce((sum, s) => sum + s.logprob, 0) / content.length;
}

/** Geometric-mean token probability, a 0..1 confidence for models without a trained confidence token. */
export function sequenceProbability(steps: readonly TokenStep[], exclude: readonly string[] = []): number | null {
  const mean = meanLogprob(steps, exclude);
  return mean === null ? null : Math.exp(mean);
}
