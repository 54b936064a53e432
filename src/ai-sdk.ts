/**
 * `second-thought/ai-sdk`: a runtime as a language model of the Vercel AI SDK, under the language model
 * specification v3 (`LanguageModelV3` of `@ai-sdk/provider` 3, what `ai` 6 calls natively).
 *
 * ```ts
 * const secondThought = createSecondThought({ runtime, answer: { kind: 'number' } });
 * const { text, providerMetadata } = await generateText({
 *   model: secondThought({ strategy: { kind: 'self-consistency', n: 8 } }),
 *   prompt: '347+589',
 * });
 * providerMetadata?.secondThought; // { answer, confidence, votes, strategy, cached, usage, trace }
 * ```
 *
 * - A call is one `runtime.solve()` (`generateText`) or `runtime.stream()` (`streamText`). The strategy,
 *   answer kind, sampling, budget and cache mode come from the provider, then the model, then the call's
 *   AI SDK settings (`temperature`, `topP`, `topK`, `maxOutputTokens` per generation, `seed`), then the
 *   call's `providerOptions.secondThought`.
 * - Streaming: the greedy strategy streams its one generation token by token; every other strategy samples,
 *   judges or revises several texts, whose tokens are not the answer's, so its text arrives in one delta
 *   when the strategy has decided (`providerMetadata.secondThought.stream` says which happened).
 * - Settings the runtime cannot honour (tools, stop sequences, penalties, JSON response format) come back
 *   as the spec's `unsupported` warnings; prompts it cannot read (files, tool calls) and a required tool
 *   call throw `UnsupportedFunctionalityError`. The runtime's own errors (`InvalidRequestError`, …) reach the
 *   caller as they are: thrown by `generateText`, the stream's error in `streamText`.
 * - `abortSignal` aborts the solve; a stream then fails with the runtime's `AbortError`, which `streamText`
 *   reports as an abort.
 */
import {
  NoSuchModelError,
  type LanguageModelV3,
  type LanguageModelV3CallOptions,
  type LanguageModelV3GenerateResult,
  type LanguageModelV3StreamPart,
  type LanguageModelV3StreamResult,
  type ProviderV3,
} from '@ai-sdk/provider';
import { prepareCall, type SecondThoughtModelSettings } from './ai-sdk-request.js';
import { finishReasonOf, looksSpecial, metadataOf, NO_USAGE, usageOf, type StreamMode } from './ai-sdk-result.js';
import { EngineError, isAbortError } from './errors.js';
import type { Runtime } from './runtime/runtime.js';
import type { SolveRequest, SolveResult, TraceEvent } from './types.js';

export { PROVIDER_KEY, type SecondThoughtCallOptions, type SecondThoughtModelSettings, type SecondThoughtSettings } from './ai-sdk-request.js';
export type { SecondThoughtMetadata, StreamMode } from './ai-sdk-result.js';

export interface SecondThoughtProviderSettings extends SecondThoughtModelSettings {
  runtime: Runtime;
}

export interface SecondThoughtProvider extends ProviderV3 {
  /** The runtime's model; `modelId` may be given, and must then be the runtime's. */
  (modelId?: string, settings?: SecondThoughtModelSettings): SecondThoughtLanguageModel;
  (settings: SecondThoughtModelSettings): SecondThoughtLanguageModel;
  languageModel(modelId?: string, settings?: SecondThoughtModelSettings): SecondThoughtLanguageModel;
}

const PROVIDER = 'second-thought';

export function createSecondThought(settings: SecondThoughtProviderSettings): SecondThoughtProvider {
  const { runtime, ...defaults } = settings;
  const languageModel = (modelIdOrSettings?: string | SecondThoughtModelSettings, modelSettings: SecondThoughtModelSettings = {}) => {
    const [modelId, own] = typeof modelIdOrSettings === 'object' ? [undefined, modelIdOrSettings] : [modelIdOrSettings, modelSettings];
    const model = runtime.info().model;
    if (modelId !== undefined && modelId !== model) {
      throw new NoSuchModelError({ modelId, modelType: 'languageModel', message: `This runtime runs "${model}", not "${modelId}"` });
    }
    return new SecondThoughtLanguageModel(runtime, model, [defaults, own]);
  };
  const noSuch = (modelType: 'embeddingModel' | 'imageModel') => (modelId: string) => {
    throw new NoSuchModelError({ modelId, modelType, message: `Second Thought has no ${modelType}s` });
  };
  const provider = function (modelIdOrSettings?: string | SecondThoughtModelSettings, modelSettings?: SecondThoughtModelSettings) {
    if (new.target) throw new Error('The Second Thought provider is a function: call it without new');
    return languageModel(modelIdOrSettings, modelSettings);
  };
  return Object.assign(provider, {
    specificationVersion: 'v3' as const,
    languageModel,
    embeddingModel: noSuch('embeddingModel'),
    imageModel: noSuch('imageModel'),
  }) as SecondThoughtProvider;
}

export class SecondThoughtLanguageModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3';
  readonly provider = PROVIDER;
  readonly modelId: string;
  /** Files are refused, so no URL is fetched for the model. */
  readonly supportedUrls: Record<string, RegExp[]> = {};
  private readonly runtime: Runtime;
  private readonly layers: SecondThoughtModelSettings[];

  constructor(runtime: Runtime, modelId: string, layers: SecondThoughtModelSettings[]) {
    this.runtime = runtime;
    this.modelId = modelId;
    this.layers = layers;
  }

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    const { request, warnings } = prepareCall(options, this.layers);
    const result = await this.runtime.solve({ ...request, signal: options.abortSignal });
    return {
      content: result.text === '' ? [] : [{ type: 'text', text: result.text }],
      finishReason: finishReasonOf(result),
      usage: usageOf(result),
      providerMetadata: metadataOf(result),
      request: { body: bodyOf(request) },
      response: { modelId: this.modelId, timestamp: new Date() },
      warnings,
    };
  }

  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    const { request, warnings } = prepareCall(options, this.layers);
    const live = (request.strategy?.kind ?? 'greedy') === 'greedy';
    const raw = options.includeRawChunks === true;
    const modelId = this.modelId;
    let events: AsyncIterator<TraceEvent> | undefined;
    const id = 'text-0';
    let started = false;
    let streamed = '';
    let cancelled = false;

    const stream = new ReadableStream<LanguageModelV3StreamPart>({
      start: (controller) => {
        controller.enqueue({ type: 'stream-start', warnings });
        controller.enqueue({ type: 'response-metadata', modelId, timestamp: new Date() });
        events = this.runtime.stream({ ...request, signal: options.abortSignal })[Symbol.asyncIterator]();
      },
      async pull(controller) {
        const text = (delta: string) => {
          if (!started) controller.enqueue({ type: 'text-start', id });
          started = true;
          streamed += delta;
          controller.enqueue({ type: 'text-delta', id, delta });
        };
        try {
          // One pull runs until it has enqueued something (or the stream is done).
          for (;;) {
            const next = await events!.next();
            // The reader went away (cancel aborts the solve): events still buffered have nowhere to go.
            if (cancelled) return;
            // A runtime stream always ends with its result; this is a runtime that broke that promise.
            if (next.done) throw new EngineError('The runtime stream ended without a result');
            const event = next.value;
            if (raw) controller.enqueue({ type: 'raw', rawValue: event.type === 'result' ? { type: 'result', t: event.t } : event });
            if (event.type === 'token') {
              if (live && !looksSpecial(event.token) && event.token !== '') {
                text(event.token);
                return;
              }
              if (raw) return;
              continue;
            }
            if (event.type === 'result') {
              finish(controller, event.result, text);
              return;
            }
            if (raw) return;
          }
        } catch (error) {
          if (cancelled) return;
          if (isAbortError(error)) {
            // What a fetch-based provider does when its request is aborted: the stream fails with the
            // AbortError, and streamText, seeing its signal aborted, ends with an `abort` part.
            controller.error(error);
            return;
          }
          // Like the official providers' in-stream failures: an error part (streamText's onError and
          // fullStream get the runtime's own error, class intact), then a finish with reason `error`.
          if (started) controller.enqueue({ type: 'text-end', id });
          controller.enqueue({ type: 'error', error });
          controller.enqueue({ type: 'finish', finishReason: { unified: 'error', raw: errorName(error) }, usage: NO_USAGE });
          controller.close();
        }
      },
      cancel: async () => {
        cancelled = true;
        await events?.return?.();
      },
    });

    function finish(controller: ReadableStreamDefaultController<LanguageModelV3StreamPart>, result: SolveResult, text: (delta: string) => void) {
      let mode: StreamMode = streamed === '' ? 'final' : 'live';
      if (result.text.startsWith(streamed)) {
        if (result.text.length > streamed.length) text(result.text.slice(streamed.length));
      } else {
        mode = 'diverged';
      }
      if (started) controller.enqueue({ type: 'text-end', id });
      controller.enqueue({ type: 'finish', finishReason: finishReasonOf(result), usage: usageOf(result), providerMetadata: metadataOf(result, mode) });
      controller.close();
    }

    return { stream, request: { body: bodyOf(request) } };
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/** The request as JSON for the AI SDK's telemetry (the verify function left out). */
function bodyOf(request: SolveRequest): unknown {
  const { verify, ...rest } = request;
  return verify === undefined ? rest : { ...rest, verify: 'function' };
}
