/**
 * The choices of one generate call, from as few requests as the server allows:
 * - `n` goes in one request while the endpoint is not known to cap it. A server that returns fewer choices
 *   than asked (Ollama ignores `n`) or refuses `n` (older llama-server: "Only one completion choice is
 *   allowed"; newer: no more than its slots) lowers the endpoint's `maxChoices` for the engine's lifetime,
 *   and the missing rows are asked for by further requests, run in parallel under the lane's
 *   `maxConcurrency`. Each such request gets a seed of its own, derived from the call's seed and its first
 *   row, so split requests do not repeat one another's samples.
 * - A prompt that fits but whose `max_tokens` overflows the context (vLLM refuses rather than stopping at
 *   the end of the context, as the in-process engines do) is sent again once with `max_tokens` cut to what
 *   fits; a prompt that does not fit is a ContextLengthError.
 * - With `onToken`, replies stream; a streamed request is retried only while it has not handed any text to
 *   the caller.
 */
import { ContextLengthError, RemoteEngineError } from '../errors.js';
import type { Http } from './openai-http.js';
import { createAccumulator, readReply, type RawChoice, type RawReply } from './openai-parse.js';
import type { EndpointState } from './openai-probe.js';
import { buildBody, choiceLimit, contextOverflow, PATHS, type Dialect, type Endpoint, type OpenAIParams, type Shot } from './openai-request.js';
import { readEvents } from './openai-sse.js';
import { rowSeed } from './sampling.js';
import { estimateTokens } from './openai-tokens.js';

export interface SampleContext {
  http: Http;
  lane: <T>(task: () => Promise<T>, signal?: AbortSignal) => Promise<T>;
  dialect: Dialect;
  model: string;
  slots: number | null;
  contextLength: number;
}

export interface Sampled {
  choices: RawChoice[];
  promptTokens: number | null;
}

export async function sample(
  ctx: SampleContext,
  state: EndpointState,
  endpoint: Endpoint,
  params: OpenAIParams,
  k: number,
  signal: AbortSignal,
): Promise<Sampled> {
  const rows: RawChoice[] = new Array<RawChoice>(params.n);
  let promptTokens: number | null = null;

  async function fill(offset: number, count: number): Promise<void> {
    const size = Math.min(count, state.maxChoices ?? count);
    if (size < count) {
      const parts: Promise<void>[] = [];
      for (let at = 0; at < count; at += size) parts.push(fill(offset + at, Math.min(size, count - at)));
      await Promise.all(parts);
      return;
    }
    const seed = params.seed === undefined ? undefined : offset === 0 ? params.seed : rowSeed(params.seed, offset);
    let reply: RawReply;
    try {
      reply = await ctx.lane(() => request(ctx, params, { endpoint, n: count, seed, k, maxTokens: params.maxTokens, stream: params.onToken !== undefined }, offset, signal), signal);
    } catch (error) {
      const limit = count > 1 ? choiceLimit(error, count, ctx.slots) : null;
      if (limit === null) throw error;
      // Remembered on the endpoint (and so in `info().capabilities.batchedSampling`) for the engine's lifetime.
      state.maxChoices = Math.min(limit, state.maxChoices ?? limit);
      return fill(offset, count);
    }
    const got = reply.choices.slice(0, count);
    if (got.length === 0) throw new RemoteEngineError('The server answered with no choices', { status: 200, retryable: false });
    got.forEach((choice, i) => (rows[offset + i] = choice));
    if (reply.promptTokens !== null) promptTokens = Math.max(promptTokens ?? 0, reply.promptTokens);
    if (got.length < count) {
      state.maxChoices = Math.min(got.length, state.maxChoices ?? got.length);
      await fill(offset + got.length, count - got.length);
    }
  }

  await fill(0, params.n);
  return { choices: rows, promptTokens };
}

/** One request (streamed or not), with the context-overflow rules above. */
async function request(ctx: SampleContext, params: OpenAIParams, shot: Shot, offset: number, signal: AbortSignal): Promise<RawReply> {
  let maxTokens = shot.maxTokens;
  for (let clamped = false; ; clamped = true) {
    const body = buildBody(ctx.dialect, ctx.model, params, { ...shot, maxTokens });
    try {
      return await (shot.stream ? streamed(ctx, params, body, shot, offset, signal) : whole(ctx, body, shot, signal));
    } catch (error) {
      const overflow = contextOverflow(error);
      if (!overflow) throw error;
      const { contextLength, promptTokens } = overflow;
      if (!clamped && contextLength !== null && promptTokens !== null && promptTokens < contextLength && maxTokens > contextLength - promptTokens) {
        maxTokens = contextLength - promptTokens;
        continue;
      }
      throw new ContextLengthError(promptTokens ?? estimateTokens(params.prompt), contextLength ?? ctx.contextLength);
    }
  }
}

/** Deterministic refusals that come with a retryable status (older llama-server's n refusal is a 500). */
function permanent(shot: Shot, slots: number | null) {
  return (error: RemoteEngineError) => (shot.n > 1 && choiceLimit(error, shot.n, slots) !== null) || contextOverflow(error) !== null;
}

async function whole(ctx: SampleContext, body: Record<string, unknown>, shot: Shot, signal: AbortSignal): Promise<RawReply> {
  return readReply(await ctx.http.json('POST', PATHS[shot.endpoint], body, { signal, permanent: permanent(shot, ctx.slots) }));
}

async function streamed(
  ctx: SampleContext,
  params: OpenAIParams,
  body: Record<string, unknown>,
  shot: Shot,
  offset: number,
  signal: AbortSignal,
): Promise<RawReply> {
  let emitted = 0;
  return ctx.http.send({
    method: 'POST',
    path: PATHS[shot.endpoint],
    body,
    signal,
    permanent: permanent(shot, ctx.slots),
    canRetry: () => emitted === 0,
    read: async (response, context) => {
      const accumulator = createAccumulator((index, text) => {
        emitted++;
        params.onToken?.(offset + index, text);
      });
      const done = await readEvents(response, context, (chunk) => accumulator.add(chunk), ctx.http.redact);
      if (!done && !accumulator.complete()) {
        throw new RemoteEngineError(`The stream from ${PATHS[shot.endpoint]} ended before the server finished the reply`, { status: null, retryable: true });
      }
      return accumulator.reply();
    },
  });
}
