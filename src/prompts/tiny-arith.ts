import { binaryScore } from '../confidence/signals.js';
import type { Generation } from '../engine/engine.js';
import type { ChatMessage } from '../types.js';
import { questionText, type Claim, type Judgement, type PackStep, type PromptPack, type Revision } from './pack.js';
import { saysFromVerdict } from './verdicts.js';

const YES = 'Y';
const NO = 'N';
/** A restated result (at most "-999" or "9801") and the verdict fit in far fewer. */
const VERIFY_MAX_TOKENS = 10;

/**
 * The model's one second-thought format: `<s>347+589=946?` → `936N` (it restates the result, then judges
 * the claim). The same call is its verification, its critique, its IoE review and its "Wait" nudge (`?`),
 * and the restated result is its refinement. Identical steps share one engine call within a request.
 */
function checkStep<T>(messages: ChatMessage[], claimed: string | null, read: (j: Judgement) => T): PackStep<T> {
  return {
    prompt: { text: `<s>${questionText(messages).trim()}=${claimed ?? ''}?` },
    maxTokens: VERIFY_MAX_TOKENS,
    watchTokens: [YES, NO],
    parse: (generation) => read(readCheck(generation)),
  };
}

function readCheck(generation: Generation): Judgement {
  const steps = generation.steps;
  let at = -1;
  for (let i = steps.length - 1; i >= 0; i--) {
    if (steps[i]!.token === YES || steps[i]!.token === NO) {
      at = i;
      break;
    }
  }
  if (at === -1) {
    const restated = generation.text.match(/-?\d+/)?.[0] ?? null;
    return { verdict: null, score: null, restated, text: generation.text };
  }
  const score = binaryScore(steps[at]!, YES, NO);
  const restated = steps.slice(0, at).map((s) => s.token).join('');
  return {
    verdict: steps[at]!.token === YES,
    score,
    restated: /^-?\d+$/.test(restated) ? restated : null,
    text: generation.text,
  };
}

const asRevision = (j: Judgement): Revision => ({ text: j.restated ?? '', answerText: j.restated ?? '' });

/**
 * The bundled model's trained formats (see public/models/tiny-arith/MODEL_CARD.md): the draft goes through
 * its chat template (`<s>347+589=`), so it takes the same path as instruct models.
 */
export const tinyArithPack: PromptPack = {
  family: 'tiny-arith',
  draft: (messages) => ({ messages: messages.filter((m) => m.role === 'user').slice(-1) }),
  draftMaxTokens: 8,
  // The model card's choice (best SC@8 on a validation slice).
  defaultTemperature: 0.5,
  confidenceTokens: { confident: '<CN>', unsure: '<UN>' },
  verify: (messages, claim) => checkStep(messages, claim.answer, (j) => j),
  critique: (messages, claim) =>
    checkStep(messages, claim.answer, (j) => ({
      says: saysFromVerdict(j.verdict),
      text: j.text,
      restated: j.restated,
    })),
  refine: () => null,
  review: (messages, claim: Claim) => checkStep(messages, claim.answer, asRevision),
  // "Check the problem and your answers again": the tiny model can only re-check the newer answer.
  reconcile: (messages, _first, second) => checkStep(messages, second.answer, asRevision),
  nudge: (messages, claim) => checkStep(messages, claim.answer, asRevision),
};
