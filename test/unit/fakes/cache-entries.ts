import { CACHE_VERSION } from '../../../src/cache/key.js';
import type { SolveResult } from '../../../src/types.js';

/** A small valid result. */
export function result(answer: string): SolveResult {
  return {
    answer,
    text: `The answer is ${answer}.`,
    confidence: 0.9,
    strategy: { kind: 'greedy' },
    usage: { promptTokens: 3, completionTokens: 4, samples: 1, engineCalls: 1, ms: 5, byModel: { 'tiny-arith': { promptTokens: 3, completionTokens: 4, samples: 1, engineCalls: 1 } } },
    cached: false,
    budgetExhausted: false,
    trace: [
      { t: 1, type: 'draft', text: `The answer is ${answer}.`, answer, tokens: 4 },
      { t: 2, type: 'vote', counts: { [answer]: 1 }, leader: answer, share: 1 },
    ],
  };
}

/** A stored entry as this version of the cache writes it, as an earlier session would have left it. */
export function envelope(stored: unknown, overrides: Record<string, unknown> = {}, at = Date.now()): Record<string, unknown> {
  return { version: CACHE_VERSION, result: stored, createdAt: at, lastUsed: at, bytes: 100, ...overrides };
}

export const noWarn = () => {};
