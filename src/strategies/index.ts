import type { StrategySpec } from '../types.js';
import { bestOfN } from './best-of-n.js';
import type { StrategyContext } from './context.js';
import { greedy } from './greedy.js';
import type { StrategyOutcome } from './outcome.js';
import { selfConsistency } from './self-consistency.js';

export type { StrategyOutcome } from './outcome.js';

/** Runs a validated spec. Nested specs (a cascade's fallback) come back through here. */
export function runStrategy(spec: StrategySpec, ctx: StrategyContext): Promise<StrategyOutcome> {
  switch (spec.kind) {
    case 'greedy':
      return greedy(spec, ctx);
    case 'self-consistency':
      return selfConsistency(spec, ctx);
    case 'best-of-n':
      return bestOfN(spec, ctx);
  }
}
