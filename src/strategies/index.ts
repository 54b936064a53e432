import type { StrategySpec } from '../types.js';
import { adaptiveConsistency } from './adaptive-consistency.js';
import { bestOfN } from './best-of-n.js';
import { cascade } from './cascade.js';
import type { StrategyContext } from './context.js';
import { greedy } from './greedy.js';
import type { StrategyOutcome } from './outcome.js';
import { selfConsistency } from './self-consistency.js';
import { selfRefine } from './self-refine.js';
import { verifyCorrect } from './verify-correct.js';
import { waitNudge } from './wait.js';

export type { StrategyOutcome } from './outcome.js';

/**
 * Runs a validated spec. Nested specs (a cascade's fallback) come back through here with the same context,
 * so budgets, the abort signal and remembered greedy calls span the whole request. `path` names the spec in
 * errors (`strategy.then`).
 */
export function runStrategy(spec: StrategySpec, ctx: StrategyContext, path = 'strategy'): Promise<StrategyOutcome> {
  switch (spec.kind) {
    case 'greedy':
      return greedy(spec, ctx);
    case 'self-consistency':
      return selfConsistency(spec, ctx);
    case 'best-of-n':
      return bestOfN(spec, ctx);
    case 'adaptive-consistency':
      return adaptiveConsistency(spec, ctx);
    case 'verify-correct':
      return verifyCorrect(spec, ctx);
    case 'self-refine':
      return selfRefine(spec, ctx);
    case 'wait':
      return waitNudge(spec, ctx, path);
    case 'cascade':
      return cascade(spec, ctx, path, runStrategy);
  }
}
