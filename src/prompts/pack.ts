import type { ConfidenceTokens } from '../confidence/signals.js';
import type { EnginePrompt } from '../engine/engine.js';
import type { ModelFamily } from '../models/catalog.js';
import type { ChatMessage } from '../types.js';

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
}
