/**
 * The widget's runtime: the library's worker client, with two differences from `createRuntime` that an
 * embed on someone else's page needs.
 * - The worker: a Worker script must be same-origin with the page, and the widget is usually served from
 *   another origin. A same-origin blob module that `import`s the widget's worker (cross-origin, so its host
 *   must send CORS headers) starts it; inside, `import.meta.url` is still the widget's host, so the engine's
 *   chunks and its .wasm load from there.
 * - The bundled models default to `models/` beside the widget script, not beside the page.
 */
import workerUrl from './widget.worker.ts?worker&url';
import { EngineError } from '../errors.js';
import { findModel } from '../models/catalog.js';
import { createWorkerRuntime } from '../runtime/client.js';
import { resolveOptions } from '../runtime/options.js';
import type { Runtime, RuntimeOptions } from '../runtime/runtime.js';

export interface WidgetRuntimeOptions {
  model?: string;
  /** Read against the page, like any URL the page gives. */
  modelBase?: string;
  onProgress?: RuntimeOptions['onProgress'];
}

/** Where the widget's own files are: the folder of `second-thought.js`. */
export function widgetBase(scriptUrl: string): string {
  return new URL('./', scriptUrl).href;
}

export async function createWidgetRuntime(options: WidgetRuntimeOptions, scriptUrl: string): Promise<Runtime> {
  const resolved = resolveOptions({ model: options.model, modelBase: options.modelBase });
  findModel(resolved.model);
  const modelBase = resolved.modelBase ? new URL(resolved.modelBase, document.baseURI).href : undefined;
  const bundledBase = import.meta.env.DEV ? new URL('/models/', location.href).href : new URL('models/', widgetBase(scriptUrl)).href;

  const { worker, cleanup } = spawnWorker(new URL(workerUrl, scriptUrl));
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener(
      'error',
      (event) => {
        event.preventDefault();
        reject(
          new EngineError(
            `The widget's worker could not start${event.message ? ` (${event.message})` : ''}. If the widget is served from another origin, its server must send Access-Control-Allow-Origin for the page's origin.`,
          ),
        );
      },
      { once: true },
    );
  });
  try {
    const { onProgress } = options;
    return await Promise.race([createWorkerRuntime(worker, { model: resolved.model, engine: resolved.engine, device: resolved.device, modelBase, bundledBase }, onProgress), failed]);
  } catch (error) {
    worker.terminate();
    throw error;
  } finally {
    cleanup();
  }
}

function spawnWorker(url: URL): { worker: Worker; cleanup: () => void } {
  const options: WorkerOptions = { type: 'module', name: 'second-thought-widget' };
  if (url.origin === location.origin) return { worker: new Worker(url, options), cleanup: () => {} };
  const shim = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};\n`], { type: 'text/javascript' }));
  return { worker: new Worker(shim, options), cleanup: () => URL.revokeObjectURL(shim) };
}
