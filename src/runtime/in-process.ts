import type { KeyValueStore } from '../cache/store.js';
import { loadEngine } from '../engine/load.js';
import type { Engine } from '../engine/engine.js';
import { isAbortError } from '../errors.js';
import { createLocalRuntime, type LocalRuntime, type RuntimeModel } from './local.js';
import { planModels, type PlannedModel } from './models.js';
import { resolveOptions } from './options.js';
import type { RuntimeOptions } from './runtime.js';

export interface InProcessEnvironment {
  store: KeyValueStore;
  /** Where the bundled models are served (used for bundled models when `modelBase` is not set). */
  bundledBase: string;
  worker: boolean;
  /** Default: the engine registry's. Tests hand in their own to inject faults at the engine seam. */
  loadEngine?: typeof loadEngine;
}

/**
 * Loads every model's engine in this thread and wraps them in a runtime (used by Node, by the worker, and
 * `worker: false`). Where a model cannot load on this device (no WebGPU for a WebGPU-only build, out of
 * memory) and the runtime also holds a server model, requests for it are served there, as the AI SDK's
 * browser providers fall back, and `info()` says why.
 */
export async function createInProcessRuntime(options: RuntimeOptions, environment: InProcessEnvironment): Promise<LocalRuntime> {
  const resolved = resolveOptions(options);
  const plan = planModels(resolved);
  const several = plan.models.length > 1;
  const loader = environment.loadEngine ?? loadEngine;
  const load = (planned: PlannedModel, device = resolved.device): Promise<Engine> =>
    loader({
      model: planned.entry,
      engine: several ? 'auto' : resolved.engine,
      device,
      modelBase: resolved.modelBase ?? (planned.entry.bundled ? (resolved.bundledBase ?? environment.bundledBase) : undefined),
      onProgress: resolved.onProgress && (several ? (e) => resolved.onProgress!({ ...e, text: `${planned.name}: ${e.text}` }) : resolved.onProgress),
    });
  const loaded = await Promise.allSettled(plan.models.map((planned) => load(planned)));
  const engines = loaded.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = plan.models.flatMap((m, i) => (loaded[i]!.status === 'rejected' ? [{ planned: m, error: (loaded[i] as PromiseRejectedResult).reason as unknown }] : []));
  const remoteIndex = plan.models.findIndex((m, i) => m.entry.engine === 'openai' && loaded[i]!.status === 'fulfilled');
  if (failed.length > 0 && (remoteIndex === -1 || failed.some((f) => f.planned.entry.engine === 'openai' || isAbortError(f.error)))) {
    await Promise.allSettled(engines.map((e) => e.dispose()));
    throw failed[0]!.error;
  }
  const remote = remoteIndex === -1 ? null : { planned: plan.models[remoteIndex]!, engine: (loaded[remoteIndex] as PromiseFulfilledResult<Engine>).value };
  const models: RuntimeModel[] = plan.models.map((planned, i) => {
    const result = loaded[i]!;
    if (result.status === 'fulfilled') {
      // An ONNX model that lost its GPU device runs on in WASM (the same weights; WebLLM builds cannot).
      const onGpu = result.value.info().device === 'webgpu' && planned.entry.engine === 'transformers';
      return { name: planned.name, entry: planned.entry, engine: result.value, ...(onGpu ? { reloadOnWasm: () => load(planned, 'wasm') } : {}) };
    }
    // A model this device cannot run answers on the server model, under its own name.
    return { name: planned.name, entry: remote!.planned.entry, engine: remote!.engine };
  });
  const fallback = failed.length
    ? failed.map((f) => `${f.planned.name} could not load here (${describe(f.error)}); its requests run on "${remote!.planned.name}"`).join('; ')
    : undefined;
  // The default model's fallback is `info().fallback`; another model's is a warning beside the plan's.
  const defaultFailed = failed.some((f) => f.planned === plan.models[0]);
  return createLocalRuntime({
    models,
    store: resolved.cache === false ? null : environment.store,
    cacheOptions: resolved.cache === false ? undefined : resolved.cache,
    worker: environment.worker,
    warnings: fallback && !defaultFailed ? [...plan.warnings, fallback] : plan.warnings,
    fallback: defaultFailed ? fallback : undefined,
  });
}

function describe(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 200);
}
