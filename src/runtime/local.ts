import { createInflight } from '../cache/inflight.js';
import { createResultCache, type ResultCache } from '../cache/result-cache.js';
import type { KeyValueStore } from '../cache/store.js';
import type { Engine } from '../engine/engine.js';
import { RuntimeDisposedError, throwIfAborted } from '../errors.js';
import type { ModelEntry } from '../models/catalog.js';
import { packFor } from '../prompts/index.js';
import type { PromptPack } from '../prompts/pack.js';
import { normalizeRequest, type NormalizedRequest } from '../request/schema.js';
import { createStrategyContext } from '../strategies/context.js';
import { runStrategy } from '../strategies/registry.js';
import type { CacheStats, RuntimeInfo, SolveRequest, SolveResult, TraceEvent, VerifyCallback } from '../types.js';
import { streamFrom } from './event-stream.js';
import { requestKey } from './request-key.js';
import type { Runtime } from './runtime.js';
import { createSerialQueue } from './serial-queue.js';

export interface LocalRuntimeParts {
  engine: Engine;
  model: ModelEntry;
  /** null disables result caching. */
  store: KeyValueStore | null;
  cacheOptions?: { ttlMs?: number; maxEntries?: number };
  pack?: PromptPack;
  worker?: boolean;
}

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
const NO_USAGE = { promptTokens: 0, completionTokens: 0, samples: 0, engineCalls: 0 } as const;

/** The runtime in this thread: the worker host wraps one, and Node uses one directly. */
export function createLocalRuntime(parts: LocalRuntimeParts): LocalRuntime {
  const { engine, model } = parts;
  const pack = parts.pack ?? packFor(model.family);
  const cache: ResultCache | null = parts.store ? createResultCache(parts.store, parts.cacheOptions) : null;
  const inflight = createInflight<SolveResult>();
  const serialize = createSerialQueue();
  let disposed = false;

  const engineInfo = engine.info();
  const info: RuntimeInfo = {
    model: engineInfo.model,
    engine: engineInfo.engine,
    device: engineInfo.device,
    fallback: engineInfo.fallback,
    capabilities: engineInfo.capabilities,
    worker: parts.worker ?? false,
  };

  async function compute(request: NormalizedRequest, signal: AbortSignal, emit: (e: TraceEvent) => void, verify?: VerifyCallback): Promise<SolveResult> {
    const started = performance.now();
    const trace: TraceEvent[] = [];
    const ctx = createStrategyContext({
      engine,
      pack,
      question: request.messages,
      answer: request.answer,
      sampling: request.sampling,
      budget: request.budget,
      signal,
      defaultTemperature: pack.defaultTemperature,
      serialize,
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

    const key = cache ? requestKey(model, info.engine, request) : null;
    if (!cache || key === null) {
      const controller = new AbortController();
      const abort = () => controller.abort();
      signal?.addEventListener('abort', abort, { once: true });
      try {
        return finish(await compute(request, controller.signal, onEvent, hooks.verify), onEvent);
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
        const computed = await compute(request, sharedSignal, emit);
        if (!computed.budgetExhausted && computed.answer !== null) await cache.set(key, computed);
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
      await engine.dispose();
    },
  };
}
