/**
 * Learning the server at load, so that `info().capabilities` is true before any strategy runs:
 * 1. Which server it is, from `/v1/models` (`owned_by` is "vllm" on vLLM and "llamacpp" on llama-server) and,
 *    failing that, Ollama's own `/api/version`; anything else is treated as OpenAI proper (no extra fields).
 *    llama-server's `/props` adds its slot count, context size and end-of-sequence token.
 * 2. What each endpoint does with one tiny request (1 token, n = 2, logprobs with k alternatives): whether
 *    `n` is honoured, refused or ignored (fewer choices back), whether log-probabilities come back and how
 *    many alternatives. An endpoint that fails the probe for a reason other than credentials is marked
 *    unreachable (OpenAI's chat models have no `/v1/completions`); the load fails only if both do.
 */
import { EngineError, RemoteEngineError } from '../errors.js';
import type { Http } from './openai-http.js';
import { readReply } from './openai-parse.js';
import { buildBody, choiceLimit, dialectOf, PATHS, type Endpoint, type OpenAIParams, type ServerKind } from './openai-request.js';

export interface ServerFacts {
  kind: ServerKind;
  contextLength: number | null;
  /** llama-server's parallel slots: the most choices one request may ask for. */
  slots: number | null;
  endTokens: string[];
}

export interface EndpointState {
  reachable: boolean;
  logprobs: boolean;
  topLogprobs: number;
  /** The most choices one request returns; null while no limit is known. */
  maxChoices: number | null;
  /** Entries carry token ids (llama-server), so watched tokens can be matched by id. */
  ids: boolean;
  /** Why the probe failed, for the error when every endpoint did. */
  problem?: Error;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const numberOr = (v: unknown, fallback: number | null) => (typeof v === 'number' && v > 0 ? v : fallback);

/** `GET` that answers null for a missing or failing endpoint (they are optional), but throws on bad credentials. */
async function optional(http: Http, path: string, signal: AbortSignal | undefined): Promise<Json | null> {
  try {
    const body = await http.json('GET', path, undefined, { signal, maxRetries: 0 });
    return isObject(body) ? body : null;
  } catch (error) {
    if (error instanceof RemoteEngineError && (error.status === 401 || error.status === 403)) throw error;
    if (error instanceof RemoteEngineError) return null;
    throw error;
  }
}

export async function detectServer(http: Http, model: string, forced: ServerKind | undefined, signal?: AbortSignal): Promise<ServerFacts> {
  // Also the connectivity and credentials check: retried like any request, and a 401 ends the load here.
  let listing: Json | null = null;
  try {
    const body = await http.json('GET', '/v1/models', undefined, { signal });
    listing = isObject(body) ? body : null;
  } catch (error) {
    if (!(error instanceof RemoteEngineError) || error.status === 401 || error.status === 403 || error.status === null) throw error;
  }
  const entries = Array.isArray(listing?.data) ? listing.data.filter(isObject) : [];
  const entry = entries.find((m) => m.id === model) ?? entries[0];
  const owner = typeof entry?.owned_by === 'string' ? entry.owned_by : '';
  let kind: ServerKind = forced ?? (owner === 'vllm' ? 'vllm' : owner === 'llamacpp' ? 'llama-server' : 'openai');
  if (!forced && kind === 'openai' && (await optional(http, '/api/version', signal))?.version !== undefined) kind = 'ollama';

  const facts: ServerFacts = { kind, contextLength: null, slots: null, endTokens: [] };
  if (kind === 'vllm') facts.contextLength = numberOr(entry?.max_model_len, null);
  if (kind === 'llama-server') {
    const props = await optional(http, '/props', signal);
    const settings = isObject(props?.default_generation_settings) ? props.default_generation_settings : {};
    facts.slots = numberOr(props?.total_slots, null);
    // n_ctx in /props is per slot, which is what one request gets.
    facts.contextLength = numberOr(settings.n_ctx, null) ?? numberOr(isObject(entry?.meta) ? entry.meta.n_ctx_train : undefined, null);
    if (typeof props?.eos_token === 'string') facts.endTokens.push(props.eos_token);
  }
  return facts;
}

const PROBE_PROMPTS: Record<Endpoint, OpenAIParams['prompt']> = {
  chat: { messages: [{ role: 'user', content: '1+1' }] },
  completions: { text: '1+1=' },
};

/**
 * One endpoint's behaviour. Asks for `maxTop` alternatives; a server that refuses that many (vLLM's
 * `--max-logprobs`, OpenAI's 5 on completions) is asked again with the number it names, or 5, then 1.
 */
export async function probeEndpoint(
  http: Http,
  model: string,
  facts: ServerFacts,
  endpoint: Endpoint,
  maxTop: number,
  signal?: AbortSignal,
): Promise<EndpointState> {
  const dialect = dialectOf(facts.kind);
  const state: EndpointState = { reachable: true, logprobs: true, topLogprobs: maxTop, maxChoices: facts.slots, ids: false };
  let n = 2;
  let k = maxTop;
  for (let attempt = 0; attempt < 6; attempt++) {
    const params: OpenAIParams = { prompt: PROBE_PROMPTS[endpoint], n, temperature: 1, maxTokens: 1, seed: 0 };
    const body = buildBody(dialect, model, params, { endpoint, n, seed: 0, k, maxTokens: 1, stream: false });
    try {
      const reply = readReply(
        await http.json('POST', PATHS[endpoint], body, { signal, permanent: (e) => choiceLimit(e, n, facts.slots) !== null }),
      );
      if (reply.choices.length === 0) throw new RemoteEngineError('The server answered the probe with no choices', { status: 200, retryable: false });
      if (n > 1 && reply.choices.length < n) state.maxChoices = reply.choices.length;
      const entries = reply.choices[0]!.entries;
      if (entries === null) {
        Object.assign(state, { logprobs: false, topLogprobs: 0 });
      } else {
        const seen = Math.max(0, ...entries.map((e) => e.top.length));
        state.topLogprobs = entries.length > 0 && seen > 0 ? Math.min(k, seen) : k;
        state.ids = entries.some((e) => e.id !== undefined);
      }
      return state;
    } catch (error) {
      if (!(error instanceof RemoteEngineError) || error.status === 401 || error.status === 403) throw error;
      const limit = choiceLimit(error, n, facts.slots);
      if (limit !== null && n > 1) {
        state.maxChoices = limit;
        n = 1;
        continue;
      }
      const text = String(error.details.serverMessage ?? error.message);
      if (error.status === 400 && /logprob/i.test(text) && k > 1) {
        const allowed = /max(?:imum)? allowed:?\s*(\d+)|<=\s*(\d+)|at most (\d+)/i.exec(text);
        const named = allowed ? Number(allowed[1] ?? allowed[2] ?? allowed[3]) : NaN;
        k = Number.isFinite(named) && named >= 1 && named < k ? named : k > 5 ? 5 : 1;
        state.topLogprobs = k;
        continue;
      }
      return { ...state, reachable: false, problem: error };
    }
  }
  return { ...state, reachable: false, problem: new EngineError(`The ${endpoint} endpoint kept refusing the probe`) };
}
