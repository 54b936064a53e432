/**
 * The widget's runtime: `createRuntime` with the widget's own worker (usually served from another origin
 * than the page; the library starts it through a same-origin shim) and the bundled models beside the
 * widget script rather than beside the page.
 */
import workerUrl from './widget.worker.ts?worker&url';
import { createRuntime, type Runtime, type RuntimeOptions } from '../browser.js';

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

export function createWidgetRuntime(options: WidgetRuntimeOptions, scriptUrl: string): Promise<Runtime> {
  const bundledBase = import.meta.env.DEV ? new URL('/models/', location.href).href : new URL('models/', widgetBase(scriptUrl)).href;
  return createRuntime({ ...options, bundledBase, workerUrl: new URL(workerUrl, scriptUrl) });
}
