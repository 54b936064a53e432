import type { DynamicCache, PreTrainedModel, PreTrainedTokenizer, ProgressInfo, Tensor } from '@huggingface/transformers';
import { AbortError, ContextLengthError, EngineError, SecondThoughtError, throwIfAborted } from '../errors.js';
import { resolveBrowserDevice } from './device.js';
import type { Engine, EngineInfo, EnginePrompt, GenerateOutput, GenerateParams, LoadEngineOptions, ProgressCallback } from './engine.js';
import { asDeviceLost, watchDevice } from './transformers-device.js';
import { configureEnvironment, isNode, nodeDevice } from './transformers-env.js';
import { guardSessions } from './transformers-guard.js';
import { batchStep, hooksFor, sharedStep } from './transformers-hooks.js';
import { tileCache } from './transformers-prefill.js';
import { Rows, type Vocabulary } from './transformers-rows.js';
import { renderOpenTurn } from './transformers-turn.js';

export interface TransformersEngineOptions extends LoadEngineOptions {
  /**
   * Internal, for tests and the bench: `false` makes every row of a sampled call read the prompt itself
   * instead of sharing one prompt pass (see transformers-prefill.ts). Default true.
   */
  sharePrefill?: boolean;
}

type TransformersModule = typeof import('@huggingface/transformers');

/** Alternatives per position we report: a partial selection over the vocabulary, cheap at this size. */
const TOP_LOGPROBS = 20;

export async function createTransformersEngine(options: TransformersEngineOptions): Promise<Engine> {
  const { model, onProgress } = options;
  const sharePrefill = options.sharePrefill ?? true;
  const hf: TransformersModule = await import('@huggingface/transformers');
  const { device, fallback } = isNode ? nodeDevice(options.device) : await resolveBrowserDevice(options.device);
  configureEnvironment(hf, model, options.modelBase);

  const progress = createProgressReporter(model.id, onProgress);
  let tokenizer: PreTrainedTokenizer;
  let lm: PreTrainedModel;
  const weights = model.dtype?.[device] ?? 'fp32';
  try {
    tokenizer = await hf.AutoTokenizer.from_pretrained(model.id, { progress_callback: progress });
    lm = await hf.AutoModelForCausalLM.from_pretrained(model.id, {
      device: device === 'cpu' ? 'cpu' : device,
      dtype: weights,
      progress_callback: progress,
      ...(model.onnxThreads ? { session_options: { intraOpNumThreads: model.onnxThreads, interOpNumThreads: 1 } } : {}),
    });
  } catch (cause) {
    throw new EngineError(`Could not load model "${model.id}" on ${device}: ${describe(cause)}`);
  }
  if (!isNode) guardSessions(lm);
  onProgress?.({ progress: 1, text: `${model.id} ready on ${device}` });
  // ORT makes its one GPUDevice with the first WebGPU session: watch it from here on.
  const watch = device === 'webgpu' ? watchDevice(hf) : null;

  const config = lm.config as unknown as { max_position_embeddings?: number };
  const contextLength = config.max_position_embeddings ?? model.contextLength;
  const eosIds = collectEosIds(lm, tokenizer);
  const padId = eosIds[0]!;
  // get_vocab() builds a new Map of the whole vocabulary on every call (151k entries for Qwen): read it once.
  const vocabMap = tokenizer.get_vocab();
  // Token texts are decoded once each: top-k alternatives ask for 20 a step, mostly the same ones.
  const texts = new Map<number, string>();
  const vocab: Vocabulary = {
    eosIds,
    id: (token) => vocabMap.get(token),
    text: (id) => {
      let text = texts.get(id);
      if (text === undefined) texts.set(id, (text = tokenizer.decode([id], { skip_special_tokens: false })));
      return text;
    },
  };

  const info: EngineInfo = {
    engine: 'transformers',
    model: model.id,
    device,
    fallback,
    weights,
    capabilities: {
      batchedSampling: true,
      logprobs: true,
      topLogprobs: TOP_LOGPROBS,
      seededSampling: true,
      contextLength,
      confidenceToken: vocabMap.has('<CN>') && vocabMap.has('<UN>'),
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

  /** One generate() over `prompts` (one row each, all the same length), our sampler choosing every token. */
  async function run(
    prompts: number[][],
    maxNewTokens: number,
    choose: (logits: Tensor) => Tensor,
    rows: Rows,
    signal: AbortSignal | undefined,
    cache?: DynamicCache,
  ): Promise<void> {
    const width = prompts[0]!.length;
    const dims = [prompts.length, width];
    const output = (await lm.generate({
      inputs: new hf.Tensor('int64', BigInt64Array.from(prompts.flat(), BigInt), dims),
      // With a cache the mask covers the cached positions too: generate() then feeds only the ids past them.
      attention_mask: new hf.Tensor('int64', new BigInt64Array(prompts.length * width).fill(1n), dims),
      max_new_tokens: maxNewTokens,
      do_sample: false,
      // Processors the model's generation_config may ask for would change the logits under our sampler.
      repetition_penalty: 1,
      no_repeat_ngram_size: 0,
      min_length: 0,
      ...hooksFor(hf, choose, signal, () => rows.allDone),
      ...(cache ? { past_key_values: cache } : {}),
    })) as Tensor;
    output.dispose?.();
  }

  /** The prompt read once at batch 1, its KV cache tiled to the rows, the rows decoded from there. */
  async function shared(ids: number[], rows: Rows, maxNewTokens: number, signal: AbortSignal | undefined): Promise<void> {
    // generate() fills a cache it is given and leaves it alive for us.
    const promptCache = new hf.DynamicCache();
    let tiled: DynamicCache;
    try {
      await run([ids], 1, sharedStep(rows), rows, signal, promptCache);
      if (signal?.aborted || rows.allDone || maxNewTokens === 1) return;
      tiled = await tileCache(hf, promptCache, rows.count);
    } finally {
      await promptCache.dispose();
    }
    try {
      // Each row continues from its first token; the mask spans the shared prompt and that token.
      await run(rows.last.map((first) => [...ids, first]), maxNewTokens - 1, batchStep(rows, padId), rows, signal, tiled);
    } finally {
      await tiled.dispose();
    }
  }

  async function generate(params: GenerateParams): Promise<GenerateOutput> {
    throwIfAborted(params.signal);
    // A lost device stays lost: fail at once rather than queue work on it.
    const gone = watch?.lost();
    if (gone) throw gone;
    const ids = encode(params.prompt);
    if (ids.length >= contextLength) throw new ContextLengthError(ids.length, contextLength);
    const maxNewTokens = Math.min(params.maxTokens, contextLength - ids.length);
    if (params.n < 1) return { generations: [], promptTokens: ids.length };
    const rows = new Rows(params, vocab, Math.min(Math.max(0, Math.floor(params.topLogprobs ?? 0)), TOP_LOGPROBS));
    try {
      // One row has nothing to share; n copies of a prompt share its pass.
      const work =
        rows.count > 1 && sharePrefill
          ? shared(ids, rows, maxNewTokens, params.signal)
          : run(Array.from({ length: rows.count }, () => ids), maxNewTokens, batchStep(rows, padId), rows, params.signal);
      // A call on a lost device may never settle: the device's `lost` ends it.
      await (watch ? Promise.race([work, watch.whenLost]) : work);
    } catch (cause) {
      const lost = await asDeviceLost(cause, watch);
      if (lost) throw lost;
      if (params.signal?.aborted) throw new AbortError();
      if (cause instanceof SecondThoughtError) throw cause;
      throw new EngineError(`Generation failed: ${describe(cause)}`);
    }
    if (params.signal?.aborted) throw new AbortError();
    return { generations: rows.generations((tokens) => tokenizer.decode(tokens, { skip_special_tokens: true })), promptTokens: ids.length };
  }

  return {
    info: () => info,
    countTokens: async (prompt) => encode(prompt).length,
    generate,
    dispose: async () => {
      // Sessions on a lost device may never release: give up on them rather than hold the caller.
      await (watch?.lost() ? Promise.race([lm.dispose().catch(() => undefined), new Promise((r) => setTimeout(r, 1_000))]) : lm.dispose());
    },
  };
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
