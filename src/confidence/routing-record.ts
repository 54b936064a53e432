/**
 * One question's routing record: the small model's answer, its signal value, and the large model's answer,
 * from one cascade that always escalates (threshold 1). That single run gives every point of the routing
 * curve (`routingCurve`): at threshold t the cascade would have returned the small answer where the signal
 * reaches t, and what the escalation returned otherwise. Shared by `npm run bench` and the app.
 */
import { EngineError, RemoteEngineError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import type { CascadeSignal, SolveRequest, SolveResult, StrategySpec, TraceEvent } from '../types.js';

export interface RoutingRecordOptions {
  /** The cascade signal read on the small model's answer. */
  signal: CascadeSignal;
  /** Votes of the small model's answer, for signal 'vote'. */
  n?: number;
  /** What the large model runs (its `model` is set to `models.large`). */
  large: StrategySpec;
  /** The runtime's names for the two models. */
  models: { small: string; large: string };
}

export interface RoutedAnswer {
  smallAnswer: string | null;
  /** What the cascade returns when it escalates (the small answer where the large model gave none). */
  largeAnswer: string | null;
  signal: number | null;
  smallTokens: number;
  largeTokens: number;
}

const tokensOf = (result: SolveResult, model: string) => result.usage.byModel[model]?.completionTokens ?? 0;

/** The small model's answer: its draft (its vote's leader for 'vote'), the last one before the cascade read its signal. */
function smallAnswerOf(trace: readonly TraceEvent[], signal: CascadeSignal): { answer: string | null; value: number | null } {
  const at = trace.findIndex((e) => e.type === 'confidence' && e.signal === signal);
  const read = trace[at];
  let answer: string | null = null;
  for (const e of trace.slice(0, Math.max(at, 0))) {
    if (e.type === 'draft' && signal !== 'vote') answer = e.answer;
    if (e.type === 'vote' && signal === 'vote') answer = e.leader;
  }
  return { answer, value: read?.type === 'confidence' ? read.value : null };
}

/**
 * Runs `request` on both models and reads the record. A failed escalation (server down, 401, timeout) is
 * thrown as a typed error rather than recorded: the cascade would keep the small answer, and counting it
 * as the large model's would draw a curve the large model never produced.
 */
export async function recordRouting(runtime: Pick<Runtime, 'solve'>, request: Omit<SolveRequest, 'strategy'>, options: RoutingRecordOptions): Promise<RoutedAnswer> {
  const { small, large } = options.models;
  const then: StrategySpec = { ...options.large, model: large };
  const cascade: StrategySpec = { kind: 'cascade', signal: options.signal, threshold: 1, ...(options.signal === 'vote' && options.n ? { n: options.n } : {}), model: small, then };
  const result = await runtime.solve({ ...request, strategy: cascade });
  if (result.escalation === 'failed') {
    const failure = result.trace.find((e) => e.type === 'error');
    const error = failure?.type === 'error' ? failure : { name: 'EngineError', message: 'no reason given', status: null };
    const Failure = error.name === 'RemoteEngineError' ? RemoteEngineError : EngineError;
    throw new Failure(`The large model "${large}" failed: ${error.message}`, { status: error.status, retryable: false, failedWith: error.name });
  }
  const read = smallAnswerOf(result.trace, options.signal);
  const record: RoutedAnswer = { smallAnswer: read.answer, largeAnswer: result.answer, signal: read.value, smallTokens: tokensOf(result, small), largeTokens: tokensOf(result, large) };
  if (result.trace.some((e) => e.type === 'route' && e.to === large)) return record;
  // A signal of exactly 1 passes even threshold 1: ask the large model on its own, and keep the small
  // answer where it gives none, as the cascade does.
  const alone = await runtime.solve({ ...request, strategy: then });
  return { ...record, largeAnswer: alone.answer ?? read.answer, largeTokens: tokensOf(alone, large) };
}
