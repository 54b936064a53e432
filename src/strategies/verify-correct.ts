import type { Claim } from '../prompts/pack.js';
import { z } from 'zod';
import { verifierSchema } from '../verifiers/schema.js';
import { sampleDrafts, type Candidate } from './candidates.js';
import type { StrategyContext } from './context.js';
import { defineStrategy, VERIFIER_HELP, verificationsForm } from './define.js';
import { refuseVerificationsWithVerifier, roundCount, sampleCount, stepModel, verificationCount } from './fields.js';
import { decide, feedbackFor, revise } from './correction.js';
import { judge, type Evidence } from './judge.js';
import { fromCandidate, withinBudget, type StrategyOutcome } from './outcome.js';
import { majorityVote } from './vote.js';

const schema = z
  .object({
    kind: z.literal('verify-correct'),
    samples: sampleCount().default(4),
    /** Correction rounds (0: verify and vote only). */
    rounds: roundCount(0).default(2),
    /** Judge with this verifier instead of the model's self-verification. */
    verifier: verifierSchema.optional(),
    /** Self-verification replies averaged into P(yes) (default 1, the greedy one); not with a verifier. */
    verifications: verificationCount().optional(),
    model: stepModel(),
  })
  .strict()
  .superRefine(refuseVerificationsWithVerifier);
export type VerifyCorrectSpec = z.input<typeof schema>;

interface Judged {
  claim: Claim;
  evidence: Evidence;
}

interface Track {
  index: number;
  /** What this sample stands for in the vote: the best-evidenced of the sample and its corrections. */
  best: Judged;
  /** The latest correction, which the next round corrects (SETS iterates on its own output). */
  working: Judged;
  /** The sample's; a correction has none. Breaks tied votes. */
  meanLogprob: number | null;
  /** No further correction to try: none offered, or it repeated an answer already seen. */
  settled: boolean;
  seen: Set<string | null>;
}

/**
 * SETS (Chen et al., 2025): sample `samples` answers in one batched call, judge each (self-verification,
 * or the spec's verifier), ask the model to correct the ones that fail for up to `rounds`, then vote among
 * the verified answers (among all, when none is verified). Each round corrects the latest correction, as
 * SETS does; what a sample stands for in the vote changes only under the trust rule.
 */
async function verifyCorrect(spec: z.output<typeof schema>, ctx: StrategyContext): Promise<StrategyOutcome> {
  const { rounds } = spec;
  let tracks: Track[] = [];

  const finish = (): StrategyOutcome => {
    const verified = tracks.filter((t) => t.best.evidence.verdict === true);
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
      const samples = await sampleDrafts(ctx, spec.samples);
      for (const c of samples) {
        const first: Judged = { claim: { text: c.text, answer: c.answer }, evidence: await judge(ctx, c, spec.verifier, spec.verifications) };
        tracks.push({ index: c.index, best: first, working: first, meanLogprob: c.meanLogprob, settled: false, seen: new Set([c.answer]) });
      }

      for (let round = 1; round <= rounds; round++) {
        const failing = tracks.filter((t) => t.best.evidence.verdict !== true && !t.settled && t.working.claim.answer !== null);
        if (failing.length === 0) {
          ctx.emit({ type: 'stop', rule: 'all-verified', reason: `no sample left to correct after round ${round - 1}`, numbers: { round: round - 1 } });
          return finish();
        }
        for (const track of failing) {
          const feedback = await feedbackFor(ctx, track.working.claim, track.working.evidence);
          const revised = await revise(ctx, track.working.claim, feedback);
          if (!revised || track.seen.has(revised.answer)) {
            track.settled = true;
            continue;
          }
          track.seen.add(revised.answer);
          track.working = { claim: revised, evidence: await judge(ctx, revised, spec.verifier, spec.verifications) };
          if (decide(ctx, track.best.evidence, track.working.evidence, `sample ${track.index}'s`)) {
            track.best = track.working;
            track.meanLogprob = null;
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
    text: track.best.claim.text,
    answer: track.best.claim.answer,
    meanLogprob: track.meanLogprob,
    confidence: track.best.evidence.score,
    confidenceSource: 'sequence-probability',
  };
}

export const verifyCorrectStrategy = defineStrategy({
  kind: 'verify-correct',
  label: 'Verify and correct (SETS)',
  describe: 'Sample, verify each answer, correct the failures for a few rounds, vote among the verified.',
  schema,
  form: {
    samples: { label: 'Samples' },
    rounds: { label: 'Correction rounds' },
    verifier: { label: 'Judge', widget: 'verifier', help: VERIFIER_HELP },
    verifications: verificationsForm((v) => !v.verifier),
  },
  run: verifyCorrect,
});
