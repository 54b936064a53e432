import { betaAboveHalf } from '../confidence/beta.js';
import { dirichletLeaderProbability } from '../confidence/dirichlet.js';
import type { StoppingCriterion } from '../types.js';


/** The Dirichlet rule looks at this many of the most common answers. */
export const DIRICHLET_TOP_K = 5;

export interface RuleCheck {
  stop: boolean;
  reason: string;
  numbers: Record<string, number>;
}

/**
 * Whether sampling may stop, given the vote counts of the answers so far (most common first; samples
 * without an answer are not votes). As in the paper's code: Beta compares the top two counts; Dirichlet
 * falls back to Beta with fewer than three answers; entropy adds a pseudo-count of 1 when only one answer
 * was seen and is normalised by log2(distinct answers); entropy and majority never stop on one vote.
 */
export function checkRule(criterion: StoppingCriterion, threshold: number, counts: readonly number[]): RuleCheck {
  const total = counts.reduce((s, c) => s + c, 0);
  if (total === 0) return { stop: false, reason: 'no answers yet', numbers: { votes: 0, threshold } };
  switch (criterion) {
    case 'beta':
      return beta(threshold, counts);
    case 'dirichlet': {
      if (counts.length < 3) {
        const check = beta(threshold, counts);
        return { ...check, reason: `${check.reason} (Beta: fewer than 3 answers)` };
      }
      const top = counts.slice(0, DIRICHLET_TOP_K);
      const probability = dirichletLeaderProbability(top);
      return {
        stop: probability >= threshold,
        reason: `P(leader is the most likely of the top ${top.length} | Dirichlet) = ${probability.toFixed(4)} ${cmp(probability >= threshold)} ${threshold}`,
        numbers: { probability, threshold, answers: counts.length, leader: counts[0]!, votes: total },
      };
    }
    case 'entropy': {
      const spread = counts.length < 2 ? [...counts, 1] : [...counts];
      const sum = spread.reduce((s, c) => s + c, 0);
      const entropy = -spread.reduce((s, c) => s + (c / sum) * Math.log2(c / sum), 0);
      const normalized = entropy / Math.log2(spread.length);
      const stop = total >= 2 && normalized <= threshold;
      return {
        stop,
        reason: `normalised entropy ${normalized.toFixed(4)} ${stop ? '<=' : total >= 2 ? '>' : '(one vote)'} ${threshold}`,
        numbers: { normalizedEntropy: normalized, threshold, answers: counts.length, votes: total },
      };
    }
    case 'majority': {
      const share = counts[0]! / total;
      const stop = total >= 2 && share >= threshold;
      return {
        stop,
        reason: `leader share ${counts[0]}/${total} = ${share.toFixed(4)} ${stop ? '>=' : total >= 2 ? '<' : '(one vote)'} ${threshold}`,
        numbers: { share, threshold, leader: counts[0]!, votes: total },
      };
    }
  }
}

function beta(threshold: number, counts: readonly number[]): RuleCheck {
  const a = counts[0] ?? 0;
  const b = counts[1] ?? 0;
  const probability = betaAboveHalf(a, b);
  const stop = probability >= threshold;
  return {
    stop,
    reason: `${a}–${b}: P(p > 0.5 | Beta(${a + 1}, ${b + 1})) = ${probability.toFixed(4)} ${cmp(stop)} ${threshold}`,
    numbers: { a, b, probability, threshold },
  };
}

const cmp = (stop: boolean) => (stop ? '>=' : '<');

/**
 * The next batch: the fewest further samples after which the rule could hold, i.e. if every one of them
 * agreed with the leader (that is the allocation that brings each rule closest to stopping). No stop is
 * possible sooner, so batching this many never draws a sample that sampling one at a time would not; when
 * the rule cannot hold within `remaining`, the rest are drawn together.
 */
export function nextBatch(criterion: StoppingCriterion, threshold: number, counts: readonly number[], remaining: number): number {
  for (let k = 1; k <= remaining; k++) {
    const hoped = [(counts[0] ?? 0) + k, ...counts.slice(1)];
    if (checkRule(criterion, threshold, hoped).stop) return k;
  }
  return remaining;
}
