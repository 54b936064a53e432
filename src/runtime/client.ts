import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import { AbortError, RuntimeDisposedError, throwIfAborted } from '../errors.js';
import { createResultCache, type ResultCache } from '../cache/result-cache.js';
import { memoryStore } from '../cache/store.js';
import { findModel, TINY_ARITH } from '../models/catalog.js';
import { normalizeRequest } from '../request/schema.js';
import { requestKey } from './request-key.js';
import type { RuntimeInfo, SolveRequest, SolveResult, TraceEvent, VerifyInput } from '../types.js';
import { streamFrom } from './event-stream.js';
import type { Runtime, RuntimeOptions } from './runtime.js';
import { installErrorTransfer } from './wire-errors.js';
import type { RuntimeHost, WireOptions } from './wire.js';

let nextId = 0;

/**
 * The page side of a worker-hosted runtime. Requests are validated here first (errors are immediate and
 * need no round trip); signals and callbacks are bridged, since neither can be posted to a worker.
 */
export async function createWorkerRuntime(worker: Worker, options: WireOptions, onProgress?: RuntimeOptions['onProgress']): Promise<Runtime> {
  installErrorTransfer();
  const host: Remote<RuntimeHost> = wrap<RuntimeHost>(worker);
  const progress = onProgress ? proxy(onProgress) : undefined;
  let info: RuntimeInfo;
  try {
    info = await host.init(options, progress);
  } catch (error) {
    worker.terminate();
    throw error;
  }
  let disposed = false;
  const model = findModel(options.model ?? TINY_ARITH);
  // Results this page already received: a repeat is answered here without a round trip to the worker.
  // The worker's IndexedDB cache stays the source of truth; this is a small front for it.
  const recent: ResultCache | null = options.cache === false ? null : createResultCache(memoryStore(), { ttlMs: options.cache?.ttlMs, maxEntries: 256 });

  async function solve(request: SolveRequest): Promise<SolveResult> {
    if (disposed) throw new RuntimeDisposedError();
    const started = performance.now();
    const normalized = normalizeRequest(request);
    const { signal, onEvent, verify, ...wire } = request;
    // Ours, not the DOM's: callers can rely on `instanceof AbortError`.
    throwIfAborted(signal);
    const key = recent ? requestKey(model, info.engine, normalized) : null;
    if (recent && key !== null && normalized.cache === 'use') {
      const hit = await recent.get(key);
      if (hit) {
        const ms = performance.now() - started;
        const result: SolveResult = { ...hit, cached: true, usage: { promptTokens: 0, completionTokens: 0, samples: 0, engineCalls: 0, ms } };
        onEvent?.({ type: 'result', t: Math.round(ms), result });
        return result;
      }
    }
    const remember = (result: SolveResult) => {
      if (recent && key !== null && !result.budgetExhausted && result.answer !== null) void recent.set(key, result);
      return result;
    };
    const id = `r${nextId++}`;
    const events = onEvent ? proxy((event: TraceEvent) => onEvent(event)) : undefined;
    // The page's verify callback runs here, on the page; the worker calls it through this proxy.
    const verifier = verify ? proxy((input: VerifyInput) => verify(input)) : undefined;
    return new Promise<SolveResult>((resolve, reject) => {
      const onAbort = () => {
        void host.abort(id);
        reject(new AbortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      host
        .solve(id, wire, events, verifier)
        .then(remember)
        .then(resolve, reject)
        .finally(() => {
          signal?.removeEventListener('abort', onAbort);
          (events as unknown as { [releaseProxy]?: () => void } | undefined)?.[releaseProxy]?.();
          (verifier as unknown as { [releaseProxy]?: () => void } | undefined)?.[releaseProxy]?.();
        });
    });
  }

  return {
    solve,
    stream: streamFrom(solve),
    info: () => info,
    cache: {
      async stats() {
        const [stored, front] = await Promise.all([host.cacheStats(), recent?.stats()]);
        return { ...stored, hits: stored.hits + (front?.hits ?? 0) };
      },
      async clear() {
        await recent?.clear();
        await host.cacheClear();
      },
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      try {
        await host.dispose();
      } finally {
        host[releaseProxy]();
        worker.terminate();
      }
    },
  };
}
