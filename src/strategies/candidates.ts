import { extractAnswer } from '../answers/extract.js';
import { confidenceTokenScore, meanLogprob, sequenceProbability } from '../confidence/signals.js';
import type { Generation } from '../engine/engine.js';
import type { StrategyContext } from './context.js';

/** One model continuation with everything strategies judge it by. */
export interface Candidate {
  index: number;
  text: string;
  answer: string | null;
  meanLogprob: number | null;
  /** The model's confidence token score where it has one, else its geometric-mean token probability. */
  confidence: number | null;
  confidenceSource: 'confidence-token' | 'sequence-probability';
}

export function watchTokensFor(ctx: StrategyContext): string[] | undefined {
  const tokens = ctx.pack.confidenceTokens;
  return tokens ? [tokens.confident, tokens.unsure] : undefined;
}

export function toCandidate(generation: Generation, ctx: StrategyContext, index: number): Candidate {
  const tokens = ctx.pack.confidenceTokens;
  const exclude = tokens ? [tokens.confident, tokens.unsure] : [];
  const fromToken = tokens ? confidenceTokenScore(generation.steps, tokens) : null;
  return {
    index,
    text: generation.text,
    answer: extractAnswer(ctx.answer, generation.text),
    meanLogprob: meanLogprob(generation.steps, exclude),
    confidence: fromToken ?? sequenceProbability(generation.steps, exclude),
    confidenceSource: fromToken !== null ? 'confidence-token' : 'sequence-probability',
  };
}

/** Draws n samples of the draft prompt, emitting a `sample` event for each. */
export async function sampleDrafts(ctx: StrategyContext, n: number, firstIndex = 0): Promise<Candidate[]> {
  const generations = await ctx.generate({
    prompt: ctx.pack.draft(ctx.question),
    n,
    temperature: ctx.temperature,
    watchTokens: watchTokensFor(ctx),
  });
  return generations.map((g, i) => {
    const candidate = toCandidate(g, ctx, firstIndex + i);
    ctx.emit({
      type: 'sample',
      index: candidate.index,
      text: candidate.text,
      answer: candidate.answer,
      meanLogprob: candidate.meanLogprob,
      confidence: candidate.confidence,
    });
    return candidate;
  });
}
