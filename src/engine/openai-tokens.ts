/**
 * Token counts and token ids from the server's tokenizer where it has one: vLLM's `/tokenize` (text or chat
 * messages, rendered with the model's template) and llama-server's `/tokenize` (text; chats are first
 * rendered by its `/apply-template`). Elsewhere (OpenAI, Ollama), or when the endpoint turns out to be
 * missing, the count is an estimate and says so (`exact: false`).
 */
import { RemoteEngineError } from '../errors.js';
import type { EnginePrompt } from './engine.js';
import type { Http } from './openai-http.js';
import type { ServerKind } from './openai-request.js';

export interface TokenCount {
  tokens: number;
  /** false: an estimate (about four characters a token, one per digit), not the server's tokenizer. */
  exact: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A rough count for servers without a tokenizer endpoint: about four characters a token, one per digit (most
 * tokenizers split numbers finely), and a few tokens of chat-template framing per message.
 */
export function estimateTokens(prompt: EnginePrompt): number {
  const count = (text: string) => {
    const digits = text.replace(/\D/g, '').length;
    return digits + Math.ceil((text.length - digits) / 4);
  };
  if ('text' in prompt) return count(prompt.text);
  return prompt.messages.reduce((sum, m) => sum + 4 + count(m.content), 3);
}

export function createTokenizer(http: Http, kind: ServerKind, model: string) {
  /** null: not tried yet; false: the server has none (or it failed in a way that says so). */
  let available: boolean | null = kind === 'vllm' || kind === 'llama-server' ? null : false;
  const idCache = new Map<string, number | null>();

  async function tokenizeText(text: string, signal?: AbortSignal): Promise<number[]> {
    const body =
      kind === 'vllm'
        ? { model, prompt: text, add_special_tokens: false }
        : { content: text, add_special: false, parse_special: true };
    const reply = await http.json('POST', '/tokenize', body, { signal, maxRetries: 0 });
    if (!isObject(reply) || !Array.isArray(reply.tokens)) throw new RemoteEngineError('/tokenize answered without tokens', { status: 200, retryable: false });
    // llama-server answers `{id, piece}` objects when asked for pieces, plain ids otherwise.
    return reply.tokens.map((t) => (typeof t === 'number' ? t : isObject(t) && typeof t.id === 'number' ? t.id : NaN));
  }

  async function serverCount(prompt: EnginePrompt, signal?: AbortSignal): Promise<number> {
    if ('text' in prompt) return (await tokenizeText(prompt.text, signal)).length;
    const open = prompt.continueFinal === true;
    if (kind === 'vllm') {
      const body = { model, messages: prompt.messages, add_generation_prompt: !open, continue_final_message: open, add_special_tokens: false };
      const reply = await http.json('POST', '/tokenize', body, { signal, maxRetries: 0 });
      if (isObject(reply) && typeof reply.count === 'number') return reply.count;
      throw new RemoteEngineError('/tokenize answered without a count', { status: 200, retryable: false });
    }
    const rendered = await http.json('POST', '/apply-template', { messages: prompt.messages }, { signal, maxRetries: 0 });
    if (!isObject(rendered) || typeof rendered.prompt !== 'string') throw new RemoteEngineError('/apply-template answered without a prompt', { status: 200, retryable: false });
    return (await tokenizeText(rendered.prompt, signal)).length;
  }

  /** A missing route (404/405/501) means "never"; other failures only mean "not this time". */
  function settle(error: unknown): void {
    if (error instanceof RemoteEngineError && (error.status === 404 || error.status === 405 || error.status === 501)) available = false;
  }

  return {
    get exact(): boolean | null {
      return available;
    },

    async count(prompt: EnginePrompt, signal?: AbortSignal): Promise<TokenCount> {
      if (available !== false) {
        try {
          const tokens = await serverCount(prompt, signal);
          available = true;
          return { tokens, exact: true };
        } catch (error) {
          if (signal?.aborted) throw error;
          settle(error);
        }
      }
      return { tokens: estimateTokens(prompt), exact: false };
    },

    /** The single id of each token string, where the server's tokenizer has one; multi-token strings have none. */
    async ids(tokens: readonly string[], signal?: AbortSignal): Promise<Map<string, number>> {
      const out = new Map<string, number>();
      for (const token of tokens) {
        if (!idCache.has(token) && available !== false) {
          try {
            const ids = await tokenizeText(token, signal);
            idCache.set(token, ids.length === 1 && Number.isInteger(ids[0]) ? ids[0]! : null);
            available = true;
          } catch (error) {
            if (signal?.aborted) throw error;
            settle(error);
          }
        }
        const id = idCache.get(token);
        if (typeof id === 'number') out.set(token, id);
      }
      return out;
    },
  };
}

export type ServerTokenizer = ReturnType<typeof createTokenizer>;
