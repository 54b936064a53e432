import type { KeyValueStore } from '../cache/store.js';
import { loadEngine } from '../engine/load.js';
import { findModel } from '../models/catalog.js';
import { createLocalRuntime, type LocalRuntime } from './local.js';
import { resolveOptions } from './options.js';
import type { RuntimeOptions } from './runtime.js';

export interface InProcessEnvironment {
  store: KeyValueStore;
  /** Where the bundled models are served (used for bundled models when `modelBase` is not set). */
  bundledBase: string;
  worker: boolean;
}

/** Loads the engine in this thread and wraps it in a runtime (used by Node, by the worker, and `worker: false`). */
export async function createInProcessRuntime(options: RuntimeOptions, environment: InProcessEnvironment): Promise<LocalRuntime> {
  const resolved = resolveOptions(options);
  const model = findModel(resolved.model);
  const engine = await loadEngine({
    model,
    engine: resolved.engine,
    device: resolved.device,
    modelBase: resolved.modelBase ?? (model.bundled ? (resolved.bundledBase ?? environment.bundledBase) : undefined),
    onProgress: resolved.onProgress,
  });
  return createLocalRuntime({
    engine,
    model,
    store: resolved.cache === false ? null : environment.store,
    cacheOptions: resolved.cache === false ? undefined : resolved.cache,
    worker: environment.worker,
  });
}
