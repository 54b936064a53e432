import { z } from 'zod';
import { sampleDrafts, type Candidate } from './candidates.js';
import type { StrategyContext } from './context.js';
import { defineStrategy } from './define.js';
import { sampleCount, stepModel } from './fields.js';
import { fromCandidate, withinBudget, type StrategyOutcome } from './outcome.js';
import { majorityVote } from './vote.js';

/** The majority answer of the samples, recorded in the trace; its confidence is the vote share. */
export function decideByVote(ctx: StrategyContext, samples: readonly Candidate[]): StrategyOutcome {
  const vote = majorityVote(samples);
  ctx.emit({ type: 'vote', counts: vote.counts, leader: vote.leader, share: vote.share });
  if (vote.tieBrokenByLogprob) {
    ctx.emit({ type: 'decision', choice: String(vote.leader), reason: 'tied vote broken by higher mean log-prob' });
  }
  return fromCandidate(vote.representative, vote.leader === null ? null : vote.share);
}

/** Self-consistency (Wang et al.): n samples in one batched call, majority over their extracted answers. */
export const selfConsistency = defineStrategy({
  kind: 'self-consistency',
  label: 'Self-consistency',
  describe: 'Sample n answers in one batched call and take the majority (Wang et al.).',
  schema: z.object({ kind: z.literal('self-consistency'), n: sampleCount(), model: stepModel() }).strict(),
  form: { n: { label: 'Samples (n)', initial: 8 } },
  run(spec, ctx) {
    let samples: Candidate[] = [];
    const decide = () => decideByVote(ctx, samples);
    return withinBudget(async () => {
      samples = await sampleDrafts(ctx, spec.n);
      return decide();
    }, decide);
  },
});

export type SelfConsistencySpec = z.input<typeof selfConsistency.schema>;
