import type { PromptPack } from './pack.js';

/**
 * The bundled model's trained formats (see public/models/tiny-arith/MODEL_CARD.md): the draft goes through
 * its chat template (`<s>347+589=`), so it takes the same path as instruct models.
 */
export const tinyArithPack: PromptPack = {
  family: 'tiny-arith',
  draft: (messages) => ({ messages: messages.filter((m) => m.role === 'user').slice(-1) }),
  draftMaxTokens: 8,
  defaultTemperature: 1,
  confidenceTokens: { confident: '<CN>', unsure: '<UN>' },
};
