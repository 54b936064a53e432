import { expose, type Remote } from 'comlink';
import { indexedDbStore } from '../cache/store.js';
import { EngineError } from '../errors.js';
import type { ProgressEvent, TraceEvent } from '../types.js';
import { createInProcessRuntime } from './in-process.js';
import type { Runtime } from './runtime.js';
import { installErrorTransfer } from './wire-errors.js';
import type { RuntimeHost, WireOptions, WireRequest } from './wire.js';

/** The worker side: one runtime per worker, requests addressed by id so the page can abort them. */
export function exposeRuntimeHost(scope: Parameters<typeof expose>[1] = globalThis as unknown as Parameters<typeof expose>[1]): void {
  installErrorTransfer();
  let runtime: Runtime | null = null;
  const controllers = new Map<string, AbortController>();

  const host: RuntimeHost = {
    async init(options: WireOptions, onProgress?: (event: ProgressEvent) => void) {
      if (runtime) throw new EngineError('This worker already hosts a runtime');
      const { bundledBase, ...runtimeOptions } = options;
      runtime = await createInProcessRuntime(
        { ...runtimeOptions, onProgress: onProgress ? (e) => void onProgress(e) : undefined },
        { store: indexedDbStore(), bundledBase, worker: true },
      );
      return runtime.info();
    },
    async solve(id: string, request: WireRequest, onEvent?: (event: TraceEvent) => void) {
      const controller = new AbortController();
      controllers.set(id, controller);
      const remote = onEvent as Remote<(event: TraceEvent) => void> | undefined;
      try {
        return await requireRuntime().solve({
          ...request,
          signal: controller.signal,
          onEvent: remote ? (event) => void remote(event) : undefined,
        });
      } finally {
        controllers.delete(id);
      }
    },
    abort(id: string) {
      controllers.get(id)?.abort();
    },
    cacheStats: () => requireRuntime().cache.stats(),
    cacheClear: () => requireRuntime().cache.clear(),
    async dispose() {
      for (const controller of controllers.values()) controller.abort();
      await runtime?.dispose();
      runtime = null;
    },
  };

  function requireRuntime(): Runtime {
    if (!runtime) throw new EngineError('The worker runtime is not initialised');
    return runtime;
  }

  expose(host, scope);
}
