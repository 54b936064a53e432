import { z } from 'zod';
import { toCandidate, watchTokensFor, type Candidate } from './candidates.js';
import type { StrategyContext } from './context.js';
import { defineStrategy } from './define.js';
import { stepModel } from './fields.js';
import { fromCandidate, NO_ANSWER, withinBudget, type StrategyOutcome } from './outcome.js';
import { greedyGenerate } from './steps.js';

/**
 * One greedy draft; confidence from the model's confidence token where it has one. Remembered per request,
 * so strategies that start from a draft (a cascade's fallback, self-refine, wait) share one engine call.
 */
export async function draftGreedy(ctx: StrategyContext): Promise<Candidate> {
  const { generation, fresh } = await greedyGenerate(ctx, { prompt: ctx.pack.draft(ctx.question), watchTokens: watchTokensFor(ctx) });
  const candidate = toCandidate(generation, ctx, 0);
  if (fresh) {
    ctx.emit({ type: 'draft', text: candidate.text, answer: candidate.answer, tokens: generation.steps.length });
    ctx.emit({ type: 'confidence', signal: candidate.confidenceSource, value: candidate.confidence });
  }
  return candidate;
}

export const greedy = defineStrategy({
  kind: 'greedy',
  label: 'Greedy',
  describe: 'One answer at temperature 0: the baseline, one engine call.',
  schema: z.object({ kind: z.literal('greedy'), model: stepModel() }).strict(),
  form: {},
  run: (_spec, ctx) =>
    withinBudget(
      async () => {
        const draft = await draftGreedy(ctx);
        return fromCandidate(draft, draft.confidence);
      },
      () => NO_ANSWER,
    ),
});

export type GreedySpec = z.input<typeof greedy.schema>;
