import type { AppConfig, InitProgressReport, MLCEngineInterface } from '@mlc-ai/web-llm';
import { ContextLengthError, DeviceUnavailableError, EngineError, InvalidRequestError, SecondThoughtError, throwIfAborted } from '../errors.js';
import type { ModelEntry } from '../models/catalog.js';
import { probeWebGpu, type GpuProbe } from './device.js';
import type { Engine, EngineInfo, EnginePrompt, GenerateOutput, GenerateParams, Generation, LoadEngineOptions } from './engine.js';
import { rowSeed } from './sampling.js';
import { InterruptLane, type Chunk } from './webllm-lane.js';
import { absorb, emptyStream, toGeneration } from './webllm-steps.js';

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

  // Every call runs alone through the lane (see webllm-lane.ts): WebLLM's interrupt is engine-wide.
  const lane = new InterruptLane(engine);
  let disposed = false;

  function open(params: GenerateParams, row: number): Promise<AsyncIterable<Chunk>> {
    const common = {
      stream: true as const,
      stream_options: { include_usage: true },
      // At temperature 0 WebLLM clamps the temperature to 1e-6, so its logprobs are one-hot (0 for the chosen
      // token, -Infinity for the rest): they say nothing about confidence. At other temperatures they come from
      // the tempered distribution, not the temperature-1 one `TokenStep` describes; they are exact only at 1.
      // We report what WebLLM gives rather than invent numbers; strategies must not read confidence from greedy
      // WebLLM steps. The same holds for the alternatives in `TokenStep.top`.
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
      // Always the most it gives: without top_logprobs >= 1 WebLLM reports no logprobs at all, and watched
      // tokens are looked up among these.
      logprobs: true,
      top_logprobs: TOP_LOGPROBS,
    };
    const { prompt } = params;
    return 'messages' in prompt
      ? engine.chatCompletion({ ...common, messages: prompt.messages })
      : engine.completion({ ...common, prompt: prompt.text });
  }

  async function generate(params: GenerateParams): Promise<GenerateOutput> {
    rejectUnsupported(params);
    throwIfAborted(params.signal);
    // Asked for more alternatives than WebLLM reports: as many as it has (capabilities say how many).
    const top = Math.min(Math.max(0, Math.floor(params.topLogprobs ?? 0)), TOP_LOGPROBS);
    const mapStreamError = (error: unknown) => mapError(error, params.prompt, model);
    return lane.exclusive(params.signal, mapStreamError, async (read) => {
      const generations: Generation[] = [];
      let promptTokens = 0;
      for (let index = 0; index < params.n; index++) {
        throwIfAborted(params.signal);
        const out = emptyStream();
        await read(
          () => open(params, index),
          (chunk) => absorb(out, chunk, (token) => params.onToken?.(index, token)),
        );
        generations.push(toGeneration(out, { watchTokens: params.watchTokens, top }));
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
      await lane.close();
      await engine.unload();
    },
  };
}

/**
 * What WebLLM cannot do is refused before any request, naming the field: quietly ignoring it would change
 * what "the same request" means from one engine to the other.
 */
function rejectUnsupported(params: GenerateParams): void {
  // WebLLM's OpenAI API has no top_k.
  if (params.topK !== undefined) {
    throw new InvalidRequestError('sampling.topK', "WebLLM has no top-k sampling; leave topK unset (topP works), or use engine 'transformers'");
  }
  // WebLLM's chat API only answers a user or tool turn (MessageOrderError otherwise) and does not expose the
  // chat template that rendering the open turn ourselves for completion() would need.
  if ('messages' in params.prompt && params.prompt.continueFinal) {
    throw new InvalidRequestError('prompt.continueFinal', "WebLLM's chat API cannot continue an assistant message; use engine 'transformers'");
  }
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
