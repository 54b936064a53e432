import type { Engine, EnginePrompt, Generation, GenerateParams } from '../engine/engine.js';
import { AbortError, throwIfAborted } from '../errors.js';
import type { PromptPack } from '../prompts/pack.js';
import type { AnswerSpec, Capabilities, BudgetOptions, ChatMessage, SamplingOptions, TraceEvent, Usage, VerifyCallback } from '../types.js';

/** A trace event before the context stamps its time. */
export type TraceInput = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, 't'> : never) : never;

/** Thrown by `StrategyContext.generate` when a budget has run out; strategies return their best so far. */
export class BudgetExhaustedError extends Error {
  constructor(readonly which: 'maxTokens' | 'maxSamples' | 'deadlineMs') {
    super(`budget.${which} exhausted`);
    this.name = 'BudgetExhaustedError';
  }
}

export interface SampleRequest {
  prompt: EnginePrompt;
  n: number;
  /** Defaults to the request's sampling temperature (or the model's). 0 is greedy. */
  temperature?: number;
  maxTokens?: number;
  watchTokens?: string[];
}

export interface StrategyContext {
  question: ChatMessage[];
  pack: PromptPack;
  answer: AnswerSpec;
  /** The sampling temperature strategies use when they sample. */
  temperature: number;
  generate(request: SampleRequest): Promise<Generation[]>;
  emit(event: TraceInput): void;
  usage: Usage;
  /** True once a budget has cut a call short (fewer samples or tokens than asked for). */
  readonly budgetHit: boolean;
  signal: AbortSignal;
  /** The request's `verify` function, for `{ kind: 'callback' }` verifiers. */
  verify?: VerifyCallback;
  /** Milliseconds before `budget.deadlineMs` passes (Infinity without one): bounds work outside `generate`. */
  remainingMs(): number;
  /** What the engine can do, so a strategy can refuse clearly instead of failing deep inside a call. */
  capabilities: Capabilities;
}

export type Serialize = <T>(task: (signal: AbortSignal) => Promise<T>, signal: AbortSignal) => Promise<T>;

export interface ContextOptions {
  engine: Engine;
  pack: PromptPack;
  question: ChatMessage[];
  answer: AnswerSpec;
  sampling: SamplingOptions;
  budget: BudgetOptions;
  signal: AbortSignal;
  defaultTemperature: number;
  onEvent: (event: TraceEvent) => void;
  /** Runs engine calls one at a time (the engine holds one model). */
  serialize?: Serialize;
  verify?: VerifyCallback;
  now?: () => number;
}

export function createStrategyContext(options: ContextOptions): StrategyContext {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const usage: Usage = { promptTokens: 0, completionTokens: 0, samples: 0, engineCalls: 0, ms: 0 };
  const { budget, sampling, signal } = options;
  const serialize: Serialize = options.serialize ?? ((task, s) => task(s));
  const deadline = budget.deadlineMs !== undefined ? started + budget.deadlineMs : Infinity;
  const temperature = sampling.temperature ?? options.defaultTemperature;
  let budgetHit = false;

  async function generate(request: SampleRequest): Promise<Generation[]> {
    throwIfAborted(signal);
    const remainingMs = deadline - now();
    if (remainingMs <= 0) throw new BudgetExhaustedError('deadlineMs');
    let n = request.n;
    if (budget.maxSamples !== undefined) {
      n = Math.min(n, budget.maxSamples - usage.samples);
      if (n <= 0) throw new BudgetExhaustedError('maxSamples');
    }
    const wantedTokens = request.maxTokens ?? sampling.maxTokens ?? options.pack.draftMaxTokens;
    let maxTokens = wantedTokens;
    if (budget.maxTokens !== undefined) {
      const left = budget.maxTokens - usage.completionTokens;
      // Worst case every row runs to maxTokens: fit the call inside what is left, dropping rows if need be.
      n = Math.min(n, left);
      if (n <= 0) throw new BudgetExhaustedError('maxTokens');
      maxTokens = Math.min(maxTokens, Math.floor(left / n));
    }
    if (n < request.n || maxTokens < wantedTokens) budgetHit = true;

    const callSignal = withDeadline(signal, remainingMs);
    const params: GenerateParams = {
      prompt: request.prompt,
      n,
      temperature: request.temperature ?? temperature,
      topK: sampling.topK,
      topP: sampling.topP,
      maxTokens,
      seed: sampling.seed !== undefined ? (sampling.seed + usage.engineCalls * 7919) >>> 0 : undefined,
      watchTokens: request.watchTokens,
      signal: callSignal.signal,
      onToken: (row, token) => emit({ type: 'token', index: usage.samples + row, token }),
    };
    try {
      const output = await serialize((s) => options.engine.generate({ ...params, signal: s }), callSignal.signal);
      usage.engineCalls += 1;
      usage.samples += output.generations.length;
      usage.promptTokens += output.promptTokens;
      for (const g of output.generations) usage.completionTokens += g.steps.length + (g.finishReason === 'stop' ? 1 : 0);
      return output.generations;
    } catch (error) {
      if (signal.aborted) throw new AbortError();
      if (callSignal.timedOut()) throw new BudgetExhaustedError('deadlineMs');
      throw error;
    } finally {
      callSignal.dispose();
    }
  }

  function emit(event: TraceInput): void {
    const stamped = { ...event, t: Math.round(now() - started) } as TraceEvent;
    options.onEvent(stamped);
  }

  return {
    question: options.question,
    pack: options.pack,
    answer: options.answer,
    temperature,
    generate,
    emit,
    usage,
    get budgetHit() {
      return budgetHit;
    },
    signal,
    verify: options.verify,
    remainingMs: () => deadline - now(),
    capabilities: options.engine.info().capabilities,
  };
}

/** The caller's signal, plus a timer for the deadline; `timedOut()` tells the two apart afterwards. */
function withDeadline(signal: AbortSignal, ms: number) {
  // Without a deadline the caller's signal is all there is: no second controller per engine call.
  if (ms === Infinity) return { signal, timedOut: () => false, dispose: () => {} };
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const timer =
    ms === Infinity
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, ms);
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}
