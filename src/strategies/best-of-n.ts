import type { BestOfNSpec } from '../types.js';
import { sampleDrafts, type Candidate } from './candidates.js';
import type { StrategyContext } from './context.js';
import { fromCandidate, withinBudget, type StrategyOutcome } from './outcome.js';

/** Best-of-N: n samples, keep the one the scorer ranks highest (among those with an answer). */
export async function bestOfN(spec: BestOfNSpec, ctx: StrategyContext): Promise<StrategyOutcome> {
  let samples: Candidate[] = [];
  const pick = (): StrategyOutcome => {
    const scored = samples
      .filter((c) => c.answer !== null)
      .map((c) => ({ c, score: score(spec, c) }))
      .sort((a, b) => b.score - a.score);
    const best = scored[0];
    if (!best) return fromCandidate(null, null);
    const source = spec.scorer === 'confidence' ? best.c.confidenceSource : 'mean log-prob';
    ctx.emit({
      type: 'decision',
      choice: String(best.c.answer),
      reason: `sample ${best.c.index} has the highest ${source} (${best.score.toFixed(3)}) of ${scored.length}`,
    });
    const confidence = spec.scorer === 'confidence' ? best.c.confidence : Math.exp(best.c.meanLogprob ?? -Infinity);
    return fromCandidate(best.c, confidence);
  };
  return withinBudget(async () => {
    samples = await sampleDrafts(ctx, spec.n);
    return pick();
  }, pick);
}

function score(spec: BestOfNSpec, c: Candidate): number {
  if (spec.scorer === 'confidence') return c.confidence ?? -Infinity;
  return c.meanLogprob ?? -Infinity;
}
