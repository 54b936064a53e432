import { expose, type Endpoint } from 'comlink';
import { indexedDbStore } from '../cache/store.js';
import { EngineError } from '../errors.js';
import type { NormalizedRequest } from '../request/schema.js';
import type { ProgressEvent, TraceEvent, VerifyInput } from '../types.js';
import { createEventBatcher } from './event-batch.js';
import { createInProcessRuntime } from './in-process.js';
import type { LocalRuntime } from './local.js';
import { installErrorTransfer } from './wire-errors.js';
import type { RuntimeHost, WireOptions, WireResult, WorkerNotice } from './wire.js';

type Scope = Endpoint;

/** Makes the worker's runtime; tests and benchmarks hand in their own (a scripted engine, a fault). */
export type LoadRuntime = (options: WireOptions, onProgress: (event: ProgressEvent) => void) => Promise<LocalRuntime>;

const loadInProcess: LoadRuntime = ({ bundledBase, ...options }, onProgress) =>
  createInProcessRuntime({ ...options, onProgress }, { store: indexedDbStore(), bundledBase, worker: true });

/** Hosts the package's runtime in this worker: call it from a worker of your own (`createRuntime({ workerUrl })`). */
export function exposeRuntimeHost(scope: Scope = globalThis as unknown as Scope): void {
  hostRuntime(scope, loadInProcess);
}

/**
 * The worker side: one runtime per worker, requests addressed by id so the page can abort them. Requests
 * arrive normalised (the page validated them); events leave in batches with no reply awaited, so a result
 * is posted the moment it exists, whatever else is queued behind it.
 */
export function hostRuntime(scope: Scope, load: LoadRuntime): void {
  installErrorTransfer();
  let runtime: LocalRuntime | null = null;
  const controllers = new Map<string, AbortController>();
  const notify = (notice: WorkerNotice) => scope.postMessage(notice);

  const host: RuntimeHost = {
    async init(options: WireOptions) {
      if (runtime) throw new EngineError('This worker already hosts a runtime');
      runtime = await load(options, (event) => notify({ secondThought: 'progress', event }));
      return runtime.info();
    },
    async solve(id: string, request: NormalizedRequest, wantsEvents: boolean, verify?: (input: VerifyInput) => Promise<boolean>): Promise<WireResult> {
      const controller = new AbortController();
      controllers.set(id, controller);
      const forwarded: TraceEvent[] = [];
      const batcher = createEventBatcher((events) => notify({ secondThought: 'events', request: id, events }));
      const onEvent = (event: TraceEvent) => {
        // The page makes its own `result` event from the reply: the result crosses once.
        if (event.type === 'result') return;
        if (event.type !== 'token') forwarded.push(event);
        batcher.push(event);
      };
      try {
        const result = await requireRuntime().run(request, {
          signal: controller.signal,
          onEvent: wantsEvents ? onEvent : undefined,
          // A comlink proxy of the page's function: calling it returns a promise of its verdict.
          verify: verify ? (input) => verify(input) : undefined,
        });
        batcher.flush();
        const streamed = wantsEvents && result.trace.length === forwarded.length && result.trace.every((e, i) => e === forwarded[i]);
        return streamed ? { ...result, trace: 'streamed' } : result;
      } finally {
        batcher.flush();
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

  function requireRuntime(): LocalRuntime {
    if (!runtime) throw new EngineError('The worker runtime is not initialised');
    return runtime;
  }

  expose(host, scope);
  const self = globalThis as { close?: () => void };
  const close = self.close;
  if (typeof close === 'function') {
    self.close = () => {
      notify({ secondThought: 'closing' });
      close.call(globalThis);
    };
  }
}
