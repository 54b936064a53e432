import type { StoppingCriterion, StrategySpec } from '../types.js';

/** Every optional spec field's default, in one place: strategies read them, and validation fills them in. */
export const DEFAULTS = {
  adaptiveConsistency: { maxSamples: 16, criterion: 'beta' as StoppingCriterion },
  /** Adaptive-Consistency's defaults (Aggarwal et al., 2023, and its reference code). */
  thresholds: { beta: 0.95, dirichlet: 0.95, entropy: 0.75, majority: 0.8 } satisfies Record<StoppingCriterion, number>,
  verifyCorrect: { samples: 4, rounds: 2 },
  selfRefine: { maxRounds: 3, prompts: 'critique' as const },
  wait: { maxNudges: 1 },
  cascade: { votes: 5 },
} as const;

/**
 * The spec with its defaults written out, so equal requests get equal cache keys and `result.strategy`
 * says what actually ran.
 */
export function withDefaults(spec: StrategySpec): StrategySpec {
  switch (spec.kind) {
    case 'adaptive-consistency': {
      const criterion = spec.criterion ?? DEFAULTS.adaptiveConsistency.criterion;
      return {
        ...spec,
        maxSamples: spec.maxSamples ?? DEFAULTS.adaptiveConsistency.maxSamples,
        criterion,
        threshold: spec.threshold ?? DEFAULTS.thresholds[criterion],
      };
    }
    case 'verify-correct':
      return { ...spec, samples: spec.samples ?? DEFAULTS.verifyCorrect.samples, rounds: spec.rounds ?? DEFAULTS.verifyCorrect.rounds };
    case 'self-refine':
      return { ...spec, maxRounds: spec.maxRounds ?? DEFAULTS.selfRefine.maxRounds, prompts: spec.prompts ?? DEFAULTS.selfRefine.prompts };
    case 'wait':
      return { ...spec, maxNudges: spec.maxNudges ?? DEFAULTS.wait.maxNudges };
    case 'cascade':
      return { ...spec, ...(spec.signal === 'vote' ? { n: spec.n ?? DEFAULTS.cascade.votes } : {}), then: withDefaults(spec.then) };
    default:
      return spec;
  }
}
