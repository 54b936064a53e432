/** Second Thought in the browser: by default the model runs in a module Web Worker; results cache in IndexedDB. */
import { indexedDbStore } from './cache/store.js';
import { createWorkerRuntime } from './runtime/client.js';
import { createInProcessRuntime } from './runtime/in-process.js';
import { planModels } from './runtime/models.js';
import { resolveOptions } from './runtime/options.js';
import type { Runtime, RuntimeOptions } from './runtime/runtime.js';
import { isCrossOrigin, spawnModuleWorker } from './runtime/spawn.js';

export * from './public.js';
export { probeWebGpu, type GpuProbe } from './engine/device.js';

/** A relative URL is read against the page, like any URL the page gives. */
function fromPage(url: string | URL): URL {
  return new URL(url, (globalThis.document?.baseURI ?? globalThis.location.href) as string);
}

export async function createRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const resolved = resolveOptions(options);
  // Unknown ids and bad descriptions fail here, before a worker starts.
  planModels(resolved);
  const modelBase = resolved.modelBase ? fromPage(resolved.modelBase).href : undefined;
  // The bundled models ship one level above the built modules (`models/` beside `assets/`), so the
  // default works from any page of the app, any static host and any sub-path.
  const bundledBase = resolved.bundledBase ? fromPage(resolved.bundledBase).href : new URL('../models/', import.meta.url).href;
  if (resolved.worker === false) {
    return createInProcessRuntime({ ...options, modelBase, bundledBase }, { store: indexedDbStore(), bundledBase, worker: false });
  }
  const { onProgress, worker: _worker, workerUrl, ...rest } = resolved;
  const url = workerUrl ? fromPage(workerUrl) : undefined;
  const source = url
    ? {
        spawn: () => spawnModuleWorker(url, 'second-thought'),
        startHint: isCrossOrigin(url) ? `The worker script is on another origin: its server must send Access-Control-Allow-Origin for this page's origin.` : undefined,
      }
    : // Written out in full so that bundlers see and bundle the worker entry.
      { spawn: () => new Worker(new URL('../workers/runtime.worker.ts', import.meta.url), { type: 'module', name: 'second-thought' }) };
  return createWorkerRuntime(source, { ...rest, modelBase, bundledBase }, onProgress);
}
