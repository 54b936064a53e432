import type { NormalizedRequest } from '../request/schema.js';
import type { CacheStats, ProgressEvent, RuntimeInfo, SolveResult, TraceEvent, VerifyInput } from '../types.js';
import type { RuntimeOptions } from './runtime.js';

/** `modelBase` and `bundledBase` arrive as absolute URLs: the worker's own location is not the page's. */
export type WireOptions = Omit<RuntimeOptions, 'onProgress' | 'worker' | 'workerUrl'> & { bundledBase: string };

/** A result whose trace the page already holds: it received every trace event as it happened. */
export type WireResult = Omit<SolveResult, 'trace'> & { trace: TraceEvent[] | 'streamed' };

/** The worker's API, called through comlink. Requests arrive validated and normalised by the page. */
export interface RuntimeHost {
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
  | { secondThought: 'closing' };

export function isWorkerNotice(data: unknown): data is WorkerNotice {
  return typeof data === 'object' && data !== null && 'secondThought' in data;
}
