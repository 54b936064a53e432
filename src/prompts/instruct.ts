import { binaryScore } from '../confidence/signals.js';
import type { Generation } from '../engine/engine.js';
import type { ModelFamily } from '../models/catalog.js';
import type { ChatMessage } from '../types.js';
import { questionText, type Claim, type Feedback, type Judgement, type PackStep, type PromptPack, type Revision } from './pack.js';
import { parseVerdict, saysFromVerdict } from './verdicts.js';

const SYSTEM =
  'You are a careful assistant. Think step by step when it helps, then give the final answer on the last line.';
const CHECKER = 'You check answers carefully and say plainly whether they are right.';

/**
 * The verdict comes last, after the model has worked the question out itself: a judgement read before any
 * working is a guess from surface cues (on the bundled tiny-reasoner, P(yes) was 0.51 for right answers and
 * 0.49 for wrong ones when it came first), while solving independently and then comparing is how
 * generative verifiers earn their accuracy.
 */
export const VERIFY_PROMPT = 'Is the proposed answer correct? Work it out yourself first, then reply "Yes" or "No" on the last line.';
export const CRITIQUE_PROMPT =
  'Review this answer step by step. Point out any mistake and how to fix it. End with "Verdict: correct" if the final answer is right, or "Verdict: incorrect" if it is not.';
export const REFINE_PROMPT =
  'Using this feedback, write an improved answer to the original question. Give the final answer on the last line.';
/** The If-or-Else prompt of "Confidence Matters" (Li et al., 2024), verbatim. */
export const IOE_REVIEW =
  'Review your previous answer. If you are confident about your answer, maintain your answer. Otherwise, update your answer.';
/** Its follow-up, asked only when the two answers differ, verbatim. */
export const IOE_FOLLOW_UP =
  'You give two different answers in previous responses. Check the problem and your answers again, and give the best answer.';
/** Self-Correction Bench's cue, appended to the model's own draft. */
export const WAIT_NUDGE = '\n\nWait,';

/** Gemma's chat template refuses a system role: its instructions go at the top of the first user turn. */
const NO_SYSTEM_ROLE: ReadonlySet<ModelFamily> = new Set(['gemma']);

/** How one family's conversations are laid out: where system instructions go, and the turns we build. */
function conversations(family: ModelFamily) {
  const systemRole = !NO_SYSTEM_ROLE.has(family);
  const placeSystem = (system: string, messages: ChatMessage[]): ChatMessage[] => {
    if (systemRole) return [{ role: 'system', content: system }, ...messages];
    const first = messages.findIndex((m) => m.role === 'user');
    return messages.map((m, i) => (i === first ? { ...m, content: `${system}\n\n${m.content}` } : m));
  };
  /** The user's conversation, with our system prompt unless it brings its own. */
  const withSystem = (messages: ChatMessage[]): ChatMessage[] => {
    const own = messages.filter((m) => m.role === 'system');
    if (own.length === 0) return placeSystem(SYSTEM, messages);
    if (systemRole) return messages;
    return placeSystem(own.map((m) => m.content).join('\n\n'), messages.filter((m) => m.role !== 'system'));
  };
  return {
    withSystem,
    /** The conversation so far with the model's claim as its reply. */
    answered: (messages: ChatMessage[], claim: Claim): ChatMessage[] => [...withSystem(messages), { role: 'assistant', content: claim.text }],
    /** A fresh conversation that asks the model to judge a claim (less inclined to defend it than its own turn). */
    judged: (question: string, claim: Claim, instruction: string): ChatMessage[] =>
      placeSystem(CHECKER, [{ role: 'user', content: `Question:\n${question}\n\nProposed answer:\n${claim.text}\n\n${instruction}` }]),
  };
}

function reply(maxTokens: number, messages: ChatMessage[]): PackStep<Revision> {
  return { prompt: { messages }, maxTokens, parse: (g) => ({ text: g.text.trim(), answerText: g.text }) };
}

/** Token text without the word-boundary marks and emphasis tokenizers and models put around a bare word. */
const bareWord = (token: string) => token.replace(/[\s\u2581\u0120*_.,:;!"'`]/g, '');

/**
 * The verdict is the last "Yes" or "No" the model wrote (the prompt asks for it on the last line, after its
 * own working; a model that answers first writes it at the first position, which this finds as well), and
 * P(yes) is read at that position, whatever was sampled there. A reply with neither word has no score: a
 * probability read anywhere else would be a number about nothing.
 */
function readJudgement(generation: Generation): Judgement {
  const steps = generation.steps;
  let at = steps.length - 1;
  while (at >= 0 && !['Yes', 'No'].includes(bareWord(steps[at]!.token))) at--;
  // A reply that opens with its verdict, from a tokenizer that splits the word, is read at its first position.
  if (at < 0 && steps.length > 0 && /^[\s*_"'`]*(yes|no)\b/i.test(generation.text)) at = 0;
  const step = at >= 0 ? steps[at]! : undefined;
  const score = step ? binaryScore(step, 'Yes', 'No') : null;
  const word = step ? bareWord(step.token) : '';
  const fromToken = word === 'Yes' ? true : word === 'No' ? false : null;
  const verdict = fromToken ?? parseVerdict(generation.text) ?? (score === null ? null : score >= 0.5);
  return { verdict, score, restated: null, text: generation.text.trim() };
}

function readFeedback(generation: Generation): Feedback {
  return { says: saysFromVerdict(parseVerdict(generation.text)), text: generation.text.trim(), restated: null };
}

export function instructPack(family: ModelFamily): PromptPack {
  const draftMaxTokens = 512;
  const { withSystem, answered, judged } = conversations(family);
  return {
    family,
    draft: (messages) => ({ messages: withSystem(messages) }),
    draftMaxTokens,
    defaultTemperature: 0.7,
    confidenceTokens: null,
    verify: (messages, claim) => ({
      prompt: { messages: judged(questionText(messages), claim, VERIFY_PROMPT) },
      // Room to work the question out before the verdict.
      maxTokens: 320,
      watchTokens: ['Yes', 'No'],
      parse: readJudgement,
    }),
    critique: (messages, claim) => ({
      prompt: { messages: judged(questionText(messages), claim, CRITIQUE_PROMPT) },
      maxTokens: 384,
      parse: readFeedback,
    }),
    refine: (messages, claim, feedback) =>
      reply(draftMaxTokens, [
        ...answered(messages, claim),
        { role: 'user', content: `Here is feedback on your answer:\n\n${feedback.text}\n\n${REFINE_PROMPT}` },
      ]),
    review: (messages, claim) => reply(draftMaxTokens, [...answered(messages, claim), { role: 'user', content: IOE_REVIEW }]),
    reconcile: (messages, first, second) =>
      reply(draftMaxTokens, [
        ...answered(messages, first),
        { role: 'user', content: IOE_REVIEW },
        { role: 'assistant', content: second.text },
        { role: 'user', content: IOE_FOLLOW_UP },
      ]),
    nudge: (messages, claim) => {
      const opened = `${claim.text}${WAIT_NUDGE}`;
      return {
        // The assistant turn stays open so the model continues its own draft instead of starting a new reply.
        prompt: { messages: [...withSystem(messages), { role: 'assistant', content: opened }], continueFinal: true },
        maxTokens: draftMaxTokens,
        parse: (g) => ({ text: `${opened} ${g.text.trimStart()}`, answerText: g.text }),
      };
    },
  };
}
