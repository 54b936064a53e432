import type { GreedySpec } from '../types.js';
import { toCandidate, watchTokensFor, type Candidate } from './candidates.js';
import type { StrategyContext } from './context.js';
import { fromCandidate, NO_ANSWER, withinBudget, type StrategyOutcome } from './outcome.js';

/** One greedy draft; confidence from the model's confidence token where it has one. */
export async function draftGreedy(ctx: StrategyContext): Promise<Candidate> {
  const [generation] = await ctx.generate({
    prompt: ctx.pack.draft(ctx.question),
    n: 1,
    temperature: 0,
    watchTokens: watchTokensFor(ctx),
  });
  const candidate = toCandidate(generation!, ctx, 0);
  ctx.emit({ type: 'draft', text: candidate.text, answer: candidate.answer, tokens: generation!.steps.length });
  ctx.emit({ type: 'confidence', signal: candidate.confidenceSource, value: candidate.confidence });
  return candidate;
}

export function greedy(_spec: GreedySpec, ctx: StrategyContext): Promise<StrategyOutcome> {
  return withinBudget(
    async () => {
      const draft = await draftGreedy(ctx);
      return fromCandidate(draft, draft.confidence);
    },
    () => NO_ANSWER,
  );
}
