import { createInflight } from '../cache/inflight.js';
import { createResultCache, type ResultCache, type ResultCacheOptions } from '../cache/result-cache.js';
import type { KeyValueStore } from '../cache/store.js';
import type { Engine, EngineInfo } from '../engine/engine.js';
import { InvalidRequestError } from '../errors.js';
import { RuntimeDisposedError, throwIfAborted } from '../errors.js';
import type { ModelEntry } from '../models/catalog.js';
import { packForModel } from '../prompts/index.js';
import type { PromptPack } from '../prompts/pack.js';
import { normalizeRequest, type NormalizedRequest } from '../request/schema.js';
import { createStrategyContext, type ModelSlot } from '../strategies/context.js';
import { runStrategy } from '../strategies/registry.js';
import { modelsNamed, unheldModel } from '../strategies/spec-walk.js';
import type { CacheStats, ModelInfo, RuntimeInfo, SolveRequest, SolveResult, TraceEvent, VerifyCallback } from '../types.js';
import { createRecovery, type ReloadOnWasm } from './device-recovery.js';
import { streamFrom } from './event-stream.js';
import { requestKey, type HeldModels } from './request-key.js';
import type { Runtime } from './runtime.js';
import { createSerialQueue } from './serial-queue.js';

/** One model of a runtime: its name (what `spec.model` and `usage.byModel` say), catalogue entry and engine. */
export interface RuntimeModel {
  name: string;
  entry: ModelEntry;
  engine: Engine;
  /** Default: the family's pack. */
  pack?: PromptPack;
  /** Loads the model again on WASM after its GPU device is lost (see device-recovery.ts). */
  reloadOnWasm?: ReloadOnWasm;
}

/** A runtime holds one model (`engine` + `model`) or several (`models`, the first the default). */
export type LocalRuntimeParts = (
  | { engine: Engine; model: ModelEntry; pack?: PromptPack; models?: undefined }
  | { models: RuntimeModel[]; engine?: undefined; model?: undefined; pack?: undefined }
) & {
  /** null disables result caching. */
  store: KeyValueStore | null;
  /** TTL and size; tests also set the store timeout and where fault warnings go. */
  cacheOptions?: ResultCacheOptions;
  worker?: boolean;
  /** What the page should know about how the models were read or loaded (a guessed family, a device fallback). */
  warnings?: string[];
  /** Why the default model is not the one asked for (it could not load on this device). */
  fallback?: string;
};

/** What travels with a request besides its data: none of it can be cloned to a worker. */
export interface RunHooks {
  signal?: AbortSignal;
  onEvent?: (event: TraceEvent) => void;
  verify?: VerifyCallback;
}

/** A runtime in this thread that can also run a request validated elsewhere (the worker host's path). */
export interface LocalRuntime extends Runtime {
  run(request: NormalizedRequest, hooks: RunHooks): Promise<SolveResult>;
}

const noop = () => {};

function modelInfo(i: EngineInfo): ModelInfo {
  return { model: i.model, engine: i.engine, device: i.device, fallback: i.fallback, capabilities: i.capabilities, ...(i.weights ? { weights: i.weights } : {}) };
}
const NO_USAGE = { promptTokens: 0, completionTokens: 0, samples: 0, engineCalls: 0, byModel: {} } as const;

/** The runtime in this thread: the worker host wraps one, and Node uses one directly. */
export function createLocalRuntime(parts: LocalRuntimeParts): LocalRuntime {
  const given: RuntimeModel[] = parts.models ?? [{ name: parts.model.id, entry: parts.model, engine: parts.engine, pack: parts.pack }];
  if (given.length === 0) throw new InvalidRequestError('options.models', 'a runtime needs at least one model');
  const recovery = createRecovery(() => {
    info = describeRuntime();
    heldModels = describeHeldModels();
  });
  const held = given.map((m) => ({ ...m, engine: recovery.standIn(m.engine, m.name, m.reloadOnWasm) }));
  const slots = new Map<string, ModelSlot>(held.map((m) => [m.name, { name: m.name, engine: m.engine, pack: m.pack ?? packForModel(m.entry), serialize: createSerialQueue() }]));
  const main = held[0]!;
  const pack = slots.get(main.name)!.pack;
  const cache: ResultCache | null = parts.store ? createResultCache(parts.store, parts.cacheOptions) : null;
  const inflight = createInflight<SolveResult>();
  let disposed = false;

  /** One object until something changes (a device lost and the model reloaded): the worker host compares it. */
  function describeRuntime(): RuntimeInfo {
    const engineInfo = main.engine.info();
    return {
      ...modelInfo(engineInfo),
      fallback: parts.fallback ?? engineInfo.fallback,
      worker: parts.worker ?? false,
      models: Object.fromEntries(held.map((m) => [m.name, modelInfo(m.engine.info())])),
      warnings: parts.warnings ?? [],
    };
  }
  let info = describeRuntime();

  /** What the cache key names each model by; rebuilt with `info`, as a model reloaded on WASM may run other weights. */
  function describeHeldModels(): HeldModels {
    return new Map(
      held.map((m) => {
        const { engine, weights } = m.engine.info();
        return [m.name, { entry: m.entry, engine, weights }];
      }),
    );
  }
  let heldModels = describeHeldModels();

  /** A request whose engine lost its GPU device runs once more, on the model loaded again on WASM. */
  async function computeRecovering(request: NormalizedRequest, signal: AbortSignal, emit: (e: TraceEvent) => void, verify?: VerifyCallback): Promise<SolveResult> {
    const started = performance.now();
    try {
      return await compute(request, signal, emit, verify);
    } catch (error) {
      const recovering = signal.aborted ? null : recovery.recover(error);
      if (!recovering) throw error;
      const model = await recovering;
      const lost = error as Error;
      const note: TraceEvent = { type: 'error', t: Math.round(performance.now() - started), model, name: lost.name, message: lost.message.slice(0, 300), status: null };
      return compute(request, signal, emit, verify, note);
    }
  }

  async function compute(request: NormalizedRequest, signal: AbortSignal, emit: (e: TraceEvent) => void, verify?: VerifyCallback, note?: TraceEvent): Promise<SolveResult> {
    const started = performance.now();
    // A retry's trace starts with why it was retried.
    const trace: TraceEvent[] = note ? [note] : [];
    if (note) emit(note);
    const ctx = createStrategyContext({
      models: slots,
      model: main.name,
      question: request.messages,
      answer: request.answer,
      sampling: request.sampling,
      budget: request.budget,
      signal,
      defaultTemperature: pack.defaultTemperature,
      verify,
      onEvent: (event) => {
        if (event.type !== 'token') trace.push(event);
        emit(event);
      },
    });
    const outcome = await runStrategy(request.strategy, ctx);
    return {
      answer: outcome.answer,
      text: outcome.text,
      confidence: outcome.confidence,
      strategy: request.strategy,
      usage: { ...ctx.usage, ms: performance.now() - started },
      cached: false,
      budgetExhausted: outcome.budgetExhausted || ctx.budgetHit,
      ...(ctx.escalationFailed ? { escalation: 'failed' as const } : {}),
      trace,
    };
  }

  /** Every answer leaves through here: the `result` event is the last event of every request. */
  function finish(result: SolveResult, onEvent: (event: TraceEvent) => void): SolveResult {
    onEvent({ type: 'result', t: Math.round(result.usage.ms), result });
    return result;
  }

  async function run(request: NormalizedRequest, hooks: RunHooks): Promise<SolveResult> {
    if (disposed) throw new RuntimeDisposedError();
    const started = performance.now();
    const onEvent = hooks.onEvent ?? noop;
    const { signal } = hooks;
    throwIfAborted(signal);
    // One walk of the spec serves both the check and the cache key; the path is looked for only on an error.
    const named = modelsNamed(request.strategy);
    if ([...named].some((name) => !slots.has(name))) {
      const unheld = unheldModel(request.strategy, slots)!;
      throw new InvalidRequestError(unheld.path, `no model named "${unheld.name.slice(0, 60)}" in this runtime; it has ${[...slots.keys()].map((k) => `"${k}"`).join(', ')}`);
    }

    const key = cache ? requestKey(heldModels, main.name, request, named) : null;
    if (!cache || key === null) {
      const controller = new AbortController();
      const abort = () => controller.abort();
      signal?.addEventListener('abort', abort, { once: true });
      try {
        return finish(await computeRecovering(request, controller.signal, onEvent, hooks.verify), onEvent);
      } finally {
        signal?.removeEventListener('abort', abort);
      }
    }

    if (request.cache === 'use') {
      const hit = await cache.get(key);
      if (hit) return finish({ ...hit, cached: true, usage: { ...NO_USAGE, ms: performance.now() - started } }, onEvent);
    }
    const result = await inflight.join(
      `${request.cache}:${key}`,
      async (sharedSignal, emit) => {
        const computed = await computeRecovering(request, sharedSignal, emit);
        // A degraded answer (budget cut, escalation failed) is not the request's answer: the next try recomputes.
        if (!computed.budgetExhausted && !computed.escalation && computed.answer !== null) await cache.set(key, computed);
        return computed;
      },
      signal,
      onEvent,
    );
    return finish(result, onEvent);
  }

  const solve = (input: SolveRequest): Promise<SolveResult> => {
    if (disposed) return Promise.reject(new RuntimeDisposedError());
    try {
      return run(normalizeRequest(input), input);
    } catch (error) {
      return Promise.reject(error);
    }
  };

  return {
    run,
    solve,
    stream: streamFrom(solve),
    info: () => info,
    cache: {
      stats: async (): Promise<CacheStats> => (cache ? cache.stats() : { entries: 0, bytes: 0, hits: 0, misses: 0 }),
      clear: async () => cache?.clear(),
    },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      await cache?.flush();
      await Promise.allSettled(held.map((m) => m.engine.dispose()));
    },
  };
}
