import type { SelfConsistencySpec } from '../types.js';
import { sampleDrafts, type Candidate } from './candidates.js';
import type { StrategyContext } from './context.js';
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
export async function selfConsistency(spec: SelfConsistencySpec, ctx: StrategyContext): Promise<StrategyOutcome> {
  let samples: Candidate[] = [];
  const decide = () => decideByVote(ctx, samples);
  return withinBudget(async () => {
    samples = await sampleDrafts(ctx, spec.n);
    return decide();
  }, decide);
}
