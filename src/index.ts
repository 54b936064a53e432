/**
 * Second Thought in Node: the runtime runs in-process on onnxruntime-node, with an in-memory result cache.
 * The browser build (`browser.ts`) has the same API and runs the model in a Web Worker.
 */
import { memoryStore } from './cache/store.js';
import { EngineError } from './errors.js';
import { bundledModelsFolder } from './models/node-base.js';
import { createInProcessRuntime } from './runtime/in-process.js';
import type { Runtime, RuntimeOptions } from './runtime/runtime.js';

export * from './public.js';

export async function createRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  if (options.worker === true) throw new EngineError('worker: true needs a browser; in Node the runtime runs in-process');
  return createInProcessRuntime(options, { store: memoryStore(), bundledBase: bundledModelsFolder(), worker: false });
}
