import type { Claim } from '../prompts/pack.js';
import { z } from 'zod';
import { verifierSchema } from '../verifiers/schema.js';
import { claimOf } from './claims.js';
import type { StrategyContext } from './context.js';
import { bestSoFar, revise } from './correction.js';
import { defineStrategy, VERIFIER_HELP, verificationsForm } from './define.js';
import { refuseVerificationsWithVerifier, roundCount, stepModel, verificationCount } from './fields.js';
import { draftGreedy } from './greedy.js';
import { NO_ANSWER, withinBudget, type StrategyOutcome } from './outcome.js';
import { runStep, runStepIfItFits } from './steps.js';

const schema = z
  .object({
    kind: z.literal('self-refine'),
    maxRounds: roundCount(1).default(3),
    prompts: z.enum(['critique', 'ioe']).default('critique'),
    /** Evidence for the trust rule; default: the model's self-verification. */
    verifier: verifierSchema.optional(),
    /** Self-verification replies averaged into P(yes) (default 1, the greedy one); not with a verifier. */
    verifications: verificationCount().optional(),
    model: stepModel(),
  })
  .strict()
  .superRefine(refuseVerificationsWithVerifier);
export type SelfRefineSpec = z.input<typeof schema>;

/**
 * Self-Refine (Madaan et al., 2023): draft → feedback → refinement, until the feedback says the answer is
 * correct or `maxRounds`. With `prompts: 'ioe'` each round is the If-or-Else review of "Confidence
 * Matters" (Li et al., 2024), plus its "two different answers" follow-up when the review changes the
 * answer; the round ends the loop when the model maintains its answer. Each round works on the latest
 * answer, but what is returned is the best one under the trust rule (ART): a revision takes over only
 * when the verifier (or the model's self-verification) ranks it above.
 */
async function selfRefine(spec: z.output<typeof schema>, ctx: StrategyContext): Promise<StrategyOutcome> {
  const { maxRounds, prompts: mode } = spec;
  let best: ReturnType<typeof bestSoFar> | null = null;
  const result = (): StrategyOutcome => best?.outcome() ?? NO_ANSWER;

  return withinBudget(async () => {
    const draft = await draftGreedy(ctx);
    best = bestSoFar(draft);
    const { seen } = best;
    let current: Claim = draft;
    for (let round = 1; round <= maxRounds; round++) {
      const revised = mode === 'ioe' ? await ioeRound(ctx, current) : await critiqueRound(ctx, current);
      if (revised === 'correct') {
        ctx.emit({ type: 'stop', rule: 'feedback-correct', reason: `the feedback on round ${round} says the answer is correct`, numbers: { round } });
        return result();
      }
      if (revised === 'maintained') {
        ctx.emit({ type: 'stop', rule: 'maintained', reason: `the review on round ${round} maintained the answer`, numbers: { round } });
        return result();
      }
      if (revised === null || revised.answer === null || seen.has(revised.answer)) {
        ctx.emit({ type: 'stop', rule: 'no-new-answer', reason: `round ${round} gave no new answer`, numbers: { round } });
        return result();
      }
      await best.consider(ctx, revised, spec.verifier, spec.verifications);
      current = revised;
    }
    ctx.emit({ type: 'stop', rule: 'max-rounds', reason: `${maxRounds} rounds done`, numbers: { rounds: maxRounds } });
    return result();
  }, result);
}

async function critiqueRound(ctx: StrategyContext, current: Claim): Promise<Claim | null | 'correct'> {
  if (current.answer === null) return null;
  const { value: feedback } = await runStep(ctx, ctx.pack.critique(ctx.question, current));
  ctx.emit({ type: 'critique', text: feedback.text, says: feedback.says });
  if (feedback.says === 'correct') return 'correct';
  return revise(ctx, current, feedback);
}

async function ioeRound(ctx: StrategyContext, current: Claim): Promise<Claim | null | 'maintained'> {
  if (current.answer === null) return null;
  const reviewed = claimOf(ctx, (await runStep(ctx, ctx.pack.review(ctx.question, current))).value);
  if (reviewed.answer === null || reviewed.answer === current.answer) return 'maintained';
  ctx.emit({ type: 'revise', from: current.answer, to: reviewed.answer, text: reviewed.text });
  // "You give two different answers…": its reply is IoE's final answer (the trust rule still has its say).
  const step = await runStepIfItFits(ctx, ctx.pack.reconcile(ctx.question, current, reviewed), 'reconcile');
  if (step === null) return reviewed;
  const reconciled = claimOf(ctx, step.value);
  if (reconciled.answer === null) return reviewed;
  if (reconciled.answer !== reviewed.answer) ctx.emit({ type: 'revise', from: reviewed.answer, to: reconciled.answer, text: reconciled.text });
  return reconciled;
}

export const selfRefineStrategy = defineStrategy({
  kind: 'self-refine',
  label: 'Self-refine',
  describe: 'Draft, feedback, refinement; a refinement replaces the draft only with evidence.',
  schema,
  form: {
    maxRounds: { label: 'At most rounds' },
    prompts: { label: 'Prompts' },
    verifier: { label: 'Evidence', widget: 'verifier', help: VERIFIER_HELP },
    verifications: verificationsForm((v) => !v.verifier),
  },
  run: selfRefine,
});
