import type { ModelFamily } from '../models/catalog.js';
import type { ChatMessage } from '../types.js';
import type { PromptPack } from './pack.js';

const SYSTEM =
  'You are a careful assistant. Think step by step when it helps, then give the final answer on the last line.';

function withSystem(messages: ChatMessage[]): ChatMessage[] {
  return messages.some((m) => m.role === 'system') ? messages : [{ role: 'system', content: SYSTEM }, ...messages];
}

export function instructPack(family: ModelFamily): PromptPack {
  return {
    family,
    draft: (messages) => ({ messages: withSystem(messages) }),
    draftMaxTokens: 512,
    defaultTemperature: 0.7,
    confidenceTokens: null,
  };
}
