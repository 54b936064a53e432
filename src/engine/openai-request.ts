/**
 * What to send to each kind of OpenAI-compatible server, and what its refusals mean. Everything here that
 * differs between servers was read from their sources and docs (see DESIGN.md, "OpenAI-compatible servers").
 */
import { RemoteEngineError } from '../errors.js';
import type { GenerateParams } from './engine.js';

export type ServerKind = 'vllm' | 'llama-server' | 'ollama' | 'openai';
export type Endpoint = 'chat' | 'completions';

export interface Dialect {
  kind: ServerKind;
  /**
   * Takes sampling fields outside OpenAI's schema (`top_k`, `min_p`, a repetition penalty) in the body.
   * vLLM and llama-server do; OpenAI proper rejects unknown fields (400 "Unrecognized request argument") and
   * Ollama's `/v1` drops them silently, so there a `topK` is refused rather than quietly ignored.
   */
  extraSampling: boolean;
  /**
   * Continues an open assistant turn: vLLM with `continue_final_message` (and no generation prompt),
   * llama-server by its "assistant prefill" (a chat that ends on an assistant message is continued, builds
   * since 2025). OpenAI and Ollama's `/v1` start a new turn after it, so there it is refused.
   */
  continueAssistant: boolean;
  /** OpenAI documents `seed` as best effort only; the open servers reproduce a seeded request. */
  seeded: boolean;
}

export function dialectOf(kind: ServerKind): Dialect {
  const open = kind === 'vllm' || kind === 'llama-server';
  return { kind, extraSampling: open, continueAssistant: open, seeded: kind !== 'openai' };
}

/** One HTTP request's share of a generate call. */
export interface Shot {
  endpoint: Endpoint;
  n: number;
  seed?: number;
  /** Alternatives to ask for per position; 0 asks for no log-probabilities at all. */
  k: number;
  maxTokens: number;
  stream: boolean;
}

export interface OpenAIParams extends GenerateParams {
  /**
   * Stop sequences, passed to the server as `stop`. The text ends before them; the steps may still hold the
   * tokens that completed one, as vLLM and llama-server report them.
   */
  stop?: string[];
}

export const PATHS: Record<Endpoint, string> = { chat: '/v1/chat/completions', completions: '/v1/completions' };

export function buildBody(dialect: Dialect, model: string, params: OpenAIParams, shot: Shot): Record<string, unknown> {
  // Temperature 0 is greedy on every one of these servers (vLLM and llama-server take the argmax).
  const body: Record<string, unknown> = { model, max_tokens: shot.maxTokens, temperature: params.temperature };
  // Pinned rather than left to the server: vLLM takes defaults from the model's generation_config and
  // llama-server from its command line (top_p 0.95, top_k 40, min_p 0.05), which would make "temperature t"
  // mean something else here than on the in-process engines.
  body.top_p = params.topP ?? 1;
  if (shot.n > 1) body.n = shot.n;
  if (shot.seed !== undefined) body.seed = shot.seed;
  if (params.stop?.length) body.stop = params.stop;
  if (shot.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  const { prompt } = params;
  if ('messages' in prompt) {
    body.messages = prompt.messages;
    // llama-server computes no probabilities at all for top_logprobs 0, so k is at least 1 whenever asked.
    if (shot.k > 0) Object.assign(body, { logprobs: true, top_logprobs: shot.k });
    if (prompt.continueFinal && dialect.kind === 'vllm') {
      Object.assign(body, { continue_final_message: true, add_generation_prompt: false });
    }
  } else {
    body.prompt = prompt.text;
    if (shot.k > 0) body.logprobs = shot.k;
    // Our raw prompts carry their own BOS (the prompt packs write it); vLLM would add a second one.
    if (dialect.kind === 'vllm') body.add_special_tokens = false;
  }
  if (dialect.kind === 'vllm') Object.assign(body, { top_k: params.topK ?? -1, min_p: 0, repetition_penalty: 1 });
  if (dialect.kind === 'llama-server') Object.assign(body, { top_k: params.topK ?? 0, min_p: 0, repeat_penalty: 1 });
  return body;
}

function serverText(error: RemoteEngineError): string {
  const message = error.details.serverMessage;
  return typeof message === 'string' ? message : error.message;
}

/**
 * How many choices one request may ask for, when `error` is a server refusing `n`: older llama-server says
 * "Only one completion choice is allowed" (a 500 on some builds, a 400 on others), newer ones refuse more
 * than their slots ("n_cmpl cannot be greater than the number of slots"). null: not such a refusal.
 */
export function choiceLimit(error: unknown, asked: number, slots: number | null): number | null {
  if (!(error instanceof RemoteEngineError)) return null;
  const text = serverText(error);
  if (/only one completion choice/i.test(text)) return 1;
  if (/number of slots/i.test(text)) return slots !== null && slots < asked ? Math.max(1, slots) : Math.max(1, Math.floor(asked / 2));
  if (/'n'/.test(text) && /unsupported|only supports|must be 1/i.test(text)) return 1;
  return null;
}

export interface ContextOverflow {
  contextLength: number | null;
  promptTokens: number | null;
}

/**
 * A server saying the prompt (or prompt plus `max_tokens`) does not fit, with what numbers it gives:
 * vLLM "This model's maximum context length is C tokens. However, you requested T tokens (P in the messages,
 * M in the completion)" or "... your request has P input tokens"; OpenAI "... your messages resulted in P
 * tokens"; llama-server "the request exceeds the available context size" with `n_prompt_tokens`/`n_ctx`.
 */
export function contextOverflow(error: unknown): ContextOverflow | null {
  if (!(error instanceof RemoteEngineError) || error.status !== 400) return null;
  const text = serverText(error);
  const ctxMatch = /maximum context length is (\d+)/i.exec(text);
  const isOverflow = ctxMatch !== null || /exceeds the available context size|context_length_exceeded|context length/i.test(text);
  if (!isOverflow) return null;
  const number = (value: unknown) => (typeof value === 'number' ? value : null);
  const promptMatch = /(\d+) in the messages|has (\d+) input tokens|resulted in (\d+) tokens/i.exec(text);
  const prompt = promptMatch ? Number(promptMatch[1] ?? promptMatch[2] ?? promptMatch[3]) : number(error.details.n_prompt_tokens);
  return { contextLength: ctxMatch ? Number(ctxMatch[1]) : number(error.details.n_ctx), promptTokens: prompt };
}

/** Known end-of-sequence spellings; a server that reports the EOS position uses one of them, or "". */
export const END_TOKENS = ['</s>', '<|endoftext|>', '<|im_end|>', '<|eot_id|>', '<|end_of_text|>', '<|end|>', '<end_of_turn>', '<eos>', '<|eos|>'];
