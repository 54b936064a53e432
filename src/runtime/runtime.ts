import type { DeviceRequest } from '../engine/device.js';
import type { CacheStats, ProgressEvent, RuntimeInfo, SolveRequest, SolveResult, TraceEvent } from '../types.js';

import type { EngineRequest } from '../engine/registry.js';
import type { ModelChoice } from '../models/describe.js';

export type { EngineRequest };

export interface CacheOptions {
  /** Entries older than this are not served. Default 30 days. */
  ttlMs?: number;
  /** Least recently used entries beyond this count are evicted. Default 1,000. */
  maxEntries?: number;
}

export interface RuntimeOptions {
  /**
   * A catalogue id (see `MODEL_CATALOG`), any other id with `engine`, or a description
   * (`{ id, engine, family?, dtype?, contextLength?, server? }`). Default `'tiny-arith'`, bundled.
   * With `models`, the name of the default one.
   */
  model?: ModelChoice;
  /**
   * Several models in one runtime, by name, e.g. `{ small: 'tiny-arith', big: { id: 'qwen2.5-7b', engine:
   * 'openai', server: { baseUrl } } }`. A strategy step runs on another one with `model: 'big'`.
   */
  models?: Record<string, ModelChoice>;
  /** `'auto'` picks WebLLM for MLC builds and transformers.js for ONNX models. */
  engine?: EngineRequest;
  /** `'auto'` uses WebGPU where an adapter exists, else WASM (browsers); Node always runs on the CPU. */
  device?: DeviceRequest;
  /** Run the model in a Web Worker. Default true in browsers; not available in Node. */
  worker?: boolean;
  /** Where models are served from (URL in browsers, folder in Node). Default: the bundled `models/`. */
  modelBase?: string;
  /** Where the bundled models are served when `modelBase` is not set. Default: `models/` beside the library. */
  bundledBase?: string;
  /**
   * Browsers: a module worker script of your own that calls `exposeRuntimeHost()` from
   * `second-thought/worker` (e.g. to serve it from another origin, as the widget does). Default: the
   * package's own worker.
   */
  workerUrl?: string | URL;
  /** Result cache settings, or false to turn caching off. IndexedDB in browsers, memory in Node. */
  cache?: CacheOptions | false;
  onProgress?: (event: ProgressEvent) => void;
}

export interface RuntimeCache {
  stats(): Promise<CacheStats>;
  clear(): Promise<void>;
}

export interface Runtime {
  solve(request: SolveRequest): Promise<SolveResult>;
  /** Trace events as they happen, ending with `{ type: 'result' }`. Breaking out of the loop aborts. */
  stream(request: SolveRequest): AsyncIterable<TraceEvent>;
  /** Model, engine, the device actually used (and why, if it is not the one asked for), capabilities. */
  info(): RuntimeInfo;
  cache: RuntimeCache;
  dispose(): Promise<void>;
}
