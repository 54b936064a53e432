import { z } from 'zod';
import { sampleDrafts, type Candidate } from './candidates.js';
import type { StrategyContext } from './context.js';
import { withinBudget, type StrategyOutcome } from './outcome.js';
import { decideByVote } from './self-consistency.js';
import { defineStrategy } from './define.js';
import { probability, sampleCount, stepModel } from './fields.js';
import { checkRule, nextBatch } from './stopping-rules.js';
import { answerGroups } from './vote.js';

/** Adaptive-Consistency's defaults (Aggarwal et al., 2023, and its reference code). */
const THRESHOLDS = { beta: 0.95, dirichlet: 0.95, entropy: 0.75, majority: 0.8 } as const;

const schema = z
  .object({
    kind: z.literal('adaptive-consistency'),
    maxSamples: sampleCount().default(16),
    criterion: z.enum(['beta', 'dirichlet', 'entropy', 'majority']).default('beta'),
    /** Default per criterion: beta 0.95, dirichlet 0.95, entropy 0.75 (of the maximum), majority 0.8. */
    threshold: probability().optional(),
    model: stepModel(),
  })
  .strict()
  .transform((spec) => ({ ...spec, threshold: spec.threshold ?? THRESHOLDS[spec.criterion] }));
export type AdaptiveConsistencySpec = z.input<typeof schema>;
export type StoppingCriterion = z.output<typeof schema>['criterion'];

/**
 * Adaptive-Consistency (Aggarwal et al., 2023): sample until the stopping rule holds or `maxSamples`.
 * The paper samples one at a time; the engine batches samples of one prompt cheaply, so each batch is the
 * fewest samples after which the rule could hold (4 for Beta at 0.95, then e.g. 3 more at 3–1): the same
 * stopping points as one at a time, in fewer engine calls. Each batch size and why is a `decision` event.
 */
async function adaptiveConsistency(spec: z.output<typeof schema>, ctx: StrategyContext): Promise<StrategyOutcome> {
  const { maxSamples, criterion, threshold } = spec;
  let samples: Candidate[] = [];
  const counts = () => answerGroups(samples).map((g) => g.voters.length);

  const decide = () => decideByVote(ctx, samples);

  return withinBudget(
    async () => {
      for (;;) {
        const check = checkRule(criterion, threshold, counts());
        if (check.stop) {
          ctx.emit({ type: 'stop', rule: criterion, reason: check.reason, numbers: { ...check.numbers, samples: samples.length } });
          return decide();
        }
        const remaining = maxSamples - samples.length;
        if (remaining <= 0) {
          ctx.emit({
            type: 'stop',
            rule: 'max-samples',
            reason: `${maxSamples} samples drawn and ${criterion} does not hold (${check.reason})`,
            numbers: { ...check.numbers, samples: samples.length, maxSamples },
          });
          return decide();
        }
        const now = counts();
        const batch = nextBatch(criterion, threshold, now, remaining);
        const hoped = [(now[0] ?? 0) + batch, ...now.slice(1)];
        ctx.emit({
          type: 'decision',
          choice: `sample ${batch}`,
          reason: !checkRule(criterion, threshold, hoped).stop
            ? `${criterion} cannot hold within the ${remaining} samples left: drawing them together`
            : `${samples.length === 0 ? 'first batch' : `${batch} more`}: the fewest after which ${criterion} could hold (${hoped.join('–')} if they all agree)`,
        });
        samples = [...samples, ...(await sampleDrafts(ctx, batch, samples.length))];
      }
    },
    () => {
      ctx.emit({ type: 'stop', rule: 'budget', reason: 'the budget ran out', numbers: { samples: samples.length } });
      return decide();
    },
  );
}

export const adaptiveConsistencyStrategy = defineStrategy({
  kind: 'adaptive-consistency',
  label: 'Adaptive-consistency',
  describe: 'Sample one at a time; stop as soon as the vote is settled (Aggarwal et al.).',
  schema,
  form: {
    maxSamples: { label: 'At most samples' },
    criterion: { label: 'Stopping rule' },
    threshold: {
      label: 'Threshold',
      step: 0.01,
      placeholder: 'rule default',
      help: `Defaults: ${Object.entries(THRESHOLDS)
        .map(([rule, value]) => `${rule} ${value}`)
        .join(', ')}.`,
    },
  },
  run: adaptiveConsistency,
});
