import type { Engine, EnginePrompt, Generation, GenerateParams } from '../engine/engine.js';
import { AbortError, InvalidRequestError, throwIfAborted } from '../errors.js';
import type { PromptPack } from '../prompts/pack.js';
import type { AnswerSpec, Capabilities, BudgetOptions, ChatMessage, ModelUsage, SamplingOptions, TraceEvent, Usage, VerifyCallback } from '../types.js';

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
  /** Alternatives per position to report (DeepConf's token confidence). */
  topLogprobs?: number;
  /** Ends one row early (see `GenerateParams.stopRow`). */
  stopRow?: GenerateParams['stopRow'];
}

/** One model a runtime holds: its engine, the pack it speaks, and the queue its calls wait in. */
export interface ModelSlot {
  /** The runtime's name for it (`models` keys), used by `spec.model`, `usage.byModel` and the trace. */
  name: string;
  engine: Engine;
  pack: PromptPack;
  /** Runs engine calls one at a time (the engine holds one model). */
  serialize?: Serialize;
}

export interface StrategyContext {
  /** The model this step runs on. */
  model: string;
  question: ChatMessage[];
  pack: PromptPack;
  answer: AnswerSpec;
  /** The sampling temperature strategies use when they sample. */
  temperature: number;
  generate(request: SampleRequest): Promise<Generation[]>;
  emit(event: TraceInput): void;
  usage: Usage;
  /** True once a budget has cut a call short (fewer samples or tokens than asked for) or refused it. */
  readonly budgetHit: boolean;
  signal: AbortSignal;
  /** The request's `verify` function, for `{ kind: 'callback' }` verifiers. */
  verify?: VerifyCallback;
  /** Milliseconds before `budget.deadlineMs` passes (Infinity without one): bounds work outside `generate`. */
  remainingMs(): number;
  /** What the engine can do, so a strategy can refuse clearly instead of failing deep inside a call. */
  capabilities: Capabilities;
  /** The same request on another of the runtime's models (`spec.model`); `path` names the field in errors. */
  withModel(name: string, path: string): StrategyContext;
  /** Set when an escalation to another model failed and the answer stayed local. */
  escalationFailed: boolean;
}

export type Serialize = <T>(task: (signal: AbortSignal) => Promise<T>, signal: AbortSignal) => Promise<T>;

export interface ContextOptions {
  /** Every model the runtime holds, by name; the request starts on `model`. */
  models: ReadonlyMap<string, ModelSlot>;
  model: string;
  question: ChatMessage[];
  answer: AnswerSpec;
  sampling: SamplingOptions;
  budget: BudgetOptions;
  signal: AbortSignal;
  defaultTemperature: number;
  onEvent: (event: TraceEvent) => void;
  verify?: VerifyCallback;
  now?: () => number;
}

export function createStrategyContext(options: ContextOptions): StrategyContext {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const usage: Usage = { promptTokens: 0, completionTokens: 0, samples: 0, engineCalls: 0, ms: 0, byModel: {} };
  const { budget, sampling, signal } = options;
  const deadline = budget.deadlineMs !== undefined ? started + budget.deadlineMs : Infinity;
  let budgetHit = false;
  /** A budget refused a call: the result says so even where a strategy carries on without it. */
  const exhausted = (which: BudgetExhaustedError['which']) => {
    budgetHit = true;
    return new BudgetExhaustedError(which);
  };
  let escalationFailed = false;
  const contexts = new Map<string, StrategyContext>();

  function emit(event: TraceInput): void {
    const stamped = { ...event, t: Math.round(now() - started) } as TraceEvent;
    options.onEvent(stamped);
  }

  function forModel(slot: ModelSlot): StrategyContext {
    const known = contexts.get(slot.name);
    if (known) return known;
    const ctx = slotContext(slot);
    contexts.set(slot.name, ctx);
    return ctx;
  }

  function slotContext(slot: ModelSlot): StrategyContext {
    const { engine, pack } = slot;
    const serialize: Serialize = slot.serialize ?? ((task, s) => task(s));
    // The request's temperature, else this model's own (the first model's pack default is the caller's).
    const temperature = sampling.temperature ?? (slot.name === options.model ? options.defaultTemperature : pack.defaultTemperature);
    const mine: ModelUsage = (usage.byModel[slot.name] ??= { promptTokens: 0, completionTokens: 0, samples: 0, engineCalls: 0 });

    async function generate(request: SampleRequest): Promise<Generation[]> {
      throwIfAborted(signal);
      const remainingMs = deadline - now();
      if (remainingMs <= 0) throw exhausted('deadlineMs');
      let n = request.n;
      if (budget.maxSamples !== undefined) {
        n = Math.min(n, budget.maxSamples - usage.samples);
        if (n <= 0) throw exhausted('maxSamples');
      }
      const wantedTokens = request.maxTokens ?? sampling.maxTokens ?? pack.draftMaxTokens;
      let maxTokens = wantedTokens;
      if (budget.maxTokens !== undefined) {
        const left = budget.maxTokens - usage.completionTokens;
        // Worst case every row runs to maxTokens: fit the call inside what is left, dropping rows if need be.
        n = Math.min(n, left);
        if (n <= 0) throw exhausted('maxTokens');
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
        ...(request.topLogprobs ? { topLogprobs: request.topLogprobs } : {}),
      ...(request.stopRow ? { stopRow: request.stopRow } : {}),
        signal: callSignal.signal,
        onToken: (row, token) => emit({ type: 'token', index: usage.samples + row, token }),
      };
      try {
        const output = await serialize((s) => engine.generate({ ...params, signal: s }), callSignal.signal);
        let completion = 0;
        for (const g of output.generations) completion += g.steps.length + (g.finishReason === 'stop' ? 1 : 0);
        for (const tally of [usage, mine]) {
          tally.engineCalls += 1;
          tally.samples += output.generations.length;
          tally.promptTokens += output.promptTokens;
          tally.completionTokens += completion;
        }
        return output.generations;
      } catch (error) {
        if (signal.aborted) throw new AbortError();
        if (callSignal.timedOut()) throw exhausted('deadlineMs');
        throw error;
      } finally {
        callSignal.dispose();
      }
    }

    return {
      model: slot.name,
      question: options.question,
      pack,
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
      capabilities: engine.info().capabilities,
      withModel(name: string, path: string): StrategyContext {
        const target = options.models.get(name);
        if (!target) {
          throw new InvalidRequestError(path, `no model named "${name.slice(0, 60)}" in this runtime; it has ${[...options.models.keys()].map((k) => `"${k}"`).join(', ')}`);
        }
        return forModel(target);
      },
      get escalationFailed() {
        return escalationFailed;
      },
      set escalationFailed(value: boolean) {
        escalationFailed = value;
      },
    };
  }

  const first = options.models.get(options.model);
  if (!first) throw new InvalidRequestError('model', `no model named "${options.model}"`);
  return forModel(first);
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
