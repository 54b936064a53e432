import type { ChatCompletionFinishReason, ChatCompletionTokenLogprob } from '@mlc-ai/web-llm';
import { EngineError } from '../errors.js';
import type { Generation, TokenStep } from './engine.js';
import type { Chunk } from './webllm-lane.js';

/**
 * WebLLM's streamed chunks read into one `Generation`: text, one step per token entry, the finish reason and
 * the prompt's token count from the usage chunk. Only what WebLLM reported is passed on, never a guess.
 */

export interface StreamOut {
  text: string;
  entries: ChatCompletionTokenLogprob[];
  finish: ChatCompletionFinishReason | null;
  promptTokens: number;
}

export function emptyStream(): StreamOut {
  return { text: '', entries: [], finish: null, promptTokens: 0 };
}

export function absorb(out: StreamOut, chunk: Chunk, emit: (token: string) => void): void {
  if (chunk.usage) out.promptTokens = chunk.usage.prompt_tokens;
  const choice = chunk.choices[0];
  if (!choice) return;
  const text = 'delta' in choice ? choice.delta.content : choice.text;
  if (text) {
    out.text += text;
    emit(text);
  }
  // Each token chunk carries that token's entry. WebLLM holds back a chunk whose text ends inside a UTF-8
  // sequence, and that token's entry is then never sent, so `steps` can miss such tokens.
  if (choice.logprobs?.content) out.entries.push(...choice.logprobs.content);
  if (choice.finish_reason) out.finish = choice.finish_reason;
}

export interface StepOptions {
  watchTokens?: string[];
  /** Alternatives per step to report, at most what WebLLM was asked for. */
  top: number;
}

export function toGeneration(out: StreamOut, options: StepOptions): Generation {
  if (out.finish !== 'stop' && out.finish !== 'length') {
    throw new EngineError(`WebLLM ended a stream with finish reason ${String(out.finish)}`);
  }
  // On "stop" the last entry is the token that ended the reply (end-of-sequence), which steps exclude.
  const entries = out.finish === 'stop' ? out.entries.slice(0, -1) : out.entries;
  return { text: out.text, steps: entries.map((e) => toStep(e, options)), finishReason: out.finish };
}

function toStep(entry: ChatCompletionTokenLogprob, { watchTokens, top }: StepOptions): TokenStep {
  const step: TokenStep = { token: entry.token, logprob: entry.logprob };
  if (watchTokens?.length) {
    const watched: Record<string, number> = {};
    for (const token of watchTokens) {
      // Only what WebLLM reported: a watched token outside this position's top 5 has no number, not a guess.
      const found = entry.token === token ? entry : entry.top_logprobs.find((c) => c.token === token);
      if (found) watched[token] = found.logprob;
    }
    step.watched = watched;
  }
  if (top > 0) {
    step.top = [...entry.top_logprobs]
      .sort((a, b) => b.logprob - a.logprob)
      .slice(0, top)
      .map(({ token, logprob }) => ({ token, logprob }));
  }
  return step;
}
