/**
 * The AI SDK's call options (`LanguageModelV3CallOptions`, specification v3) as a Second Thought request,
 * with a warning of the spec's own shape for every setting the runtime cannot honour.
 */
import {
  UnsupportedFunctionalityError,
  type LanguageModelV3CallOptions,
  type LanguageModelV3Prompt,
  type SharedV3Warning,
} from '@ai-sdk/provider';
import { InvalidRequestError } from './errors.js';
import type {
  AnswerSpec,
  BudgetOptions,
  CacheMode,
  ChatMessage,
  SamplingOptions,
  SolveRequest,
  StrategySpec,
  VerifyCallback,
} from './types.js';

/** The key of this provider's options in `providerOptions` (per call) and of its `providerMetadata`. */
export const PROVIDER_KEY = 'secondThought';

/** What a provider, a model or a call can set. Later levels override earlier ones, field by field for `sampling` and `budget`. */
export interface SecondThoughtSettings {
  /** The strategy every call runs. Default: the runtime's (`greedy`). */
  strategy?: StrategySpec;
  /** How the answer is read from the model's text. Default: the runtime's (`text`). */
  answer?: AnswerSpec;
  /** Defaults for the sampler; the AI SDK's `temperature`, `topP`, `topK`, `maxOutputTokens` and `seed` override them. */
  sampling?: SamplingOptions;
  budget?: BudgetOptions;
  cache?: CacheMode;
}

/** Model-level settings may also carry the page's `verify` function (for `{ kind: 'callback' }` verifiers): not JSON, so not a call option. */
export interface SecondThoughtModelSettings extends SecondThoughtSettings {
  verify?: VerifyCallback;
}

/** `providerOptions.secondThought` of one call: the JSON subset of the settings. */
export type SecondThoughtCallOptions = SecondThoughtSettings;

const CALL_OPTION_KEYS = new Set<string>(['strategy', 'answer', 'sampling', 'budget', 'cache']);

export interface PreparedCall {
  request: SolveRequest;
  warnings: SharedV3Warning[];
}

/** Builds the request for one call: settings in order (provider, model), then the call's own options. */
export function prepareCall(options: LanguageModelV3CallOptions, layers: SecondThoughtModelSettings[]): PreparedCall {
  const warnings: SharedV3Warning[] = [];
  const messages = convertPrompt(options.prompt, warnings);
  const perCall = readCallOptions(options.providerOptions?.[PROVIDER_KEY]);

  const fromCall: SamplingOptions = {};
  if (options.temperature !== undefined) fromCall.temperature = options.temperature;
  if (options.topP !== undefined) fromCall.topP = options.topP;
  if (options.topK !== undefined) fromCall.topK = options.topK;
  if (options.maxOutputTokens !== undefined) fromCall.maxTokens = options.maxOutputTokens;
  if (options.seed !== undefined) fromCall.seed = options.seed;

  const all: SecondThoughtModelSettings[] = [...layers, { sampling: fromCall }, perCall];
  const pick = <K extends keyof SecondThoughtModelSettings>(key: K): SecondThoughtModelSettings[K] =>
    all.reduce<SecondThoughtModelSettings[K]>((value, layer) => layer[key] ?? value, undefined);
  const merge = <K extends 'sampling' | 'budget'>(key: K): SecondThoughtSettings[K] => {
    const merged = Object.assign({}, ...all.map((layer) => layer[key] ?? {})) as NonNullable<SecondThoughtSettings[K]>;
    return Object.keys(merged).length > 0 ? merged : undefined;
  };

  const request: SolveRequest = { messages };
  const strategy = pick('strategy');
  const answer = pick('answer');
  const cache = pick('cache');
  const verify = pick('verify');
  const sampling = merge('sampling');
  const budget = merge('budget');
  if (strategy !== undefined) request.strategy = strategy;
  if (answer !== undefined) request.answer = answer;
  if (sampling !== undefined) request.sampling = sampling;
  if (budget !== undefined) request.budget = budget;
  if (cache !== undefined) request.cache = cache;
  if (verify !== undefined) request.verify = verify;

  warnUnsupportedSettings(options, strategy, warnings);
  return { request, warnings };
}

/**
 * System, user and assistant text become chat messages (a message's text parts joined by newlines).
 * Files and tool traffic cannot reach a text-only model and are refused; reasoning parts of earlier
 * assistant turns are dropped with a warning (they were the other model's working, not the conversation).
 */
export function convertPrompt(prompt: LanguageModelV3Prompt, warnings: SharedV3Warning[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  let droppedReasoning = false;
  for (const message of prompt) {
    switch (message.role) {
      case 'system':
        messages.push({ role: 'system', content: message.content });
        break;
      case 'user':
      case 'assistant': {
        const texts: string[] = [];
        for (const part of message.content) {
          if (part.type === 'text') texts.push(part.text);
          else if (part.type === 'reasoning') droppedReasoning = true;
          else if (part.type === 'file') {
            throw new UnsupportedFunctionalityError({
              functionality: `file parts (${part.mediaType})`,
              message: `Second Thought models read text only: a ${message.role} message has a file part (${part.mediaType}).`,
            });
          } else {
            throw toolsUnsupported(`${part.type} parts`);
          }
        }
        messages.push({ role: message.role, content: texts.join('\n') });
        break;
      }
      case 'tool':
        throw toolsUnsupported('tool messages');
    }
  }
  if (droppedReasoning) {
    warnings.push({ type: 'unsupported', feature: 'reasoning parts', details: 'Reasoning parts of assistant messages were left out of the prompt.' });
  }
  return messages;
}

function toolsUnsupported(what: string): UnsupportedFunctionalityError {
  return new UnsupportedFunctionalityError({
    functionality: what,
    message: `Second Thought models do not call tools, so a prompt cannot contain ${what}.`,
  });
}

function warnUnsupportedSettings(options: LanguageModelV3CallOptions, strategy: StrategySpec | undefined, warnings: SharedV3Warning[]): void {
  const unsupported = (feature: string, details: string) => warnings.push({ type: 'unsupported', feature, details });
  if (options.tools && options.tools.length > 0) {
    const choice = options.toolChoice?.type;
    if (choice === 'required' || choice === 'tool') {
      throw new UnsupportedFunctionalityError({
        functionality: `toolChoice: ${choice}`,
        message: 'Second Thought models do not call tools, so a tool call cannot be required.',
      });
    }
    unsupported('tools', 'Second Thought models do not call tools; the model answered in text and the tools were not offered to it.');
  }
  if (options.stopSequences && options.stopSequences.length > 0) {
    unsupported('stopSequences', 'The runtime stops at the model\'s end token or maxOutputTokens; stop sequences were ignored.');
  }
  if (options.presencePenalty !== undefined) unsupported('presencePenalty', 'The runtime\'s sampler has no presence penalty.');
  if (options.frequencyPenalty !== undefined) unsupported('frequencyPenalty', 'The runtime\'s sampler has no frequency penalty.');
  if (options.responseFormat?.type === 'json') {
    unsupported(
      'responseFormat',
      'JSON output is not enforced; the model answered in text. A { kind: \'json-schema\' } verifier (best-of-n, verify-correct) can check it.',
    );
  }
  const kind = strategy?.kind ?? 'greedy';
  if (kind === 'greedy' && options.temperature !== undefined && options.temperature !== 0) {
    unsupported('temperature', 'The greedy strategy decodes at temperature 0; choose a sampled strategy (e.g. self-consistency) to use it.');
  }
}

/** `providerOptions.secondThought`, checked for known keys; the runtime validates their values. */
function readCallOptions(value: unknown): SecondThoughtCallOptions {
  if (value === undefined || value === null) return {};
  const where = `providerOptions.${PROVIDER_KEY}`;
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidRequestError(where, 'expected an object');
  for (const key of Object.keys(value)) {
    if (!CALL_OPTION_KEYS.has(key)) {
      throw new InvalidRequestError(`${where}.${key}`, `unknown field "${key}"; expected one of ${[...CALL_OPTION_KEYS].join(', ')}`);
    }
  }
  return value as SecondThoughtCallOptions;
}
