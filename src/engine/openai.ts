/**
 * `engine: 'openai'`: any OpenAI-compatible server (vLLM, llama.cpp's llama-server, Ollama, OpenAI) as an
 * Engine, in browsers and Node alike (plain `fetch`, SSE parsed by eventsource-parser; the reason for that
 * choice over the official SDK is at the top of `openai-sse.ts`).
 *
 * The parts: `openai-http.ts` (retries, timeouts, abort, concurrency, secrets), `openai-probe.ts` (what the
 * server is and does, learned at load), `openai-request.ts` (the body each server takes), `openai-sample.ts`
 * (n in one request or several), `openai-parse.ts` and `openai-steps.ts` (replies into steps), and
 * `openai-tokens.ts` (token counts). This file ties them together and keeps the capabilities true.
 *
 * Log-probabilities, decided once: `info().capabilities` says what the server gives, from a probe at load
 * (unless `probe: false`) and from every reply after. A request that needs numbers the server does not give
 * (watched tokens, alternatives) is refused with LogprobsUnavailableError; a request that needs none still
 * runs, and its generations have `steps: []` (see `openai-steps.ts`), never made-up numbers.
 */
import { EngineError, InvalidRequestError, LogprobsUnavailableError, throwIfAborted, AbortError } from '../errors.js';
import type { Capabilities } from '../types.js';
import type { Engine, EngineInfo, EnginePrompt, GenerateOutput, ProgressCallback } from './engine.js';
import { createHttp, createLane } from './openai-http.js';
import { detectServer, probeEndpoint, type EndpointState, type ServerFacts } from './openai-probe.js';
import { dialectOf, END_TOKENS, type Endpoint, type OpenAIParams, type ServerKind } from './openai-request.js';
import type { RawChoice } from './openai-parse.js';
import { sample } from './openai-sample.js';
import { toGeneration } from './openai-steps.js';
import { createTokenizer, estimateTokens, type TokenCount } from './openai-tokens.js';

export type { OpenAIParams, ServerKind } from './openai-request.js';
export type { TokenCount } from './openai-tokens.js';

export interface OpenAIEngineOptions {
  /** The server, with or without a trailing `/v1`, e.g. `http://localhost:8080` or `https://api.openai.com/v1`. */
  baseUrl: string;
  /** The model name the server knows (vLLM's served name, an Ollama tag, an OpenAI model id). */
  model: string;
  /** Sent as `Authorization: Bearer …` and nowhere else: not in errors, `info()`, traces or the cache. */
  apiKey?: string;
  /** Extra request headers; their values are treated as secrets too. */
  headers?: Record<string, string>;
  /** Generation requests in flight at once (split `n` included); default 4. */
  maxConcurrency?: number;
  /** Per attempt; for a stream, the longest silence between bytes. Default 120 000 ms. */
  timeoutMs?: number;
  /** Retries after a 429, a 5xx or a network failure; default 2. */
  maxRetries?: number;
  /** First backoff step (then doubled, with jitter); default 500 ms. */
  retryDelayMs?: number;
  /** The longest wait before a retry; a `retry-after` beyond it fails at once. Default 30 000 ms. */
  maxRetryDelayMs?: number;
  /** Overrides what the server reports (vLLM, llama-server) or the default of 4096 (the others). */
  contextLength?: number;
  /** Skip detection and use this server's dialect. */
  server?: ServerKind;
  /** Probe capabilities at load with one tiny request per endpoint; default true. */
  probe?: boolean;
  /** Alternatives per position to ask for when reading watched tokens; default 20 (OpenAI's and vLLM's maximum). */
  maxTopLogprobs?: number;
  /** Whether the model has trained `<CN>`/`<UN>` tokens; default: both are single tokens of its tokenizer. */
  confidenceToken?: boolean;
  /** Injected `fetch` (tests, proxies, a service worker's). */
  fetch?: typeof globalThis.fetch;
  onProgress?: ProgressCallback;
}

export interface ServerReport {
  kind: ServerKind;
  /** Most choices per request on each endpoint (null: no limit seen); reachable false: the probe failed. */
  endpoints: Record<Endpoint, { reachable: boolean; maxChoices: number | null; logprobs: boolean; topLogprobs: number }>;
  /** Token counts come from the server's tokenizer (true), an estimate (false), or are not known yet (null). */
  exactTokenCounts: boolean | null;
}

export interface OpenAIEngine extends Engine {
  generate(params: OpenAIParams): Promise<GenerateOutput>;
  /** Like `countTokens`, and says whether the count is exact. */
  countTokensDetailed(prompt: EnginePrompt, signal?: AbortSignal): Promise<TokenCount>;
  /** What was learned about the server. Holds no credentials. */
  server(): ServerReport;
}

const DEFAULT_CONTEXT = 4096;

/** The server's root: the URL without a trailing slash or `/v1`, so paths like `/v1/models` and `/props` both hang off it. */
function serverRoot(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new InvalidRequestError('options.baseUrl', 'is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidRequestError('options.baseUrl', 'must be http(s)');
  // fetch refuses such URLs with a message that quotes them; and a secret belongs in apiKey or headers.
  if (url.username || url.password) throw new InvalidRequestError('options.baseUrl', 'must not carry credentials: pass apiKey or headers');
  // Origin and path only: a query or fragment has no place before the API's own paths.
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '').replace(/\/v1$/, '');
}

export async function createOpenAIEngine(options: OpenAIEngineOptions): Promise<OpenAIEngine> {
  const root = serverRoot(options.baseUrl);
  const host = new URL(root).host;
  const { model, onProgress } = options;
  const http = createHttp({
    root,
    apiKey: options.apiKey,
    headers: options.headers,
    // Bound, because a detached `fetch` throws "Illegal invocation" in browsers.
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    timeoutMs: options.timeoutMs ?? 120_000,
    maxRetries: options.maxRetries ?? 2,
    retryDelayMs: options.retryDelayMs ?? 500,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 30_000,
  });
  const lane = createLane(Math.max(1, options.maxConcurrency ?? 4));
  const maxTop = Math.max(1, options.maxTopLogprobs ?? 20);
  const lifetime = new AbortController();

  onProgress?.({ progress: 0, text: `Connecting to ${host}` });
  const facts: ServerFacts = await detectServer(http, model, options.server);
  const dialect = dialectOf(facts.kind);
  const tokenizer = createTokenizer(http, facts.kind, model);
  const endpoints: Record<Endpoint, EndpointState> = {
    chat: { reachable: true, logprobs: true, topLogprobs: maxTop, maxChoices: facts.slots, ids: facts.kind === 'llama-server' },
    completions: { reachable: true, logprobs: true, topLogprobs: maxTop, maxChoices: facts.slots, ids: facts.kind === 'llama-server' },
  };
  if (options.probe !== false) {
    onProgress?.({ progress: 0.3, text: `Probing ${model} on ${facts.kind} at ${host}` });
    const [chat, completions] = await Promise.all(
      (['chat', 'completions'] as const).map((e) => probeEndpoint(http, model, facts, e, maxTop)),
    );
    if (!chat!.reachable && !completions!.reachable) {
      throw chat!.problem ?? completions!.problem ?? new EngineError(`${model} at ${host} answered neither chat nor completions`);
    }
    Object.assign(endpoints, { chat, completions });
  }
  const confidenceToken =
    options.confidenceToken ?? (await tokenizer.ids(['<CN>', '<UN>']).then((ids) => ids.size === 2, () => false));
  const contextLength = options.contextLength ?? facts.contextLength ?? DEFAULT_CONTEXT;
  const endTokens = new Set([...END_TOKENS, ...facts.endTokens]);
  onProgress?.({ progress: 1, text: `${model} ready on ${facts.kind} at ${host}` });

  function capabilities(): Capabilities {
    const live = Object.values(endpoints).filter((s) => s.reachable);
    return {
      batchedSampling: live.every((s) => s.maxChoices === null || s.maxChoices > 1),
      logprobs: live.every((s) => s.logprobs),
      topLogprobs: Math.min(...live.map((s) => (s.logprobs ? s.topLogprobs : 0))),
      seededSampling: dialect.seeded,
      contextLength,
      confidenceToken,
      continueAssistant: dialect.continueAssistant && endpoints.chat.reachable,
    };
  }

  // Device: nothing runs on this machine; 'cpu' is the only value of `Device` that claims no accelerator here.
  const info = (): EngineInfo => ({ engine: 'openai', model, device: 'cpu', fallback: null, capabilities: capabilities() });

  function check(params: OpenAIParams, state: EndpointState): void {
    const { prompt } = params;
    if ('messages' in prompt && prompt.continueFinal) {
      if (prompt.messages.at(-1)?.role !== 'assistant') throw new EngineError("continueFinal needs the last message to be the assistant's");
      if (!dialect.continueAssistant) throw new EngineError(`continueFinal is not supported on ${facts.kind}: its chat API starts a new turn after an assistant message`);
    }
    // Quietly dropping top_k would change what "the same request" means.
    if (params.topK !== undefined && !dialect.extraSampling) throw new EngineError(`topK is not supported by ${facts.kind}'s OpenAI API`);
    const needsNumbers = (params.watchTokens?.length ?? 0) > 0 || (params.topLogprobs ?? 0) > 0;
    if (needsNumbers && !state.logprobs) {
      throw new LogprobsUnavailableError(`${model} on ${facts.kind} returns no log-probabilities, which watched tokens and alternatives need`);
    }
  }

  async function generate(params: OpenAIParams): Promise<GenerateOutput> {
    if (lifetime.signal.aborted) throw new EngineError('This OpenAI engine has been disposed');
    throwIfAborted(params.signal);
    if (params.n < 1) return { generations: [], promptTokens: 0 };
    const endpoint: Endpoint = 'messages' in params.prompt ? 'chat' : 'completions';
    const state = endpoints[endpoint];
    check(params, state);
    const watch = params.watchTokens ?? [];
    const top = Math.min(Math.max(0, params.topLogprobs ?? 0), state.topLogprobs);
    // At least 1 whenever logprobs are possible (the chosen token's number); all we may when reading watched tokens.
    const k = !state.logprobs ? 0 : watch.length > 0 ? state.topLogprobs : Math.max(1, top);

    const control = new AbortController();
    // One signal for every request of this call: the caller's abort, dispose(), or a sibling request's failure.
    const cancel = () => control.abort();
    params.signal?.addEventListener('abort', cancel, { once: true });
    lifetime.signal.addEventListener('abort', cancel, { once: true });
    try {
      const watchIds = state.ids && watch.length > 0 ? await tokenizer.ids(watch, control.signal) : new Map<string, number>();
      const context = { http, lane, dialect, model, slots: facts.slots, contextLength };
      // llama-server streams no chunk, hence no logprobs, for a token that adds no text (`<CN>` and other
      // special tokens): a call that watches tokens is not streamed there, and its tokens reach onToken
      // once the reply is complete. Late is better than a confidence read from a step that went missing.
      const replay = facts.kind === 'llama-server' && watch.length > 0 && params.onToken !== undefined;
      const asked = replay ? { ...params, onToken: undefined } : params;
      const { choices, promptTokens } = await sample(context, state, endpoint, asked, k, control.signal);
      if (replay) choices.forEach((choice, row) => replayTokens(choice, row, params.onToken!));
      if (k > 0 && choices.some((c) => c.entries === null)) {
        // The server dropped what it was asked for: say so from now on, and refuse what needed it.
        Object.assign(state, { logprobs: false, topLogprobs: 0 });
        if (watch.length > 0 || top > 0) throw new LogprobsUnavailableError(`${model} on ${facts.kind} dropped the log-probabilities it was asked for`);
      }
      const generations = choices.map((choice) => toGeneration(choice, { watch, watchIds, top, endTokens }));
      return { generations, promptTokens: promptTokens ?? estimateTokens(params.prompt) };
    } catch (error) {
      control.abort();
      if (params.signal?.aborted) throw new AbortError();
      if (lifetime.signal.aborted) throw new EngineError('This OpenAI engine was disposed during the request');
      throw error;
    } finally {
      params.signal?.removeEventListener('abort', cancel);
      lifetime.signal.removeEventListener('abort', cancel);
    }
  }

  return {
    info,
    generate,
    countTokens: async (prompt) => (await tokenizer.count(prompt)).tokens,
    countTokensDetailed: (prompt, signal) => tokenizer.count(prompt, signal),
    server: () => ({
      kind: facts.kind,
      endpoints: {
        chat: report(endpoints.chat),
        completions: report(endpoints.completions),
      },
      exactTokenCounts: tokenizer.exact,
    }),
    dispose: async () => {
      lifetime.abort();
    },
  };
}

function replayTokens(choice: RawChoice, row: number, onToken: (row: number, token: string) => void): void {
  const pieces = choice.entries?.map((e) => e.token).filter((t) => t !== '') ?? [choice.text];
  // Entries past the text (a stop sequence cut it) are not part of what the caller should see.
  let left = choice.text.length;
  for (const piece of pieces) {
    if (left <= 0) break;
    const shown = piece.slice(0, left);
    left -= shown.length;
    if (shown) onToken(row, shown);
  }
}

function report({ reachable, maxChoices, logprobs, topLogprobs }: EndpointState) {
  return { reachable, maxChoices, logprobs, topLogprobs };
}
