import type { ConfidenceTokens } from '../confidence/signals.js';
import type { EnginePrompt, Generation } from '../engine/engine.js';
import type { ModelFamily } from '../models/catalog.js';
import type { ChatMessage } from '../types.js';

/** An answer under judgement: the model text and the answer extracted from it. */
export interface Claim {
  text: string;
  answer: string | null;
}

/** The model's verdict on a claim. */
export interface Judgement {
  /** null when the reply held no verdict the pack could read. */
  verdict: boolean | null;
  /** P(yes) from the watched yes/no tokens; null when the engine could not report them. */
  score: number | null;
  /** A corrected result the reply stated, where the format has one (tiny-arith restates before judging). */
  restated: string | null;
  text: string;
}

export interface Feedback {
  says: 'correct' | 'incorrect' | 'unclear';
  text: string;
  /** A revision carried in the feedback itself (tiny-arith's restated result); null when there is none. */
  restated: string | null;
}

/** A model reply that may change the answer: `text` is what the user would see, `answerText` holds the answer. */
export interface Revision {
  text: string;
  answerText: string;
}

/**
 * One greedy model call of a second thought: the prompt, how long the reply may be, which tokens' log-probs
 * to watch, and how to read the reply. Strategies run steps; packs only describe them.
 */
export interface PackStep<T> {
  prompt: EnginePrompt;
  maxTokens: number;
  watchTokens?: string[];
  parse(generation: Generation): T;
}

/**
 * How to talk to one family of models. The tiny model has trained formats and confidence tokens; instruct
 * models get English prompts. Strategies only ever ask a pack for prompts, so they work on both.
 */
export interface PromptPack {
  family: ModelFamily;
  /** The first answer to the user's question. */
  draft(messages: ChatMessage[]): EnginePrompt;
  /** New tokens a draft may use. */
  draftMaxTokens: number;
  /** Sampling temperature where the request sets none (the model's own, from its generation config, wins). */
  defaultTemperature: number;
  /** Trained confidence tokens (Self-REF), where the model has them. */
  confidenceTokens: ConfidenceTokens | null;
  /** Is this answer right? Read as P(yes) from the watched tokens. */
  verify(messages: ChatMessage[], claim: Claim): PackStep<Judgement>;
  /** Self-Refine feedback on a claim. */
  critique(messages: ChatMessage[], claim: Claim): PackStep<Feedback>;
  /**
   * A refinement of the claim given the feedback (also SETS' correction). null: the feedback already
   * carries the revision (`feedback.restated`), so no call is needed.
   */
  refine(messages: ChatMessage[], claim: Claim, feedback: Feedback): PackStep<Revision> | null;
  /** IoE: "If you are confident about your answer, maintain your answer. Otherwise, update your answer." */
  review(messages: ChatMessage[], claim: Claim): PackStep<Revision>;
  /** IoE's follow-up, asked only when the review changed the answer. */
  reconcile(messages: ChatMessage[], first: Claim, second: Claim): PackStep<Revision>;
  /** The "Wait" nudge: the draft continued after the model's own second-thought cue. */
  nudge(messages: ChatMessage[], claim: Claim): PackStep<Revision>;
}

/** The question as text: the last user message. */
export function questionText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i]!.content;
  return '';
}
