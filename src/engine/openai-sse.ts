/**
 * Server-sent events from a `fetch` body, parsed by `eventsource-parser`.
 *
 * Why eventsource-parser under fetch rather than the official `openai` SDK: the adapter must read what the
 * SDK's types do not model and must send what they do not allow: llama-server's `id` in logprob entries and its
 * chat-shaped logprobs on `/v1/completions`, vLLM's `continue_final_message`/`add_special_tokens`/`top_k`,
 * llama-server's `/props` and `/tokenize`, Ollama's `/api/version`. It also needs its own retry rules (the
 * n-refusal of older llama-server is a 500 that must not be retried), its own timeout on silence, and to see
 * every error text before it can carry a key. The SDK would be bypassed or fought at each of these points;
 * eventsource-parser (a small, dependency-free, widely used parser; the AI SDK streams with it) does the one
 * fiddly part, the SSE framing, and runs in browsers, workers and Node alike, because all we hand it is text.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { RemoteEngineError } from '../errors.js';
import type { ReadContext } from './openai-http.js';
import { streamedError } from './openai-parse.js';

/**
 * Feeds each `data:` JSON payload to `onChunk` until `[DONE]` or the end of the body. Returns whether `[DONE]`
 * was seen. A payload that is an error object (llama-server and vLLM stream one when generation fails
 * midway) becomes a RemoteEngineError; a connection that drops surfaces as the body's read error, which the
 * lane treats as a network failure.
 */
export async function readEvents(
  response: Response,
  context: ReadContext,
  onChunk: (chunk: unknown) => void,
  redact: (text: string) => string,
): Promise<boolean> {
  if (!response.body) throw new RemoteEngineError('The server sent a streamed reply without a body', { status: response.status, retryable: true });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  // One object rather than two `let`s: the parser's callback sets them, and narrowing would not see that.
  const state: { done: boolean; failure: Error | null } = { done: false, failure: null };
  const parser = createParser({
    onEvent(event: EventSourceMessage) {
      if (state.done || state.failure) return;
      const data = event.data.trim();
      if (data === '[DONE]') {
        state.done = true;
        return;
      }
      if (data === '') return;
      let chunk: unknown;
      try {
        chunk = JSON.parse(data);
      } catch {
        state.failure = new RemoteEngineError(`The server streamed an event that is not JSON: ${redact(data.slice(0, 120))}`, { status: 200, retryable: false });
        return;
      }
      const error = streamedError(chunk);
      if (error) {
        const status = error.status;
        const retryable = status === null || status === 429 || status >= 500;
        state.failure = new RemoteEngineError(`The server reported an error mid-stream: ${redact(error.message.slice(0, 200))}`, { status, retryable });
        return;
      }
      onChunk(chunk);
    },
  });
  try {
    while (!state.done && !state.failure) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      context.touch();
      parser.feed(decoder.decode(value, { stream: true }));
    }
    if (state.failure) throw state.failure;
    return state.done;
  } finally {
    // Stop the transfer when we leave early ([DONE] with bytes still coming, an error, an abort).
    reader.cancel().catch(() => {});
  }
}
