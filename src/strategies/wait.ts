import { InvalidRequestError } from '../errors.js';
import type { Claim } from '../prompts/pack.js';
import { z } from 'zod';
import { verifierSchema } from '../verifiers/schema.js';
import { claimOf } from './claims.js';
import type { StrategyContext } from './context.js';
import { bestSoFar } from './correction.js';
import { defineStrategy, VERIFIER_HELP, verificationsForm } from './define.js';
import { refuseVerificationsWithVerifier, roundCount, stepModel, verificationCount } from './fields.js';
import { draftGreedy } from './greedy.js';
import { NO_ANSWER, withinBudget, type StrategyOutcome } from './outcome.js';
import { runStep } from './steps.js';

const schema = z
  .object({
    kind: z.literal('wait'),
    maxNudges: roundCount(1).default(1),
    /** Evidence for the trust rule; default: the model's self-verification. */
    verifier: verifierSchema.optional(),
    /** Self-verification replies averaged into P(yes) (default 1, the greedy one); not with a verifier. */
    verifications: verificationCount().optional(),
    model: stepModel(),
  })
  .strict()
  .superRefine(refuseVerificationsWithVerifier);
export type WaitSpec = z.input<typeof schema>;

/**
 * The "Wait" nudge (Self-Correction Bench, 2025): append the model's second-thought cue to its own draft
 * and let it continue ("\n\nWait," for instruct models, `?` for tiny-arith), up to `maxNudges` times, each
 * on the latest answer. A changed answer replaces the best so far only under the trust rule.
 */
async function waitNudge(spec: z.output<typeof schema>, ctx: StrategyContext, path: string): Promise<StrategyOutcome> {
  const { maxNudges } = spec;
  let best: ReturnType<typeof bestSoFar> | null = null;
  const result = (): StrategyOutcome => best?.outcome() ?? NO_ANSWER;

  return withinBudget(async () => {
    const draft = await draftGreedy(ctx);
    best = bestSoFar(draft);
    const { seen } = best;
    let current: Claim = draft;
    for (let nudge = 1; nudge <= maxNudges; nudge++) {
      if (current.answer === null) break;
      const step = ctx.pack.nudge(ctx.question, current);
      if ('messages' in step.prompt && step.prompt.continueFinal && !ctx.capabilities.continueAssistant) {
        throw new InvalidRequestError(path, `the ${ctx.pack.family} "Wait" nudge continues the assistant's own turn, which this engine cannot do (WebLLM); use an ONNX build of the model with engine 'transformers'`);
      }
      const continued = claimOf(ctx, (await runStep(ctx, step)).value);
      // A continuation without an answer ("Wait, yes, that is right.") keeps the answer it continued.
      if (continued.answer === null || continued.answer === current.answer) {
        ctx.emit({ type: 'stop', rule: 'kept', reason: `nudge ${nudge} kept the answer ${current.answer}`, numbers: { nudge } });
        return result();
      }
      ctx.emit({ type: 'revise', from: current.answer, to: continued.answer, text: continued.text });
      if (seen.has(continued.answer)) {
        ctx.emit({ type: 'stop', rule: 'no-new-answer', reason: `nudge ${nudge} went back to ${continued.answer}`, numbers: { nudge } });
        return result();
      }
      await best.consider(ctx, continued, spec.verifier, spec.verifications);
      current = continued;
    }
    ctx.emit({ type: 'stop', rule: 'max-nudges', reason: `${maxNudges} nudge${maxNudges > 1 ? 's' : ''} done`, numbers: { nudges: maxNudges } });
    return result();
  }, result);
}

export const waitStrategy = defineStrategy({
  kind: 'wait',
  label: '“Wait” nudge',
  describe: 'Append the model’s “Wait” to its draft and let it continue (Self-Correction Bench).',
  schema,
  form: {
    maxNudges: { label: 'At most nudges' },
    verifier: { label: 'Evidence', widget: 'verifier', help: VERIFIER_HELP },
    verifications: verificationsForm((v) => !v.verifier),
  },
  run: (spec, ctx, _runNested, path) => waitNudge(spec, ctx, path),
});
