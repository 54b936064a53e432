import { chooseToken, createRng, rowSeed } from '../../src/engine/sampling.js';
import type { FixtureModel } from './openai-fixture-models.js';

/**
 * The test server's sampler and the JSON each real server answers with. The shapes follow the servers'
 * sources: llama-server's `probs_vector_to_json` (entries with `id`, `token`, `bytes`, `logprob`, special
 * tokens rendered as "" unless `--special`, the EOS position included, the same `content` layout on
 * `/v1/completions`, and in streams no chunk, hence no logprobs, for a token whose text is empty), vLLM's
 * (OpenAI's chat layout with special tokens spelled out and the EOS position included; the legacy
 * `{tokens, token_logprobs, top_logprobs, text_offset}` on `/v1/completions`, whose top maps also hold the
 * chosen token), Ollama's `/v1` (no logprobs, one choice), OpenAI's (no EOS position).
 */
export type ServerMode = 'llama-server' | 'vllm' | 'ollama' | 'openai';

export interface SampledToken {
  id: number;
  logprob: number;
  top: { id: number; logprob: number }[];
}

export interface SampledChoice {
  tokens: SampledToken[];
  text: string;
  finish: 'stop' | 'length';
}

export interface SampleOptions {
  temperature: number;
  topK?: number;
  topP?: number;
  seed: number;
  maxTokens: number;
  nTop: number;
  stop: string[];
}

export async function sampleChoice(model: FixtureModel, prompt: readonly number[], options: SampleOptions, row: number): Promise<SampledChoice> {
  const rng = createRng(rowSeed(options.seed, row));
  const ids = [...prompt];
  const tokens: SampledToken[] = [];
  let text = '';
  while (tokens.length < options.maxTokens && ids.length < model.contextLength) {
    const logprobs = await model.next(ids);
    const chosen = chooseToken(logprobs, { temperature: options.temperature, topK: options.topK || undefined, topP: options.topP }, rng);
    const order = Array.from(logprobs.keys()).sort((a, b) => logprobs[b]! - logprobs[a]! || a - b);
    tokens.push({ id: chosen, logprob: logprobs[chosen]!, top: order.slice(0, options.nTop).map((i) => ({ id: i, logprob: logprobs[i]! })) });
    ids.push(chosen);
    if (chosen === model.eos) return { tokens, text, finish: 'stop' };
    if (!model.special.has(chosen)) text += model.vocab[chosen];
    const hit = options.stop.map((s) => text.indexOf(s)).filter((i) => i !== -1);
    if (hit.length > 0) return { tokens, text: text.slice(0, Math.min(...hit)), finish: 'stop' };
  }
  return { tokens, text, finish: 'length' };
}

const bytes = (s: string) => [...new TextEncoder().encode(s)];

export class Shapes {
  constructor(
    private readonly mode: ServerMode,
    private readonly model: FixtureModel,
  ) {}

  private shown(id: number): string {
    const token = this.model.vocab[id]!;
    return this.mode === 'llama-server' && this.model.special.has(id) ? '' : token;
  }

  private textOf(id: number): string {
    return this.model.special.has(id) ? '' : this.model.vocab[id]!;
  }

  /** Tokens that get a logprobs entry: OpenAI reports no EOS position. */
  reported(choice: SampledChoice): SampledToken[] {
    const last = choice.tokens.at(-1);
    return this.mode === 'openai' && last?.id === this.model.eos ? choice.tokens.slice(0, -1) : choice.tokens;
  }

  private alt(id: number, logprob: number) {
    const token = this.shown(id);
    return this.mode === 'llama-server' ? { id, token, bytes: bytes(token), logprob } : { token, logprob, bytes: bytes(token) };
  }

  entry(t: SampledToken) {
    return { ...this.alt(t.id, t.logprob), top_logprobs: t.top.map((a) => this.alt(a.id, a.logprob)) };
  }

  /** A choice's `logprobs` object, or null where the server sends none. */
  logprobs(endpoint: 'chat' | 'completions', tokens: SampledToken[], asked: boolean, textOffset = 0): unknown {
    if (!asked || this.mode === 'ollama') return null;
    if (endpoint === 'chat' || this.mode === 'llama-server') return { content: tokens.map((t) => this.entry(t)) };
    let offset = textOffset;
    const text_offset: number[] = [];
    for (const t of tokens) {
      text_offset.push(offset);
      offset += this.textOf(t.id).length;
    }
    return {
      tokens: tokens.map((t) => this.shown(t.id)),
      token_logprobs: tokens.map((t) => t.logprob),
      top_logprobs: tokens.map((t) => {
        const map: Record<string, number> = {};
        for (const a of t.top) map[this.shown(a.id)] = a.logprob;
        map[this.shown(t.id)] = t.logprob;
        return map;
      }),
      text_offset,
    };
  }

  body(endpoint: 'chat' | 'completions', choices: SampledChoice[], asked: boolean, modelName: string, promptTokens: number) {
    const completionTokens = choices.reduce((s, c) => s + c.tokens.length, 0);
    return {
      id: `cmpl-${Math.random().toString(36).slice(2)}`,
      object: endpoint === 'chat' ? 'chat.completion' : 'text_completion',
      created: Math.floor(Date.now() / 1000),
      model: modelName,
      ...(this.mode === 'llama-server' ? { system_fingerprint: 'b6000-fixture' } : {}),
      choices: choices.map((c, index) => {
        const logprobs = this.logprobs(endpoint, this.reported(c), asked);
        return endpoint === 'chat'
          ? { index, message: { role: 'assistant', content: c.text }, logprobs, finish_reason: c.finish }
          : { index, text: c.text, logprobs, finish_reason: c.finish };
      }),
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
  }

  /**
   * The stream's chunks in order: choices interleaved token by token, then each choice's finish, then usage.
   * Text deltas are cut at a stop sequence exactly as the whole text is.
   */
  chunks(endpoint: 'chat' | 'completions', choices: SampledChoice[], asked: boolean, usage: unknown | null): unknown[] {
    const out: unknown[] = [];
    const wrap = (part: Record<string, unknown>) => ({ object: endpoint === 'chat' ? 'chat.completion.chunk' : 'text_completion', choices: [part] });
    const sent = choices.map(() => 0);
    const longest = Math.max(...choices.map((c) => this.reported(c).length));
    if (endpoint === 'chat') choices.forEach((_, index) => out.push(wrap({ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null })));
    for (let step = 0; step < longest; step++) {
      choices.forEach((choice, index) => {
        const token = this.reported(choice)[step];
        if (!token) return;
        let piece = this.textOf(token.id);
        piece = piece.slice(0, Math.max(0, choice.text.length - sent[index]!));
        // llama-server sends nothing for a token that adds no text (the first one aside), logprobs included.
        if (this.mode === 'llama-server' && piece === '' && step > 0) return;
        const logprobs = this.logprobs(endpoint, [token], asked, sent[index]);
        sent[index]! += piece.length;
        out.push(wrap(endpoint === 'chat' ? { index, delta: { content: piece }, logprobs, finish_reason: null } : { index, text: piece, logprobs, finish_reason: null }));
      });
    }
    choices.forEach((choice, index) =>
      out.push(wrap(endpoint === 'chat' ? { index, delta: {}, logprobs: null, finish_reason: choice.finish } : { index, text: '', logprobs: null, finish_reason: choice.finish })),
    );
    if (usage) out.push({ object: 'chunk', choices: [], usage });
    return out;
  }
}
