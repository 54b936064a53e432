import { expose } from 'comlink';
import { indexedDbStore } from '../cache/store.js';
import { EngineError } from '../errors.js';
import type { ProgressEvent, TraceEvent, VerifyInput } from '../types.js';
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
      const progress = deliverInOrder(onProgress);
      runtime = await createInProcessRuntime(
        { ...runtimeOptions, onProgress: onProgress ? progress.send : undefined },
        { store: indexedDbStore(), bundledBase, worker: true },
      );
      await progress.flushed();
      return runtime.info();
    },
    async solve(id: string, request: WireRequest, onEvent?: (event: TraceEvent) => void, verify?: (input: VerifyInput) => boolean | Promise<boolean>) {
      const controller = new AbortController();
      controllers.set(id, controller);
      const events = deliverInOrder(onEvent);
      // A comlink proxy of the page's function: calling it returns a promise of its verdict.
      const remoteVerify = verify as ((input: VerifyInput) => Promise<boolean>) | undefined;
      try {
        const result = await requireRuntime().solve({
          ...request,
          signal: controller.signal,
          onEvent: onEvent ? events.send : undefined,
          verify: remoteVerify ? (input) => remoteVerify(input) : undefined,
        });
        await events.flushed();
        return result;
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

/**
 * Callbacks cross back to the page on their own channel; the reply to the call travels on another, so
 * without waiting it could overtake them. `flushed()` resolves once the page has received every one.
 */
function deliverInOrder<E>(callback: ((event: E) => void) | undefined) {
  // A comlink Remote returns a promise that settles when the page has run the callback.
  const remote = callback as ((event: E) => Promise<void>) | undefined;
  let last: Promise<unknown> = Promise.resolve();
  return {
    send: (event: E) => {
      if (remote) last = remote(event);
    },
    flushed: () => last.catch(() => undefined),
  };
}
