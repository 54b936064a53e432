import { expose, type Endpoint } from 'comlink';
import { indexedDbStore } from '../cache/store.js';
import { EngineError } from '../errors.js';
import type { NormalizedRequest } from '../request/schema.js';
import type { ProgressEvent, RuntimeInfo, TraceEvent, VerifyInput } from '../types.js';
import { createEventBatcher } from './event-batch.js';
import { createInProcessRuntime } from './in-process.js';
import type { LocalRuntime } from './local.js';
import { installErrorTransfer } from './wire-errors.js';
import type { RuntimeHost, WireOptions, WireResult, WorkerNotice } from './wire.js';

type Scope = Endpoint;

/** Shared by every copy of this module in the worker (a registry symbol), so a second copy sees the first. */
const HOSTED = Symbol.for('second-thought.hosted-scopes');

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
  // One host per worker: a second would answer every call too, uninitialised. That happens when the entry
  // module runs twice, e.g. a worker URL with a query that a shared chunk imports back without it.
  const hosted = ((globalThis as { [HOSTED]?: WeakSet<object> })[HOSTED] ??= new WeakSet());
  if (hosted.has(scope)) return console.warn('second-thought: this worker already hosts a runtime; ignoring a second hostRuntime()');
  hosted.add(scope);
  installErrorTransfer();
  let runtime: LocalRuntime | null = null;
  let told: RuntimeInfo | null = null;
  const controllers = new Map<string, AbortController>();
  const notify = (notice: WorkerNotice) => scope.postMessage(notice);

  const host: RuntimeHost = {
    hold(name: string) {
      const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
      if (!locks) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        // Never released by us: the lock goes when this worker does.
        locks
          .request(name, () => {
            resolve(true);
            return new Promise<never>(() => {});
          })
          .catch(() => resolve(false));
      });
    },
    async init(options: WireOptions) {
      if (runtime) throw new EngineError('This worker already hosts a runtime');
      runtime = await load(options, (event) => notify({ secondThought: 'progress', event }));
      return (told = runtime.info());
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
        // Posted before comlink's reply, on the same port: the page knows the new device when the result lands.
        const now = runtime?.info();
        if (now && now !== told) notify({ secondThought: 'info', info: (told = now) });
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
