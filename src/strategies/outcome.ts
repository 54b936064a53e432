import type { Candidate } from './candidates.js';
import { BudgetExhaustedError } from './context.js';

export interface StrategyOutcome {
  answer: string | null;
  text: string;
  confidence: number | null;
  budgetExhausted: boolean;
}

export const NO_ANSWER: StrategyOutcome = { answer: null, text: '', confidence: null, budgetExhausted: false };

export function fromCandidate(candidate: Candidate | null, confidence: number | null, budgetExhausted = false): StrategyOutcome {
  if (!candidate) return { ...NO_ANSWER, budgetExhausted };
  return { answer: candidate.answer, text: candidate.text, confidence, budgetExhausted };
}

/**
 * Runs a strategy step; when the budget runs out inside it, returns `fallback()` (the best answer so far)
 * marked `budgetExhausted` instead of failing the request.
 */
export async function withinBudget(
  run: () => Promise<StrategyOutcome>,
  fallback: () => StrategyOutcome,
): Promise<StrategyOutcome> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof BudgetExhaustedError) return { ...fallback(), budgetExhausted: true };
    throw error;
  }
}
