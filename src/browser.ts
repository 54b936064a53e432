/** Second Thought in the browser: by default the model runs in a module Web Worker; results cache in IndexedDB. */
import { indexedDbStore } from './cache/store.js';
import { findModel } from './models/catalog.js';
import { createWorkerRuntime } from './runtime/client.js';
import { createInProcessRuntime } from './runtime/in-process.js';
import { resolveOptions } from './runtime/options.js';
import type { Runtime, RuntimeOptions } from './runtime/runtime.js';

export * from './public.js';

/** The bundled models sit next to the page (`./models/`), so the app works from any static host and sub-path. */
function pageBase(): string {
  return (globalThis.document?.baseURI ?? globalThis.location.href) as string;
}

export async function createRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const resolved = resolveOptions(options);
  findModel(resolved.model);
  const modelBase = resolved.modelBase ? new URL(resolved.modelBase, pageBase()).href : undefined;
  const bundledBase = new URL('models/', pageBase()).href;
  if (resolved.worker === false) {
    return createInProcessRuntime({ ...options, modelBase }, { store: indexedDbStore(), bundledBase, worker: false });
  }
  const worker = new Worker(new URL('../workers/runtime.worker.ts', import.meta.url), { type: 'module', name: 'second-thought' });
  const { onProgress, worker: _worker, ...rest } = resolved;
  return createWorkerRuntime(worker, { ...rest, modelBase, bundledBase }, onProgress);
}
