import type { ProgressEvent, RuntimeInfo, SolveRequest, SolveResult, TraceEvent, CacheStats, VerifyInput } from '../types.js';
import type { RuntimeOptions } from './runtime.js';

/** What crosses into the worker: the request without its signal and callbacks (those are bridged). */
export type WireRequest = Omit<SolveRequest, 'signal' | 'onEvent' | 'verify'>;

/** `modelBase` and `bundledBase` arrive as absolute URLs: the worker's own location is not the page's. */
export type WireOptions = Omit<RuntimeOptions, 'onProgress' | 'worker'> & { bundledBase: string };

/** The worker's API, called through comlink. */
export interface RuntimeHost {
  init(options: WireOptions, onProgress?: (event: ProgressEvent) => void): Promise<RuntimeInfo>;
  solve(
    id: string,
    request: WireRequest,
    onEvent?: (event: TraceEvent) => void,
    verify?: (input: VerifyInput) => boolean | Promise<boolean>,
  ): Promise<SolveResult>;
  abort(id: string): void;
  cacheStats(): Promise<CacheStats>;
  cacheClear(): Promise<void>;
  dispose(): Promise<void>;
}
