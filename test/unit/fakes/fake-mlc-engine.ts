import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionFinishReason,
  ChatCompletionMessageParam,
  ChatCompletionRequest,
  ChatCompletionRequestBase,
  ChatCompletionRequestNonStreaming,
  ChatCompletionRequestStreaming,
  ChatCompletionTokenLogprob,
  Completion,
  CompletionCreateParams,
  CompletionCreateParamsBase,
  CompletionCreateParamsNonStreaming,
  CompletionCreateParamsStreaming,
} from '@mlc-ai/web-llm';
import type { WebLlmCreateConfig, WebLlmEngineApi } from '../../../src/engine/webllm.js';

/**
 * A scripted stand-in for WebLLM 0.2.86's MLCEngine, following its source (lib/index.js) where it matters to
 * the adapter:
 * - streams are lazy async generators: the per-model lock is taken on the first next() and released only in
 *   the generator's `finally`, so a stream abandoned mid-way (no drain, no return()) holds it forever;
 * - the first token comes out of prefill, one chunk per token after that, each chunk carrying that token's
 *   logprobs entry; the end-of-sequence token gets an empty-delta chunk of its own, then a final chunk with
 *   the finish reason, then (with `stream_options.include_usage`) a usage chunk with no choices;
 * - logprobs: `null` unless `logprobs: true`, an empty list unless `top_logprobs >= 1`; they come from the
 *   tempered distribution, and temperature is clamped to 1e-6, so at 0 they are one-hot (0 and -Infinity);
 * - `n > 1` with `stream: true` throws StreamingCountError, a non-integer seed SeedTypeError, a prompt over
 *   the context window ContextWindowSizeExceededError (at prefill, inside the stream);
 * - `interruptGenerate()` sets one engine-wide flag, checked before each decode step. 0.2.86 clears it when a
 *   stream takes the lock; this fake keeps the older behaviour of issue #447 (it stays set until a generation
 *   sees it, and then that generation stops), so that an adapter passing these tests cannot lean on the reset.
 */

export type Script = (input: ChatCompletionMessageParam[] | string, seed: number | undefined, temperature: number) => string;

export interface FakeMlcOptions {
  /** What the model "says" for a prompt, seed and temperature. */
  script: Script;
  /** How text splits into tokens; default: words with their leading whitespace. */
  tokenize?: (text: string) => string[];
  contextWindow?: number;
  /** Delay of each prefill or decode step. */
  stepMs?: number;
  eosToken?: string;
  /** Temperature-1 probabilities of a few tokens at a position (the chosen token is added when missing). */
  distribution?: (chosen: string, position: number) => Record<string, number>;
}

type Chunk = ChatCompletionChunk | Completion;

export class FakeMLCEngine implements WebLlmEngineApi {
  /** Every request, in arrival order. */
  readonly requests: Array<ChatCompletionRequestBase | CompletionCreateParamsBase> = [];
  /** 'acquire' / 'release' of the lock and 'interrupt', in order. */
  readonly log: string[] = [];
  loadedModel: string | null = null;
  unloaded = false;
  loadError: Error | null = null;
  private interruptSignal = false;
  private readonly lock = new Lock();
  private readonly tokenize: (text: string) => string[];
  private readonly contextWindow: number;
  private readonly eos: string;

  constructor(private readonly options: FakeMlcOptions) {
    this.tokenize = options.tokenize ?? ((text) => text.match(/\s*\S+/g) ?? []);
    this.contextWindow = options.contextWindow ?? 4096;
    this.eos = options.eosToken ?? '<|im_end|>';
  }

  get lockHeld(): boolean {
    return this.lock.acquired;
  }

  /** Stands in for `CreateMLCEngine`: reports progress as it "downloads", like WebLLM's initProgressCallback. */
  async load(modelId: string, config: WebLlmCreateConfig): Promise<FakeMLCEngine> {
    const report = (progress: number, text: string) => config.initProgressCallback({ progress, timeElapsed: progress, text });
    report(0, 'Start to fetch params');
    await sleep(1);
    report(0.5, `Fetching param cache[1/2]: ${modelId}`);
    if (this.loadError) throw this.loadError;
    report(1, 'Finish loading on WebGPU - fake');
    this.loadedModel = modelId;
    return this;
  }

  chatCompletion(request: ChatCompletionRequestNonStreaming): Promise<ChatCompletion>;
  chatCompletion(request: ChatCompletionRequestStreaming): Promise<AsyncIterable<ChatCompletionChunk>>;
  chatCompletion(request: ChatCompletionRequestBase): Promise<AsyncIterable<ChatCompletionChunk> | ChatCompletion>;
  chatCompletion(request: ChatCompletionRequest): Promise<AsyncIterable<ChatCompletionChunk> | ChatCompletion>;
  async chatCompletion(request: ChatCompletionRequestBase): Promise<AsyncIterable<ChatCompletionChunk> | ChatCompletion> {
    this.check(request);
    const last = request.messages[request.messages.length - 1];
    if (last?.role !== 'user' && last?.role !== 'tool') {
      throw webllmError('MessageOrderError', 'Last message should be from either `user` or `tool`.');
    }
    return this.run(request, request.messages) as AsyncGenerator<ChatCompletionChunk>;
  }

  completion(request: CompletionCreateParamsNonStreaming): Promise<Completion>;
  completion(request: CompletionCreateParamsStreaming): Promise<AsyncIterable<Completion>>;
  completion(request: CompletionCreateParamsBase): Promise<AsyncIterable<Completion> | Completion>;
  completion(request: CompletionCreateParams): Promise<AsyncIterable<Completion> | Completion>;
  async completion(request: CompletionCreateParamsBase): Promise<AsyncIterable<Completion> | Completion> {
    this.check(request);
    return this.run(request, request.prompt) as AsyncGenerator<Completion>;
  }

  interruptGenerate(): void {
    this.log.push('interrupt');
    this.interruptSignal = true;
  }

  async unload(): Promise<void> {
    this.unloaded = true;
    this.loadedModel = null;
  }

  private check(request: ChatCompletionRequestBase | CompletionCreateParamsBase): void {
    this.requests.push(request);
    if (this.unloaded || !this.loadedModel) throw webllmError('ModelNotLoadedError', 'Model not loaded');
    if (request.stream && request.n && request.n > 1) {
      throw webllmError('StreamingCountError', 'When streaming, `n` cannot be > 1.');
    }
    if (request.seed != null && !Number.isInteger(request.seed)) {
      throw webllmError('SeedTypeError', '`seed` should be an integer, but got ' + request.seed);
    }
    if (request.top_logprobs != null) {
      if (!request.logprobs) throw webllmError('DependencyError', 'top_logprobs requires logprobs to be true');
      if (!(request.top_logprobs >= 0 && request.top_logprobs <= 5)) {
        throw webllmError('RangeError', 'Make sure 0 <= top_logprobs <= 5.');
      }
    }
    if (!request.stream) throw new Error('FakeMLCEngine models streaming requests only');
  }

  private async *run(request: ChatCompletionRequestBase | CompletionCreateParamsBase, input: ChatCompletionMessageParam[] | string): AsyncGenerator<Chunk> {
    await this.lock.acquire();
    this.log.push('acquire');
    try {
      const isChat = typeof input !== 'string';
      const rendered = isChat ? input.map((m) => `${m.role}: ${String(m.content)}`).join('\n') : input;
      const promptTokens = this.tokenize(rendered).length;
      if (promptTokens > this.contextWindow) {
        throw webllmError(
          'ContextWindowSizeExceededError',
          `Prompt tokens exceed context window size: number of prompt tokens: ${promptTokens}; ` +
            `context window size: ${this.contextWindow}\nConsider shortening the prompt.`,
        );
      }
      const temperature = request.temperature ?? 1;
      const reply = this.tokenize(this.options.script(input, request.seed ?? undefined, temperature));
      const maxTokens = request.max_tokens ?? Infinity;
      const topK = request.logprobs ? (request.top_logprobs ?? 0) : 0;
      let produced = 0;
      let finish: ChatCompletionFinishReason | null = null;

      const sample = (): Chunk => {
        const token = produced < reply.length ? reply[produced]! : this.eos;
        const entry = this.logprob(token, produced, temperature, topK);
        let text = '';
        if (token === this.eos) {
          finish = 'stop';
        } else {
          text = token;
          produced += 1;
          if (produced >= maxTokens || promptTokens + produced >= this.contextWindow) finish = 'length';
        }
        const logprobs = request.logprobs ? { content: topK > 0 ? [entry] : [] } : null;
        return this.chunk(isChat, { text, finish: null, logprobs });
      };

      await sleep(this.options.stepMs ?? 0);
      yield sample(); // prefill samples the first token
      while (finish === null) {
        if (this.interruptSignal) {
          this.interruptSignal = false;
          finish = 'abort';
          break;
        }
        await sleep(this.options.stepMs ?? 0);
        yield sample();
      }
      yield this.chunk(isChat, { text: null, finish, logprobs: undefined });
      if (request.stream_options?.include_usage) {
        const usage = { prompt_tokens: promptTokens, completion_tokens: produced, total_tokens: promptTokens + produced };
        const base = { id: 'fake', created: 0, model: this.loadedModel ?? '', usage: { ...usage, extra: EXTRA } };
        yield isChat ? { ...base, object: 'chat.completion.chunk', choices: [] } : { ...base, object: 'text_completion', choices: [] };
      }
    } finally {
      this.log.push('release');
      this.lock.release();
    }
  }

  private logprob(token: string, position: number, temperature: number, topK: number): ChatCompletionTokenLogprob {
    const base = this.options.distribution?.(token, position) ?? { [token]: 0.8, ' the': 0.08, ',': 0.06, '.': 0.04, ' a': 0.02 };
    const dist: Record<string, number> = token in base ? { ...base } : { ...base, [token]: 0.5 };
    // WebLLM: softmax(logits / max(T, 1e-6)), then Math.log of the float probabilities (0 gives -Infinity).
    const t = Math.max(temperature, 1e-6);
    const scaled = Object.entries(dist).map(([tok, p]) => [tok, Math.log(p) / t] as const);
    const max = Math.max(...scaled.map(([, s]) => s));
    const z = scaled.reduce((sum, [, s]) => sum + Math.exp(s - max), 0);
    const probs = scaled.map(([tok, s]) => [tok, Math.exp(s - max) / z] as const).sort((a, b) => b[1] - a[1]);
    const bytes = (s: string) => Array.from(new TextEncoder().encode(s));
    return {
      token,
      bytes: bytes(token),
      logprob: Math.log(probs.find(([tok]) => tok === token)![1]),
      top_logprobs: probs.slice(0, topK).map(([tok, p]) => ({ token: tok, bytes: bytes(tok), logprob: Math.log(p) })),
    };
  }

  private chunk(
    isChat: boolean,
    c: { text: string | null; finish: ChatCompletionFinishReason | null; logprobs: { content: ChatCompletionTokenLogprob[] } | null | undefined },
  ): Chunk {
    const base = { id: 'fake', created: 0, model: this.loadedModel ?? '' };
    if (isChat) {
      const delta = c.text === null ? {} : { content: c.text, role: 'assistant' as const };
      return { ...base, object: 'chat.completion.chunk', choices: [{ delta, finish_reason: c.finish, index: 0, logprobs: c.logprobs }] };
    }
    return { ...base, object: 'text_completion', choices: [{ text: c.text ?? '', finish_reason: c.finish, index: 0, logprobs: c.logprobs }] };
  }
}

const EXTRA = { e2e_latency_s: 0, prefill_tokens_per_s: 0, decode_tokens_per_s: 0, time_to_first_token_s: 0, time_per_output_token_s: 0 };

/** WebLLM's CustomLock: a FIFO of waiters; release hands the lock straight to the next one. */
class Lock {
  acquired = false;
  private readonly queue: Array<() => void> = [];
  async acquire(): Promise<void> {
    if (!this.acquired) {
      this.acquired = true;
      return;
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }
  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.acquired = false;
  }
}

/** WebLLM's errors are plain Errors told apart by `name`; the classes are not exported. */
function webllmError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
