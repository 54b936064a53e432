import type {
  PreTrainedModel,
  PreTrainedTokenizer,
  ProgressInfo,
  Tensor as TensorType,
} from '@huggingface/transformers';
import { AbortError, ContextLengthError, EngineError, throwIfAborted } from '../errors.js';
import type { ModelEntry } from '../models/catalog.js';
import type { ChatMessage, Device } from '../types.js';
import type {
  Engine,
  EngineInfo,
  EnginePrompt,
  GenerateOutput,
  GenerateParams,
  Generation,
  ProgressCallback,
  TokenStep,
} from './engine.js';
import { chooseToken, createRng, logSoftmax, rowSeed, type Rng } from './sampling.js';
import { resolveBrowserDevice, type DeviceRequest } from './device.js';

export interface TransformersEngineOptions {
  model: ModelEntry;
  device: DeviceRequest;
  /** Where models are served (browser: a URL; Node: a folder). Every model is then read from there, never a hub. */
  modelBase?: string;
  onProgress?: ProgressCallback;
}

type TransformersModule = typeof import('@huggingface/transformers');

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof window === 'undefined';

export async function createTransformersEngine(options: TransformersEngineOptions): Promise<Engine> {
  const { model, onProgress } = options;
  const hf: TransformersModule = await import('@huggingface/transformers');
  const { device, fallback } = isNode ? nodeDevice(options.device) : await resolveBrowserDevice(options.device);
  configureEnvironment(hf, model, options.modelBase);

  const progress = createProgressReporter(model.id, onProgress);
  let tokenizer: PreTrainedTokenizer;
  let lm: PreTrainedModel;
  try {
    tokenizer = await hf.AutoTokenizer.from_pretrained(model.id, { progress_callback: progress });
    lm = await hf.AutoModelForCausalLM.from_pretrained(model.id, {
      device: device === 'cpu' ? 'cpu' : device,
      dtype: model.dtype?.[device] ?? 'fp32',
      progress_callback: progress,
      ...(model.onnxThreads ? { session_options: { intraOpNumThreads: model.onnxThreads, interOpNumThreads: 1 } } : {}),
    });
  } catch (cause) {
    throw new EngineError(`Could not load model "${model.id}" on ${device}: ${describe(cause)}`);
  }
  onProgress?.({ progress: 1, text: `${model.id} ready on ${device}` });

  const config = lm.config as unknown as { max_position_embeddings?: number };
  const contextLength = config.max_position_embeddings ?? model.contextLength;
  const eosIds = collectEosIds(lm, tokenizer);
  const padId = eosIds[0]!;
  // get_vocab() builds a new Map of the whole vocabulary on every call (151k entries for Qwen): read it once.
  const vocab = tokenizer.get_vocab();
  const hasConfidenceToken = vocab.has('<CN>') && vocab.has('<UN>');

  const info: EngineInfo = {
    engine: 'transformers',
    model: model.id,
    device,
    fallback,
    capabilities: {
      batchedSampling: true,
      logprobs: true,
      topLogprobs: 0,
      seededSampling: true,
      contextLength,
      confidenceToken: hasConfidenceToken,
      continueAssistant: true,
    },
  };

  function encode(prompt: EnginePrompt): number[] {
    const text =
      'messages' in prompt
        ? prompt.continueFinal
          ? renderOpenTurn(tokenizer, prompt.messages)
          : (tokenizer.apply_chat_template(prompt.messages, { add_generation_prompt: true, tokenize: false }) as string)
        : prompt.text;
    // The chat template (and our prompt packs' raw formats) already carry the BOS token.
    return tokenizer.encode(text, { add_special_tokens: false });
  }

  function tokenId(token: string): number | undefined {
    return vocab.get(token);
  }

  async function generate(params: GenerateParams): Promise<GenerateOutput> {
    throwIfAborted(params.signal);
    const ids = encode(params.prompt);
    if (ids.length >= contextLength) throw new ContextLengthError(ids.length, contextLength);
    const maxNewTokens = Math.min(params.maxTokens, contextLength - ids.length);
    const rows = params.n;

    const watched = (params.watchTokens ?? [])
      .map((token) => [token, tokenId(token)] as const)
      .filter((pair): pair is readonly [string, number] => pair[1] !== undefined);
    const seed = params.seed ?? Math.floor(Math.random() * 2 ** 32);
    const rngs: Rng[] = Array.from({ length: rows }, (_, row) => createRng(rowSeed(seed, row)));
    const steps: TokenStep[][] = Array.from({ length: rows }, () => []);
    const tokenIds: number[][] = Array.from({ length: rows }, () => []);
    const finished: boolean[] = new Array<boolean>(rows).fill(false);

    const { SeededSampler, SignalStopper } = (hooks ??= defineHooks(hf));
    const sampler = new SeededSampler((logits) => {
      const vocab = logits.dims.at(-1)!;
      const data = logits.data as Float32Array;
      for (let row = 0; row < rows; row++) {
        const slice = data.subarray(row * vocab, (row + 1) * vocab);
        let chosen: number;
        if (finished[row]) {
          chosen = padId;
        } else {
          const logprobs = logSoftmax(slice);
          chosen = chooseToken(logprobs, params, rngs[row]!);
          if (eosIds.includes(chosen)) {
            finished[row] = true;
          } else {
            const token = tokenizer.decode([chosen], { skip_special_tokens: false });
            const step: TokenStep = { token, logprob: logprobs[chosen]! };
            if (watched.length > 0) step.watched = Object.fromEntries(watched.map(([t, id]) => [t, logprobs[id]!]));
            steps[row]!.push(step);
            tokenIds[row]!.push(chosen);
            params.onToken?.(row, token);
          }
        }
        // Leave only the chosen token finite so the engine's greedy pick takes it.
        slice.fill(-Infinity);
        slice[chosen] = 0;
      }
      return logits;
    });
    const processors = new hf.LogitsProcessorList();
    processors.push(sampler);
    const stoppers = new hf.StoppingCriteriaList();
    stoppers.push(new SignalStopper(params.signal, () => finished.every(Boolean)));

    const inputIds = new hf.Tensor('int64', BigInt64Array.from({ length: rows * ids.length }, (_, i) => BigInt(ids[i % ids.length]!)), [rows, ids.length]);
    const attentionMask = new hf.Tensor('int64', new BigInt64Array(rows * ids.length).fill(1n), [rows, ids.length]);
    try {
      const output = (await lm.generate({
        inputs: inputIds,
        attention_mask: attentionMask,
        max_new_tokens: maxNewTokens,
        do_sample: false,
        // Processors the model's generation_config may ask for would change the logits under our sampler.
        repetition_penalty: 1,
        no_repeat_ngram_size: 0,
        min_length: 0,
        logits_processor: processors,
        stopping_criteria: stoppers,
      })) as TensorType;
      output.dispose?.();
    } catch (cause) {
      if (params.signal?.aborted) throw new AbortError();
      throw new EngineError(`Generation failed: ${describe(cause)}`);
    }
    if (params.signal?.aborted) throw new AbortError();

    const generations: Generation[] = steps.map((rowSteps, row) => ({
      // decode() rejects an empty list: a row that ended at once has no text.
      text: tokenIds[row]!.length === 0 ? '' : tokenizer.decode(tokenIds[row]!, { skip_special_tokens: true }),
      steps: rowSteps,
      finishReason: finished[row] ? 'stop' : 'length',
    }));
    return { generations, promptTokens: ids.length };
  }

  return {
    info: () => info,
    countTokens: async (prompt) => encode(prompt).length,
    generate,
    dispose: async () => {
      await lm.dispose();
    },
  };
}

/**
 * Our sampler runs as the engine's last logits processor (it must be synchronous: an async one breaks
 * generate()); the stopper ends generation between tokens on abort or once every row has ended.
 * Defined on first use because the library is imported lazily.
 */
function defineHooks(hf: TransformersModule) {
  class SeededSampler extends hf.LogitsProcessor {
    constructor(private readonly choose: (logits: TensorType) => TensorType) {
      super();
    }
    override _call(_inputIds: bigint[][], logits: TensorType): TensorType {
      return this.choose(logits);
    }
  }
  class SignalStopper extends hf.StoppingCriteria {
    constructor(
      private readonly signal: AbortSignal | undefined,
      private readonly allDone: () => boolean,
    ) {
      super();
    }
    override _call(inputIds: number[][]): boolean[] {
      const stop = this.signal?.aborted === true || this.allDone();
      return new Array<boolean>(inputIds.length).fill(stop);
    }
  }
  return { SeededSampler, SignalStopper };
}

let hooks: ReturnType<typeof defineHooks> | undefined;

const OPEN_TURN_MARK = '\u0000second-thought:open-turn\u0000';

/**
 * The chat rendered with its last message left open for the model to continue. transformers.js 4.3 has
 * no `continue_final_message`, so the last message is rendered with a marker after its content and the
 * text is cut at the marker, dropping the template's end-of-turn suffix.
 */
function renderOpenTurn(tokenizer: PreTrainedTokenizer, messages: ChatMessage[]): string {
  const last = messages.at(-1);
  if (!last || last.role !== 'assistant') throw new EngineError('continueFinal needs the last message to be the assistant\'s');
  const marked = [...messages.slice(0, -1), { ...last, content: last.content + OPEN_TURN_MARK }];
  const rendered = tokenizer.apply_chat_template(marked, { add_generation_prompt: false, tokenize: false }) as string;
  const at = rendered.lastIndexOf(OPEN_TURN_MARK);
  if (at === -1) throw new EngineError("This model's chat template cannot leave the assistant turn open");
  return rendered.slice(0, at);
}

function nodeDevice(requested: DeviceRequest): { device: Device; fallback: string | null } {
  if (requested === 'auto') return { device: 'cpu', fallback: null };
  return { device: 'cpu', fallback: `${requested} is not available in Node; using onnxruntime-node on the CPU` };
}

const HUB = { host: 'https://huggingface.co/', template: '{model}/resolve/{revision}/' };

function configureEnvironment(hf: TransformersModule, model: ModelEntry, modelBase: string | undefined): void {
  const { env } = hf;
  if (!isNode) {
    // Left at its default, ONNX Runtime fetches its wasm from a CDN; unset, it resolves the files next to
    // its own module (which the bundler emits), so the app works offline.
    const wasm = env.backends.onnx.wasm;
    if (wasm) wasm.wasmPaths = undefined as unknown as string;
  }
  if (modelBase === undefined) {
    if (model.bundled) throw new EngineError(`Bundled model "${model.id}" needs a modelBase to load from`);
    Object.assign(env, { allowLocalModels: false, allowRemoteModels: true, remoteHost: HUB.host, remotePathTemplate: HUB.template });
    return;
  }
  // A model base means "serve every model from here, never from a hub".
  if (isNode) {
    Object.assign(env, { allowLocalModels: true, allowRemoteModels: false, localModelPath: ensureTrailingSlash(modelBase) });
    return;
  }
  const url = new URL(ensureTrailingSlash(modelBase), globalThis.location.href);
  if (url.origin === globalThis.location.origin) {
    // transformers.js only probes a local model path that is not a full URL: give it the path.
    Object.assign(env, { allowLocalModels: true, allowRemoteModels: false, localModelPath: url.pathname });
  } else {
    // Another origin (an embedded widget's models): serve it as the "hub", with a flat layout.
    Object.assign(env, { allowLocalModels: false, allowRemoteModels: true, remoteHost: url.href, remotePathTemplate: '{model}/' });
  }
}

function ensureTrailingSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

function collectEosIds(lm: PreTrainedModel, tokenizer: PreTrainedTokenizer): number[] {
  const fromConfig = (lm.generation_config as { eos_token_id?: number | number[] | null } | null)?.eos_token_id;
  const ids = new Set<number>();
  for (const id of [fromConfig].flat()) if (typeof id === 'number') ids.add(id);
  const eos = (tokenizer as unknown as { eos_token_id?: number }).eos_token_id;
  if (typeof eos === 'number') ids.add(eos);
  if (ids.size === 0) throw new EngineError('The model defines no end-of-sequence token');
  return [...ids];
}

function createProgressReporter(modelId: string, onProgress: ProgressCallback | undefined) {
  return (info: ProgressInfo) => {
    if (!onProgress) return;
    if (info.status === 'progress_total') {
      onProgress({
        progress: Math.min(0.99, info.progress / 100),
        text: `Loading ${modelId}: ${formatMB(info.loaded)} of ${formatMB(info.total)}`,
      });
    } else if (info.status === 'initiate') {
      onProgress({ progress: 0, text: `Fetching ${info.file}` });
    }
  };
}

function formatMB(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
