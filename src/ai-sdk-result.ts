/**
 * A Second Thought result in the AI SDK's terms (specification v3): usage, finish reason and
 * `providerMetadata.secondThought`, all JSON values as the spec requires.
 */
import type {
  JSONObject,
  JSONValue,
  LanguageModelV3FinishReason,
  LanguageModelV3Usage,
  SharedV3ProviderMetadata,
} from '@ai-sdk/provider';
import { PROVIDER_KEY } from './ai-sdk-request.js';
import type { SolveResult, TraceEvent } from './types.js';

/**
 * How the text reached a `streamText` caller: `live` (token by token: the greedy strategy, whose one
 * generation is the answer's text), `final` (in one piece when the strategy had decided: every strategy
 * that samples, judges or revises, and cached results), or `diverged` (streamed live, but the final text
 * did not continue what had been streamed; the stream carries the streamed text, the metadata the final).
 */
export type StreamMode = 'live' | 'final' | 'diverged';

/** `providerMetadata.secondThought`. */
export interface SecondThoughtMetadata extends JSONObject {
  answer: string | null;
  confidence: number | null;
  strategy: JSONValue;
  cached: boolean;
  budgetExhausted: boolean;
  /** The last vote's counts per answer; null when the strategy did not vote. */
  votes: Record<string, number> | null;
  /** The runtime's usage (samples, engine calls, tokens, ms, and whatever else it counts), as JSON. */
  usage: JSONObject;
  /** Every trace event but tokens, with its type, time and key numbers (texts left out). */
  trace: JSONObject[];
  escalation?: string;
  /** The final text, when a stream's text diverged from it. */
  text?: string;
  stream?: StreamMode;
}

export function usageOf(result: SolveResult): LanguageModelV3Usage {
  const { promptTokens, completionTokens } = result.usage;
  return {
    inputTokens: { total: promptTokens, noCache: promptTokens, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: completionTokens, text: completionTokens, reasoning: undefined },
    raw: { ...usageJson(result), cached: result.cached },
  };
}

/** No tokens counted yet: the usage of a stream that ended before its result. */
export const NO_USAGE: LanguageModelV3Usage = {
  inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: undefined, text: undefined, reasoning: undefined },
};

/** `length` when a budget (tokens, samples, deadline) cut the strategy short, else `stop`. */
export function finishReasonOf(result: SolveResult): LanguageModelV3FinishReason {
  return result.budgetExhausted ? { unified: 'length', raw: 'budget-exhausted' } : { unified: 'stop', raw: 'stop' };
}

export function metadataOf(result: SolveResult, stream?: StreamMode): SharedV3ProviderMetadata {
  let votes: Record<string, number> | null = null;
  for (const event of result.trace) if (event.type === 'vote') votes = { ...event.counts };
  const metadata: SecondThoughtMetadata = {
    answer: result.answer,
    confidence: finite(result.confidence),
    strategy: jsonOf(result.strategy),
    cached: result.cached,
    budgetExhausted: result.budgetExhausted,
    votes,
    usage: usageJson(result),
    trace: result.trace.map(compactEvent).filter((e): e is JSONObject => e !== null),
  };
  // Set where a step meant for another of the runtime's models failed and the first model's answer stands.
  const escalation = (result as { escalation?: unknown }).escalation;
  if (typeof escalation === 'string') metadata.escalation = escalation;
  if (stream !== undefined) metadata.stream = stream;
  if (stream === 'diverged') metadata.text = result.text;
  return { [PROVIDER_KEY]: metadata };
}

function usageJson(result: SolveResult): JSONObject {
  return { ...(jsonOf(result.usage) as JSONObject), ms: Math.round(result.usage.ms) };
}

/** One trace event without its texts; null for tokens and the result itself. */
export function compactEvent(event: TraceEvent): JSONObject | null {
  const compact = compactKnown(event);
  // Where an event names the model it ran on (a runtime holding several), that stays too.
  const model = (event as { model?: unknown }).model;
  if (compact && typeof model === 'string') compact.model = model;
  return compact;
}

function compactKnown(event: TraceEvent): JSONObject | null {
  const { t } = event;
  switch (event.type) {
    case 'draft':
      return { type: event.type, t, answer: event.answer, tokens: event.tokens };
    case 'sample':
      return { type: event.type, t, index: event.index, answer: event.answer, confidence: finite(event.confidence), meanLogprob: finite(event.meanLogprob) };
    case 'vote':
      return { type: event.type, t, leader: event.leader, share: finite(event.share), counts: { ...event.counts } };
    case 'verify':
      return { type: event.type, t, by: event.by, answer: event.answer, verdict: event.verdict, score: finite(event.score) };
    case 'critique':
      return { type: event.type, t, says: event.says };
    case 'revise':
      return { type: event.type, t, from: event.from, to: event.to };
    case 'decision':
      return { type: event.type, t, choice: event.choice, reason: event.reason };
    case 'confidence': {
      const compact: JSONObject = { type: event.type, t, signal: event.signal, value: finite(event.value) };
      if (event.threshold !== undefined) compact.threshold = event.threshold;
      return compact;
    }
    case 'stop':
      return { type: event.type, t, rule: event.rule, numbers: Object.fromEntries(Object.entries(event.numbers).map(([k, v]) => [k, finite(v)])) };
    case 'token':
    case 'result':
      return null;
    default:
      return compactOther(event);
  }
}

/** An event kind this file does not know: its numbers, flags and short strings, without texts. */
function compactOther(event: { type: string; t: number }): JSONObject {
  const compact: JSONObject = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === 'text') continue;
    if (typeof value === 'number') compact[key] = finite(value);
    else if (typeof value === 'boolean' || value === null || (typeof value === 'string' && value.length <= 200)) compact[key] = value;
  }
  return compact;
}

/** JSON has no NaN or infinities (a log-prob can be -Infinity): those become null. */
function finite(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

function jsonOf(value: unknown): JSONValue {
  return JSON.parse(JSON.stringify(value ?? null)) as JSONValue;
}

/** A token that reads like a special token (`<CN>`, `</s>`, `<|im_end|>`): decoded texts leave those out, so the live stream does too. */
export function looksSpecial(token: string): boolean {
  return /^<\|?\/?[\w.-]+\|?>$/.test(token);
}
