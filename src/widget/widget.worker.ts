/**
 * The widget's worker: the runtime host, plus one adjustment for running on someone else's page.
 *
 * The widget starts its worker from a blob URL (a worker script must be same-origin with the page), so the
 * worker has the page's origin while ONNX Runtime's module comes from the widget's host. ORT then refuses
 * its embedded wasm loader (it looks for a separate `.mjs` glue file next to itself, which the bundle does
 * not ship) unless it is handed the wasm binary and runs single-threaded. So in that case the binary is
 * fetched (with CORS) and given to ORT before the first request is handled. Same-origin, nothing changes.
 */
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import type { Endpoint } from 'comlink';
import { EngineError } from '../browser.js';
import { exposeRuntimeHost } from '../worker.js';

const crossOrigin = new URL(ortWasmUrl, import.meta.url).origin !== self.origin;

const ready: Promise<void> = crossOrigin
  ? (async () => {
      const [{ env }, response] = await Promise.all([import('@huggingface/transformers'), fetch(new URL(ortWasmUrl, import.meta.url))]);
      if (!response.ok) throw new EngineError(`ONNX Runtime wasm: HTTP ${response.status}`);
      const wasm = env.backends.onnx.wasm!;
      wasm.wasmBinary = await response.arrayBuffer();
      wasm.numThreads = 1;
    })().catch((error: unknown) => {
      // Let the engine try its own way; its error then reaches the page through init().
      console.warn('second-thought widget: could not preload the ONNX Runtime wasm:', error);
    })
  : Promise.resolve();

/** The worker scope, with each incoming message held until ORT is set up (order kept). */
const endpoint: Endpoint = {
  postMessage: (message: unknown, transfer?: Transferable[]) => self.postMessage(message, { transfer }),
  addEventListener: (type: string, listener: EventListenerOrEventListenerObject) => {
    self.addEventListener(type, (event) => {
      void ready.then(() => (typeof listener === 'function' ? listener(event) : listener.handleEvent(event)));
    });
  },
  removeEventListener: () => {
    // The host listens for the worker's whole life.
  },
};

exposeRuntimeHost(endpoint);
