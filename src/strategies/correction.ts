import type { Claim, Feedback } from '../prompts/pack.js';
import { claimOf } from './claims.js';
import type { StrategyContext } from './context.js';
import type { VerifierSpec } from '../types.js';
import type { Candidate } from './candidates.js';
import { judge, type Evidence } from './judge.js';
import type { StrategyOutcome } from './outcome.js';
import { runStep, runStepIfItFits } from './steps.js';
import { trustRule } from './trust.js';

/**
 * The feedback a correction works from. The model's own verification reply serves when that is what
 * judged the claim (SETS); after a programmatic verdict the model is asked for its critique, since the
 * verifier's reason may state the right answer and handing it over would make the "correction" a copy.
 */
export async function feedbackFor(ctx: StrategyContext, claim: Claim, evidence: Evidence): Promise<Feedback> {
  if (evidence.by === 'self-verify') {
    const says = evidence.verdict === null ? 'unclear' : evidence.verdict ? 'correct' : 'incorrect';
    return { says, text: evidence.text, restated: evidence.restated };
  }
  const { value } = await runStep(ctx, ctx.pack.critique(ctx.question, claim));
  ctx.emit({ type: 'critique', text: value.text, says: value.says });
  return value;
}

/** The model's revision of a claim given feedback; null when it offers none. Emits `revise`. */
export async function revise(ctx: StrategyContext, claim: Claim, feedback: Feedback): Promise<Claim | null> {
  const step = ctx.pack.refine(ctx.question, claim, feedback);
  let revised: Claim | null;
  if (step) {
    const refined = await runStepIfItFits(ctx, step, 'refine');
    revised = refined === null ? null : claimOf(ctx, refined.value);
  } else {
    // The pack's feedback carries the revision (tiny-arith restates the result while judging).
    revised = feedback.restated === null ? null : claimOf(ctx, { text: feedback.restated, answerText: feedback.restated });
  }
  if (revised) ctx.emit({ type: 'revise', from: claim.answer, to: revised.answer, text: revised.text });
  return revised;
}

/** Applies the trust rule and records the decision (`choice`: the answer kept); returns whether the revision wins. */
export function decide(ctx: StrategyContext, incumbent: Evidence, revision: Evidence, label = 'draft'): boolean {
  const { replace, reason } = trustRule(incumbent, revision);
  ctx.emit({
    type: 'decision',
    choice: String(replace ? revision.answer : incumbent.answer),
    reason: `${replace ? `revision ${revision.answer} replaces` : `keep`} ${label} ${incumbent.answer}: ${reason}`,
  });
  return replace;
}

/**
 * What a revision loop (self-refine, wait) returns: the draft, until a revision wins under the trust rule.
 * Also remembers every answer seen, so a loop can stop when the model circles back.
 */
export function bestSoFar(draft: Candidate) {
  let best: { claim: Claim; confidence: number | null } = { claim: draft, confidence: draft.confidence };
  const seen = new Set([draft.answer]);
  return {
    seen,
    outcome: (): StrategyOutcome => ({ answer: best.claim.answer, text: best.claim.text, confidence: best.confidence, budgetExhausted: false }),
    /** Judges the revision against the best so far (verifier or self-verification) and keeps the winner. */
    async consider(ctx: StrategyContext, revision: Claim, verifier: VerifierSpec | undefined, verifications?: number): Promise<void> {
      const incumbent = await judge(ctx, best.claim, verifier, verifications);
      const challenger = await judge(ctx, revision, verifier, verifications);
      if (decide(ctx, incumbent, challenger, best.claim === draft ? 'draft' : 'answer')) best = { claim: revision, confidence: challenger.score };
      seen.add(revision.answer);
    },
  };
}
