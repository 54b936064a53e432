/**
 * Reading OpenAI-compatible replies into one shape, whatever the server and whether streamed or not:
 * - chat `choices[i].logprobs.content[] = {token, logprob, bytes, top_logprobs: [{token, logprob}]}` (OpenAI,
 *   vLLM; llama-server adds `id` to each entry and alternative),
 * - completions, legacy shape `{tokens, token_logprobs, top_logprobs: [{token: logprob}], text_offset}` (OpenAI,
 *   vLLM), or the chat shape again (llama-server answers `/v1/completions` with `logprobs.content`),
 * - no `logprobs` at all (Ollama's `/v1`; any server asked for none): `entries` is then null, never an empty
 *   list that would read as "zero tokens, all certain".
 * Numbers are kept as the server sent them except two spellings of "impossible": llama-server writes the
 * smallest float (its JSON cannot carry -inf) and others write null; both become -Infinity.
 */
import { RemoteEngineError } from '../errors.js';

export interface Alternative {
  token: string;
  logprob: number;
  id?: number;
}

export interface Entry extends Alternative {
  /** The alternatives at this position, most probable first. */
  top: Alternative[];
}

export interface RawChoice {
  index: number;
  text: string;
  finish: string | null;
  /** null: the server reported no log-probabilities for this choice. */
  entries: Entry[] | null;
}

export interface RawReply {
  choices: RawChoice[];
  promptTokens: number | null;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function logprobOf(value: unknown): number {
  if (typeof value !== 'number' || value <= -1e30) return -Infinity;
  return value;
}

function alternative(value: unknown): Alternative | null {
  if (!isObject(value) || typeof value.token !== 'string') return null;
  const alt: Alternative = { token: value.token, logprob: logprobOf(value.logprob) };
  if (typeof value.id === 'number') alt.id = value.id;
  return alt;
}

function byLogprob(a: Alternative, b: Alternative): number {
  return b.logprob - a.logprob;
}

/** `logprobs.content[]` (chat everywhere; llama-server's completions too). */
function contentEntries(content: unknown[]): Entry[] {
  const entries: Entry[] = [];
  for (const item of content) {
    const head = alternative(item);
    if (!head) throw malformed('a logprobs entry without a token');
    const tops = isObject(item) && Array.isArray(item.top_logprobs) ? item.top_logprobs : [];
    const top = tops.map(alternative).filter((a): a is Alternative => a !== null).sort(byLogprob);
    entries.push({ ...head, top });
  }
  return entries;
}

/** The legacy completions shape: parallel arrays, alternatives as `{token: logprob}` maps. */
function legacyEntries(logprobs: Json): Entry[] {
  const tokens = Array.isArray(logprobs.tokens) ? logprobs.tokens : [];
  const values = Array.isArray(logprobs.token_logprobs) ? logprobs.token_logprobs : [];
  const tops = Array.isArray(logprobs.top_logprobs) ? logprobs.top_logprobs : [];
  return tokens.map((token, i) => {
    if (typeof token !== 'string') throw malformed('a non-string token in logprobs.tokens');
    const map = tops[i];
    const top = isObject(map)
      ? Object.entries(map).map(([t, lp]) => ({ token: t, logprob: logprobOf(lp) })).sort(byLogprob)
      : [];
    return { token, logprob: logprobOf(values[i]), top };
  });
}

/** Entries of one choice (or one streamed chunk of it); null when the server sent none. */
export function readEntries(logprobs: unknown): Entry[] | null {
  if (!isObject(logprobs)) return null;
  if (Array.isArray(logprobs.content)) return contentEntries(logprobs.content);
  if (Array.isArray(logprobs.tokens)) return legacyEntries(logprobs);
  return null;
}

function malformed(what: string): RemoteEngineError {
  return new RemoteEngineError(`The server's reply has ${what}`, { status: 200, retryable: false });
}

function promptTokensOf(body: Json): number | null {
  const usage = body.usage;
  return isObject(usage) && typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : null;
}

/** A whole (non-streamed) chat or completions reply. */
export function readReply(body: unknown): RawReply {
  if (!isObject(body) || !Array.isArray(body.choices)) throw malformed('no choices');
  const choices = body.choices.map((choice, position): RawChoice => {
    if (!isObject(choice)) throw malformed('a choice that is not an object');
    const message = isObject(choice.message) ? choice.message : null;
    const text = message ? message.content : choice.text;
    return {
      index: typeof choice.index === 'number' ? choice.index : position,
      text: typeof text === 'string' ? text : '',
      finish: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
      entries: readEntries(choice.logprobs),
    };
  });
  return { choices, promptTokens: promptTokensOf(body) };
}

/**
 * Folds streamed chunks into choices. Each chunk carries deltas for one or more choices (by `index`); the
 * text delta goes to `onText` as it arrives. A choice is "without logprobs" only if no chunk of it had any.
 */
export function createAccumulator(onText: (index: number, text: string) => void) {
  const choices = new Map<number, RawChoice>();
  let promptTokens: number | null = null;
  return {
    add(chunk: unknown): void {
      if (!isObject(chunk)) throw malformed('a streamed chunk that is not an object');
      promptTokens = promptTokensOf(chunk) ?? promptTokens;
      if (!Array.isArray(chunk.choices)) return;
      for (const part of chunk.choices) {
        if (!isObject(part)) continue;
        const index = typeof part.index === 'number' ? part.index : 0;
        let choice = choices.get(index);
        if (!choice) {
          choice = { index, text: '', finish: null, entries: null };
          choices.set(index, choice);
        }
        const delta = isObject(part.delta) ? part.delta.content : part.text;
        if (typeof delta === 'string' && delta.length > 0) {
          choice.text += delta;
          onText(index, delta);
        }
        const entries = readEntries(part.logprobs);
        if (entries) choice.entries = [...(choice.entries ?? []), ...entries];
        if (typeof part.finish_reason === 'string') choice.finish = part.finish_reason;
      }
    },
    /** Every choice the stream opened has a finish reason: the server ended the reply, not the connection. */
    complete(): boolean {
      return choices.size > 0 && [...choices.values()].every((c) => c.finish !== null);
    },
    reply(): RawReply {
      return { choices: [...choices.values()].sort((a, b) => a.index - b.index), promptTokens };
    },
  };
}

/** An error object a server streams in place of a chunk (llama-server and vLLM do so mid-stream). */
export function streamedError(chunk: unknown): { message: string; status: number | null } | null {
  if (!isObject(chunk)) return null;
  const error = chunk.error ?? (chunk.object === 'error' ? chunk : undefined);
  if (error === undefined) return null;
  if (typeof error === 'string') return { message: error, status: null };
  if (!isObject(error)) return { message: 'unknown error', status: null };
  const code = typeof error.code === 'number' ? error.code : null;
  return { message: typeof error.message === 'string' ? error.message : JSON.stringify(error), status: code };
}
