import { z } from 'zod';
import { verifierSchema } from '../verifiers/schema.js';
import { sampleDrafts, type Candidate } from './candidates.js';
import type { StrategyContext } from './context.js';
import { defineStrategy, verificationsForm } from './define.js';
import { refuseVerificationsUnless, sampleCount, stepModel, verificationCount } from './fields.js';
import { judge, type Evidence } from './judge.js';
import { fromCandidate, withinBudget, type StrategyOutcome } from './outcome.js';
import { answerGroups, majorityVote, type AnswerGroup } from './vote.js';

const schema = z
  .object({
    kind: z.literal('best-of-n'),
    n: sampleCount(),
    scorer: z.enum(['logprob', 'confidence', 'self-verify', 'verifier']),
    /** Required with `scorer: 'verifier'`, not allowed otherwise. */
    verifier: verifierSchema.optional(),
    /** Self-verification replies averaged into each answer's P(yes) (default 1); scorer 'self-verify' only. */
    verifications: verificationCount().optional(),
    model: stepModel(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.scorer === 'verifier' && !spec.verifier) {
      ctx.addIssue({ code: 'custom', path: ['verifier'], message: "scorer 'verifier' needs a verifier" });
    }
    if (spec.scorer !== 'verifier' && spec.verifier) {
      ctx.addIssue({ code: 'custom', path: ['verifier'], message: `a verifier is only used with scorer 'verifier', not '${spec.scorer}'` });
    }
    refuseVerificationsUnless(spec.scorer === 'self-verify', `to scorer 'self-verify', not '${spec.scorer}'`, spec.verifications, ctx);
  });
export type BestOfNSpec = z.input<typeof schema>;
export type BestOfNScorer = BestOfNSpec['scorer'];

/**
 * Best-of-N: n samples in one batched call, keep the one the scorer ranks highest. 'logprob' and
 * 'confidence' score each sample; 'self-verify' (P(yes) of the model's verification prompt) and 'verifier'
 * (a programmatic check) judge each distinct answer once, most voted first, and rank by verdict, then
 * score, then votes.
 */
async function bestOfN(spec: BestOfNSpec, ctx: StrategyContext): Promise<StrategyOutcome> {
  if (spec.scorer === 'self-verify' || spec.scorer === 'verifier') return bestJudged(spec, ctx);
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

interface Judged {
  group: AnswerGroup;
  evidence: Evidence;
}

async function bestJudged(spec: BestOfNSpec, ctx: StrategyContext): Promise<StrategyOutcome> {
  let samples: Candidate[] = [];
  const judged: Judged[] = [];
  const pick = (): StrategyOutcome => {
    const ranked = [...judged].sort(compareJudged);
    const best = ranked[0];
    if (!best) {
      // Nothing judged (no answers, or the budget ended first): the plain majority is the best we have.
      const vote = majorityVote(samples);
      if (vote.leader !== null) ctx.emit({ type: 'decision', choice: vote.leader, reason: 'no answer was judged; majority of the samples' });
      return fromCandidate(vote.representative, null);
    }
    const { evidence, group } = best;
    const verdict = evidence.verdict === true ? 'accepted' : evidence.verdict === false ? 'rejected' : 'not judged';
    ctx.emit({
      type: 'decision',
      choice: group.answer,
      reason:
        `${evidence.by} ${verdict} it` +
        (evidence.score !== null && spec.scorer === 'self-verify' ? ` with P(yes) ${evidence.score.toFixed(3)}` : '') +
        `; ${group.voters.length} of ${samples.length} samples; best of ${judged.length} answers judged`,
    });
    return fromCandidate(group.representative, evidence.score);
  };
  return withinBudget(async () => {
    samples = await sampleDrafts(ctx, spec.n);
    for (const group of answerGroups(samples)) {
      const evidence = await judge(ctx, group.representative, spec.scorer === 'verifier' ? spec.verifier : undefined, spec.verifications);
      judged.push({ group, evidence });
    }
    return pick();
  }, pick);
}

const rank = (v: boolean | null) => (v === true ? 2 : v === null ? 1 : 0);

function compareJudged(x: Judged, y: Judged): number {
  return (
    rank(y.evidence.verdict) - rank(x.evidence.verdict) ||
    (y.evidence.score ?? -1) - (x.evidence.score ?? -1) ||
    y.group.voters.length - x.group.voters.length ||
    (y.group.representative.meanLogprob ?? -1e9) - (x.group.representative.meanLogprob ?? -1e9)
  );
}

export const bestOfNStrategy = defineStrategy({
  kind: 'best-of-n',
  label: 'Best-of-n',
  describe: 'Sample n answers and keep the one a scorer ranks highest.',
  schema,
  form: {
    n: { label: 'Samples (n)', initial: 8 },
    scorer: { label: 'Scorer', initial: 'confidence' },
    verifier: { label: 'Verifier', widget: 'verifier', required: true, when: (v) => v.scorer === 'verifier' },
    verifications: verificationsForm((v) => v.scorer === 'self-verify'),
  },
  run: bestOfN,
});
