import type { NormalizedRequest } from '../request/schema.js';
import type { CacheStats, ProgressEvent, RuntimeInfo, SolveResult, TraceEvent, VerifyInput } from '../types.js';
import type { RuntimeOptions } from './runtime.js';

/** `modelBase` and `bundledBase` arrive as absolute URLs: the worker's own location is not the page's. */
export type WireOptions = Omit<RuntimeOptions, 'onProgress' | 'worker' | 'workerUrl'> & { bundledBase: string };

/** A result whose trace the page already holds: it received every trace event as it happened. */
export type WireResult = Omit<SolveResult, 'trace'> & { trace: TraceEvent[] | 'streamed' };

/** The worker's API, called through comlink. Requests arrive validated and normalised by the page. */
export interface RuntimeHost {
  /**
   * Takes the Web Lock `name` for the worker's whole life and resolves once it holds it (false where there
   * are no Web Locks). The browser releases a dead context's locks, so the page, queued for the same lock,
   * is granted it the moment the worker is gone however it went: terminated, crashed or closed.
   */
  hold(name: string): Promise<boolean>;
  init(options: WireOptions): Promise<RuntimeInfo>;
  solve(id: string, request: NormalizedRequest, wantsEvents: boolean, verify?: (input: VerifyInput) => Promise<boolean>): Promise<WireResult>;
  abort(id: string): void;
  cacheStats(): Promise<CacheStats>;
  cacheClear(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Messages the worker posts on its own, beside comlink's replies on the same port (so they arrive in
 * order with them) and needing no reply. comlink ignores messages without its `id`.
 */
export type WorkerNotice =
  | { secondThought: 'events'; request: string; events: TraceEvent[] }
  | { secondThought: 'progress'; event: ProgressEvent }
  /** The worker is closing itself: no 'error' event would tell the page. */
  | { secondThought: 'closing' }
  /** The runtime's info changed (a lost GPU device, the model loaded again on WASM); sent before the reply. */
  | { secondThought: 'info'; info: RuntimeInfo };

export function isWorkerNotice(data: unknown): data is WorkerNotice {
  return typeof data === 'object' && data !== null && 'secondThought' in data;
}
