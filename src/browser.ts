/** Second Thought in the browser: by default the model runs in a module Web Worker; results cache in IndexedDB. */
import { indexedDbStore } from './cache/store.js';
import { findModel } from './models/catalog.js';
import { createWorkerRuntime } from './runtime/client.js';
import { createInProcessRuntime } from './runtime/in-process.js';
import { resolveOptions } from './runtime/options.js';
import type { Runtime, RuntimeOptions } from './runtime/runtime.js';

export * from './public.js';

/** A relative `modelBase` is read against the page, like any URL the page gives. */
function pageBase(): string {
  return (globalThis.document?.baseURI ?? globalThis.location.href) as string;
}

export async function createRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const resolved = resolveOptions(options);
  findModel(resolved.model);
  const modelBase = resolved.modelBase ? new URL(resolved.modelBase, pageBase()).href : undefined;
  // The bundled models ship one level above the built modules (`models/` beside `assets/`), so the
  // default works from any page of the app, any static host and any sub-path.
  const bundledBase = new URL('../models/', import.meta.url).href;
  if (resolved.worker === false) {
    return createInProcessRuntime({ ...options, modelBase }, { store: indexedDbStore(), bundledBase, worker: false });
  }
  const worker = new Worker(new URL('../workers/runtime.worker.ts', import.meta.url), { type: 'module', name: 'second-thought' });
  const { onProgress, worker: _worker, ...rest } = resolved;
  return createWorkerRuntime(worker, { ...rest, modelBase, bundledBase }, onProgress);
}
