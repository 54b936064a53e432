import type { Claim } from '../prompts/pack.js';
import type { VerifyCorrectSpec } from '../types.js';
import { sampleDrafts, type Candidate } from './candidates.js';
import type { StrategyContext } from './context.js';
import { decide, feedbackFor, revise } from './correction.js';
import { judge, type Evidence } from './judge.js';
import { fromCandidate, withinBudget, type StrategyOutcome } from './outcome.js';
import { majorityVote } from './vote.js';

export const VC_DEFAULTS = { samples: 4, rounds: 2 } as const;

interface Track {
  index: number;
  claim: Claim;
  /** The sample's; a correction has none. Breaks tied votes. */
  meanLogprob: number | null;
  evidence: Evidence | null;
  /** A correction was refused by the trust rule: the same greedy correction would come back again. */
  settled: boolean;
}

/**
 * SETS (Chen et al., 2025): sample `samples` answers in one batched call, judge each (self-verification,
 * or the spec's verifier), ask the model to correct the ones that fail for up to `rounds`, then vote among
 * the verified answers (among all, when none is verified). A correction replaces its sample only under the
 * trust rule.
 */
export async function verifyCorrect(spec: VerifyCorrectSpec, ctx: StrategyContext): Promise<StrategyOutcome> {
  const rounds = spec.rounds ?? VC_DEFAULTS.rounds;
  let tracks: Track[] = [];

  const finish = (): StrategyOutcome => {
    const verified = tracks.filter((t) => t.evidence?.verdict === true);
    const pool = verified.length > 0 ? verified : tracks;
    const vote = majorityVote(pool.map(asCandidate));
    ctx.emit({ type: 'vote', counts: vote.counts, leader: vote.leader, share: vote.share });
    if (vote.leader !== null) {
      ctx.emit({
        type: 'decision',
        choice: vote.leader,
        reason: verified.length > 0 ? `majority of the ${verified.length} verified of ${tracks.length}` : `none of ${tracks.length} verified; majority of all`,
      });
    }
    return fromCandidate(vote.representative, vote.leader === null ? null : vote.share);
  };

  return withinBudget(
    async () => {
      const samples = await sampleDrafts(ctx, spec.samples ?? VC_DEFAULTS.samples);
      tracks = samples.map((c) => ({ index: c.index, claim: { text: c.text, answer: c.answer }, meanLogprob: c.meanLogprob, evidence: null, settled: false }));
      for (const track of tracks) track.evidence = await judge(ctx, track.claim, spec.verifier);

      for (let round = 1; round <= rounds; round++) {
        const failing = tracks.filter((t) => t.evidence!.verdict !== true && !t.settled && t.claim.answer !== null);
        if (failing.length === 0) {
          ctx.emit({ type: 'stop', rule: 'all-verified', reason: `no sample left to correct after round ${round - 1}`, numbers: { round: round - 1 } });
          return finish();
        }
        for (const track of failing) {
          const feedback = await feedbackFor(ctx, track.claim, track.evidence!);
          const revised = await revise(ctx, track.claim, feedback);
          if (!revised) {
            track.settled = true;
            continue;
          }
          const evidence = await judge(ctx, revised, spec.verifier);
          if (decide(ctx, track.evidence!, evidence, `sample ${track.index}'s`)) {
            track.claim = revised;
            track.evidence = evidence;
            track.meanLogprob = null;
          } else {
            track.settled = true;
          }
        }
      }
      if (rounds > 0) ctx.emit({ type: 'stop', rule: 'max-rounds', reason: `${rounds} correction rounds done`, numbers: { rounds } });
      return finish();
    },
    finish,
  );
}

function asCandidate(track: Track): Candidate {
  return {
    index: track.index,
    text: track.claim.text,
    answer: track.claim.answer,
    meanLogprob: track.meanLogprob,
    confidence: track.evidence?.score ?? null,
    confidenceSource: 'sequence-probability',
  };
}
