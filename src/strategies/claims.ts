import { extractAnswer } from '../answers/extract.js';
import type { Claim, Revision } from '../prompts/pack.js';
import type { StrategyContext } from './context.js';

/** The claim a revision makes: its text, and the answer read from the part of it that answers. */
export function claimOf(ctx: StrategyContext, revision: Revision): Claim {
  return { text: revision.text, answer: revision.answerText.trim() === '' ? null : extractAnswer(ctx.answer, revision.answerText) };
}
