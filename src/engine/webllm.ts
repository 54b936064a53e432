import type {
  AppConfig,
  ChatCompletionChunk,
  ChatCompletionFinishReason,
  ChatCompletionTokenLogprob,
  Completion,
  InitProgressReport,
  MLCEngineInterface,
} from '@mlc-ai/web-llm';
import {
  AbortError,
  ContextLengthError,
  DeviceUnavailableError,
  EngineError,
  SecondThoughtError,
  throwIfAborted,
} from '../errors.js';
import type { ModelEntry } from '../models/catalog.js';
import { probeWebGpu, type GpuProbe } from './device.js';
import type { Engine, EngineInfo, EnginePrompt, GenerateOutput, GenerateParams, Generation, LoadEngineOptions, TokenStep } from './engine.js';
import { rowSeed } from './sampling.js';

/** The part of WebLLM's engine this adapter uses; the real `MLCEngine` satisfies it. */
export type WebLlmEngineApi = Pick<MLCEngineInterface, 'chatCompletion' | 'completion' | 'interruptGenerate' | 'unload'>;

export interface WebLlmCreateConfig {
  initProgressCallback: (report: InitProgressReport) => void;
  appConfig?: AppConfig;
}

export interface WebLlmDeps {
  createEngine?: (modelId: string, config: WebLlmCreateConfig) => Promise<WebLlmEngineApi>;
  probeGpu?: () => Promise<GpuProbe>;
}

/** WebLLM reports at most 5 alternatives per position, and none at all unless asked for at least 1. */
const TOP_LOGPROBS = 5;

type Chunk = ChatCompletionChunk | Completion;
type Step = IteratorResult<Chunk, unknown>;
const ABORTED = Symbol('aborted');
const noop = () => {};

async function createMlcEngine(modelId: string, config: WebLlmCreateConfig): Promise<WebLlmEngineApi> {
  // Loaded on first use only: the library is large and only WebLLM models need it.
  const webllm = await import('@mlc-ai/web-llm');
  return webllm.CreateMLCEngine(modelId, config);
}

export async function createWebLlmEngine(options: LoadEngineOptions, deps: WebLlmDeps = {}): Promise<Engine> {
  const { model, onProgress } = options;
  const { modelId, fallback } = await pickBuild(model, options.device, deps.probeGpu ?? probeWebGpu);

  let engine: WebLlmEngineApi;
  try {
    engine = await (deps.createEngine ?? createMlcEngine)(modelId, {
      initProgressCallback: (report) => onProgress?.({ progress: report.progress, text: report.text }),
    });
  } catch (error) {
    const hint =
      errorName(error) === 'DeviceLostError'
        ? ' (the GPU device was lost, usually out of memory: try a smaller model)'
        : errorName(error) === 'WebGPUNotAvailableError'
          ? ' (WebLLM found no usable WebGPU)'
          : '';
    throw new EngineError(`Could not load "${modelId}" with WebLLM${hint}: ${describe(error)}`);
  }
  onProgress?.({ progress: 1, text: `${modelId} ready on webgpu` });

  const info: EngineInfo = {
    engine: 'webllm',
    model: modelId,
    device: 'webgpu',
    fallback,
    capabilities: {
      batchedSampling: false,
      logprobs: true,
      topLogprobs: TOP_LOGPROBS,
      seededSampling: true,
      contextLength: model.contextLength,
      confidenceToken: false,
      // Its chat API refuses a conversation that ends on an assistant message.
      continueAssistant: false,
    },
  };

  /*
   * WebLLM's interrupt is one engine-wide flag (issue #447), and a stream left unfinished keeps its per-model
   * lock. So every call runs alone through `lane`, and work a call leaves behind (draining an aborted stream)
   * holds the lane too: the next request cannot start while the previous one is still winding down, so an
   * interrupt can only ever land on the request it was meant for.
   */
  let lane: Promise<void> = Promise.resolve();
  let disposed = false;
  /** An interrupt was raised but the stream it targeted ended without seeing it; it may stop the next one. */
  let interruptMayLinger = false;

  function exclusive<T>(signal: AbortSignal | undefined, task: (defer: (work: Promise<void>) => void) => Promise<T>): Promise<T> {
    const leftovers: Promise<void>[] = [];
    const run = lane.then(() => {
      if (disposed) throw new EngineError('This WebLLM engine has been disposed');
      throwIfAborted(signal);
      return task((work) => leftovers.push(work));
    });
    lane = run.then(noop, noop).then(() => Promise.all(leftovers)).then(noop);
    return run;
  }

  function open(params: GenerateParams, row: number): Promise<AsyncIterable<Chunk>> {
    const common = {
      stream: true as const,
      stream_options: { include_usage: true },
      // At temperature 0 WebLLM clamps the temperature to 1e-6, so its logprobs are one-hot (0 for the chosen
      // token, -Infinity for the rest): they say nothing about confidence. At other temperatures they come from
      // the tempered distribution, not the temperature-1 one `TokenStep` describes; they are exact only at 1.
      // We report what WebLLM gives rather than invent numbers; strategies must not read confidence from greedy
      // WebLLM steps.
      temperature: params.temperature,
      // Unset fields fall back to the model's mlc-chat-config (often a top_p below 1, a repetition_penalty
      // above 1), which would make "temperature t" and greedy mean something else here than on the transformers
      // engine, and bend the reported logprobs. Pin them to the plain distribution.
      top_p: params.topP ?? 1,
      repetition_penalty: 1,
      frequency_penalty: 0,
      presence_penalty: 0,
      max_tokens: params.maxTokens,
      // WebLLM's own `n` cannot stream, so rows are separate requests, each with a seed of its own.
      seed: params.seed === undefined ? undefined : rowSeed(params.seed, row),
      logprobs: true,
      top_logprobs: TOP_LOGPROBS,
    };
    const { prompt } = params;
    return 'messages' in prompt
      ? engine.chatCompletion({ ...common, messages: prompt.messages })
      : engine.completion({ ...common, prompt: prompt.text });
  }

  /** Reads one streamed request to its end; on abort, hands the stream's wind-down to `defer` and throws at once. */
  async function stream(
    params: GenerateParams,
    row: number,
    emit: (token: string) => void,
    defer: (work: Promise<void>) => void,
  ): Promise<StreamOut> {
    const out: StreamOut = { text: '', entries: [], finish: null, promptTokens: 0 };
    let iterable: AsyncIterable<Chunk>;
    try {
      iterable = await open(params, row);
    } catch (error) {
      throw mapError(error, params.prompt, model);
    }
    const it = iterable[Symbol.asyncIterator]();
    const { signal } = params;
    let removeListener = noop;
    const aborted = new Promise<typeof ABORTED>((resolve) => {
      if (!signal) return;
      const onAbort = () => resolve(ABORTED);
      signal.addEventListener('abort', onAbort, { once: true });
      removeListener = () => signal.removeEventListener('abort', onAbort);
      if (signal.aborted) resolve(ABORTED);
    });
    let ended = false;
    try {
      for (;;) {
        const pending = it.next();
        let step: Step | typeof ABORTED;
        try {
          step = await Promise.race([pending, aborted]);
        } catch (error) {
          ended = true; // a generator that throws is finished, and its own `finally` released the lock
          throw mapError(error, params.prompt, model);
        }
        if (step === ABORTED) {
          engine.interruptGenerate();
          ended = true;
          defer(windDown(it, pending));
          throw new AbortError();
        }
        if (step.done) {
          ended = true;
          return out;
        }
        absorb(out, step.value, emit);
      }
    } finally {
      removeListener();
      // Leaving early (an onToken callback threw) would leave the generator suspended with WebLLM's lock held:
      // return() runs its `finally`, which stops the pipeline and releases the lock.
      if (!ended) defer(closeQuietly(it));
    }
  }

  /**
   * After an abort: let the step in flight finish, then give the generator one more step, in which it checks
   * the interrupt flag before decoding and stops ("abort"). If it ended some other way the flag was never seen
   * and may stop the next request (WebLLM #447), which `generate` then tolerates once. Either way return()
   * finishes the generator so its lock is released.
   */
  async function windDown(it: AsyncIterator<Chunk>, pending: Promise<Step>): Promise<void> {
    const settle = (p: Promise<Step>): Promise<Step> => p.catch(() => ({ done: true, value: undefined }));
    let step = await settle(pending);
    if (!step.done && finishOf(step.value) === null) step = await settle(it.next());
    if (step.done || finishOf(step.value) !== 'abort') interruptMayLinger = true;
    await closeQuietly(it);
  }

  async function row(params: GenerateParams, index: number, defer: (work: Promise<void>) => void) {
    for (let attempt = 0; ; attempt++) {
      const suspect = interruptMayLinger;
      interruptMayLinger = false;
      // A row that a leftover interrupt may cut short streams its tokens only once it is known to be real.
      const held: string[] = [];
      const emit = suspect ? (t: string) => void held.push(t) : (t: string) => params.onToken?.(index, t);
      const out = await stream(params, index, emit, defer);
      if (out.finish === 'abort') {
        if (suspect && attempt === 0) continue; // the stale interrupt is spent now
        throw new EngineError('WebLLM ended a generation as interrupted, but no abort was requested');
      }
      for (const t of held) params.onToken?.(index, t);
      return out;
    }
  }

  async function generate(params: GenerateParams): Promise<GenerateOutput> {
    // WebLLM's OpenAI API has no top_k; quietly ignoring it would change what "the same request" means.
    if (params.topK !== undefined) throw new EngineError('topK is not supported by WebLLM');
    // WebLLM's chat API only answers a user or tool turn (MessageOrderError otherwise) and does not expose the
    // chat template that rendering the open turn ourselves for completion() would need.
    if ('messages' in params.prompt && params.prompt.continueFinal) {
      throw new EngineError('continueFinal is not supported by WebLLM: its chat API cannot continue an assistant message');
    }
    throwIfAborted(params.signal);
    return exclusive(params.signal, async (defer) => {
      const generations: Generation[] = [];
      let promptTokens = 0;
      for (let index = 0; index < params.n; index++) {
        throwIfAborted(params.signal);
        const out = await row(params, index, defer);
        generations.push(toGeneration(out, params.watchTokens));
        // Usage counts the tokens actually prefilled. When WebLLM reuses its KV cache (the messages extend
        // the previous conversation) that is only the new part; later rows always prefill the whole prompt.
        promptTokens = Math.max(promptTokens, out.promptTokens);
      }
      return { generations, promptTokens: promptTokens || estimateTokens(params.prompt) };
    });
  }

  return {
    info: () => info,
    // MLCEngineInterface exposes no tokenizer, and measuring would cost a prefill: an estimate. WebLLM itself
    // enforces the exact limit (ContextWindowSizeExceededError, reported as ContextLengthError).
    countTokens: async (prompt) => estimateTokens(prompt),
    generate,
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      await lane;
      await engine.unload();
    },
  };
}

async function pickBuild(model: ModelEntry, device: LoadEngineOptions['device'], probe: () => Promise<GpuProbe>) {
  const needsWebGpu = (why: string) =>
    new DeviceUnavailableError(
      `WebGPU is required for WebLLM models and ${why}; "${model.id}" cannot run on WASM. ` +
        `For WASM, choose an ONNX model with engine 'transformers'.`,
    );
  if (device === 'wasm') throw needsWebGpu('device "wasm" was requested');
  const gpu = await probe();
  if (!gpu.available) throw needsWebGpu(gpu.reason ?? 'no WebGPU adapter was found');
  if (!model.needsShaderF16 || gpu.shaderF16) return { modelId: model.id, fallback: null };
  if (!model.f32Variant) {
    throw new DeviceUnavailableError(`"${model.id}" needs the WebGPU feature shader-f16, which this adapter lacks`);
  }
  return { modelId: model.f32Variant, fallback: `shader-f16 unavailable; using ${model.f32Variant}` };
}

interface StreamOut {
  text: string;
  entries: ChatCompletionTokenLogprob[];
  finish: ChatCompletionFinishReason | null;
  promptTokens: number;
}

function absorb(out: StreamOut, chunk: Chunk, emit: (token: string) => void): void {
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

function toGeneration(out: StreamOut, watchTokens: string[] | undefined): Generation {
  if (out.finish !== 'stop' && out.finish !== 'length') {
    throw new EngineError(`WebLLM ended a stream with finish reason ${String(out.finish)}`);
  }
  // On "stop" the last entry is the token that ended the reply (end-of-sequence), which steps exclude.
  const entries = out.finish === 'stop' ? out.entries.slice(0, -1) : out.entries;
  return { text: out.text, steps: entries.map((e) => toStep(e, watchTokens)), finishReason: out.finish };
}

function toStep(entry: ChatCompletionTokenLogprob, watchTokens: string[] | undefined): TokenStep {
  const step: TokenStep = { token: entry.token, logprob: entry.logprob };
  if (!watchTokens?.length) return step;
  const watched: Record<string, number> = {};
  for (const token of watchTokens) {
    // Only what WebLLM reported: a watched token outside this position's top 5 has no number, not a guess.
    const found = entry.token === token ? entry : entry.top_logprobs.find((c) => c.token === token);
    if (found) watched[token] = found.logprob;
  }
  step.watched = watched;
  return step;
}

function finishOf(chunk: Chunk): ChatCompletionFinishReason | null {
  return chunk.choices[0]?.finish_reason ?? null;
}

async function closeQuietly(it: AsyncIterator<Chunk>): Promise<void> {
  try {
    await it.return?.();
  } catch {
    // The stream is being abandoned; its error has no one left to go to.
  }
}

function mapError(error: unknown, prompt: EnginePrompt, model: ModelEntry): Error {
  if (error instanceof SecondThoughtError) return error;
  if (errorName(error) === 'ContextWindowSizeExceededError') {
    // WebLLM puts the numbers only in the message: "number of prompt tokens: N; context window size: M".
    const text = error instanceof Error ? error.message : '';
    const promptTokens = /prompt tokens:\s*(\d+)/.exec(text)?.[1];
    const window = /context window size:\s*(\d+)/.exec(text)?.[1];
    return new ContextLengthError(
      promptTokens ? Number(promptTokens) : estimateTokens(prompt),
      window ? Number(window) : model.contextLength,
    );
  }
  return new EngineError(`WebLLM generation failed: ${describe(error)}`);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * A rough count for when WebLLM cannot tell us: about four characters a token, one per digit (Qwen and Llama
 * split numbers finely), and a few tokens of chat-template framing per message.
 */
function estimateTokens(prompt: EnginePrompt): number {
  const count = (text: string) => {
    const digits = text.replace(/\D/g, '').length;
    return digits + Math.ceil((text.length - digits) / 4);
  };
  if ('text' in prompt) return count(prompt.text);
  return prompt.messages.reduce((sum, m) => sum + 4 + count(m.content), 3);
}
