/** Public request/result types. Strategy specs are inferred from each strategy's schema (`strategies/`). */

export type Role = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: Role;
  content: string;
}

export type AnswerSpec =
  | { kind: 'number' }
  | { kind: 'choice'; choices: string[] }
  | { kind: 'regex'; pattern: string; flags?: string }
  | { kind: 'text' };

export interface SamplingOptions {
  /** Temperature for sampled strategies. Greedy steps always decode at 0. Default: the model's prompt pack. */
  temperature?: number;
  topK?: number;
  topP?: number;
  /** New tokens per generation. */
  maxTokens?: number;
  /** Seeds the sampler: the same seed gives the same samples on the same engine and device. */
  seed?: number;
}

export interface BudgetOptions {
  /** Total completion tokens across every engine call of the request. */
  maxTokens?: number;
  /** Total sampled continuations across every engine call. */
  maxSamples?: number;
  /** Wall-clock limit; when it passes, the best answer so far is returned with `budgetExhausted: true`. */
  deadlineMs?: number;
}

/** JSON Schema (draft 2020-12 / 7 / 4 subset that zod's `fromJSONSchema` supports); checked at validation. */
export type JsonSchema = { [key: string]: JsonValue } | boolean;
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A programmatic check of an answer. `callback` calls the request's `verify` function (across the worker
 * boundary when the runtime lives in a worker).
 */
export type VerifierSpec =
  | { kind: 'arithmetic' }
  | { kind: 'json-schema'; schema: JsonSchema }
  | { kind: 'regex'; pattern: string; flags?: string }
  | { kind: 'callback' };
export type VerifierKind = VerifierSpec['kind'];

export type { StrategySpec, StrategyKind } from './strategies/spec-union.js';
export type { BestOfNSpec, BestOfNScorer } from './strategies/best-of-n.js';
export type { AdaptiveConsistencySpec, StoppingCriterion } from './strategies/adaptive-consistency.js';
export type { VerifyCorrectSpec } from './strategies/verify-correct.js';
export type { SelfRefineSpec } from './strategies/self-refine.js';
export type { WaitSpec } from './strategies/wait.js';
export type { CascadeSpec, CascadeSignal } from './strategies/cascade.js';
export type { GreedySpec } from './strategies/greedy.js';
export type { SelfConsistencySpec } from './strategies/self-consistency.js';
export type { DeepConfSpec } from './strategies/deepconf.js';
import type { StrategySpec } from './strategies/spec-union.js';

/** What a `verify` callback receives. */
export interface VerifyInput {
  /** The last user message. */
  question: string;
  answer: string | null;
  text: string;
}

export type VerifyCallback = (input: VerifyInput) => boolean | Promise<boolean>;

export type CacheMode = 'use' | 'bypass' | 'refresh';

export interface SolveRequest {
  messages?: ChatMessage[];
  /** Shorthand for `messages: [{ role: 'user', content: prompt }]`. */
  prompt?: string;
  strategy?: StrategySpec;
  answer?: AnswerSpec;
  sampling?: SamplingOptions;
  budget?: BudgetOptions;
  signal?: AbortSignal;
  onEvent?: (event: TraceEvent) => void;
  /** The page's own answer check, used by `{ kind: 'callback' }` verifiers. Requests using it are not cached. */
  verify?: VerifyCallback;
  cache?: CacheMode;
}

// A type, not an interface: results are JSON, and JSON-typed consumers (the AI SDK's metadata) need the index signature.
export type ModelUsage = {
  promptTokens: number;
  completionTokens: number;
  /** Continuations generated (a greedy draft counts as one). */
  samples: number;
  engineCalls: number;
};

export interface Usage extends ModelUsage {
  ms: number;
  /** The same counts per model the request ran on (the runtime's model names), e.g. `{ small: …, big: … }`. */
  byModel: Record<string, ModelUsage>;
}

export interface SolveResult {
  /** The extracted, normalised answer; null when no sample yielded one. */
  answer: string | null;
  /** The model text the answer was taken from. */
  text: string;
  /** 0..1, from the strategy's signal (confidence token, vote share, log-prob…); null when none applies. */
  confidence: number | null;
  strategy: StrategySpec;
  usage: Usage;
  cached: boolean;
  budgetExhausted: boolean;
  /**
   * 'failed': a step meant to run on another model (a cascade's escalation) failed — server down, 401,
   * timeout — and the answer is the one the first model already had; the error is in the trace. Such a
   * result is not cached.
   */
  escalation?: 'failed';
  trace: TraceEvent[];
}

interface TraceBase {
  /** Milliseconds since the request started. */
  t: number;
}

export type TraceEvent =
  | (TraceBase & { type: 'draft'; text: string; answer: string | null; tokens: number })
  | (TraceBase & {
      type: 'sample';
      index: number;
      text: string;
      answer: string | null;
      meanLogprob: number | null;
      confidence: number | null;
    })
  | (TraceBase & { type: 'vote'; counts: Record<string, number>; leader: string | null; share: number })
  | (TraceBase & { type: 'verify';
      answer: string | null;
      /** null: the judge could not tell (no verdict in the reply, or a verifier that cannot judge this question). */
      verdict: boolean | null;
      score: number | null;
      /** 'self-verify', 'verifier:arithmetic', … */
      by: string;
      /** The verifier's reason or the model's reply. */
      reason?: string;
      /** Self-verification over several replies: `score` is their mean P(yes), `reason` one reply that reached the verdict. */
      replies?: number;
    })
  | (TraceBase & { type: 'critique'; text: string; says: 'correct' | 'incorrect' | 'unclear' })
  | (TraceBase & { type: 'revise'; from: string | null; to: string | null; text: string })
  | (TraceBase & { type: 'decision'; choice: string; reason: string })
  | (TraceBase & { type: 'confidence'; signal: string; value: number | null; threshold?: number })
  | (TraceBase & { type: 'stop'; rule: string; reason: string; numbers: Record<string, number> })
  | (TraceBase & { type: 'token'; index: number; token: string })
  /** DeepConf: a trace's confidence (its lowest group's, or the offline score), and whether the online rule stopped it. */
  | (TraceBase & { type: 'trace-score'; index: number; score: number | null; tokens: number; stopped: boolean; threshold: number | null })
  /** A step runs on another of the runtime's models. */
  | (TraceBase & { type: 'route'; from: string; to: string; reason: string })
  /** A step failed and the request went on without it (a failed escalation keeps the first model's answer). */
  | (TraceBase & { type: 'error'; model: string; name: string; message: string; status: number | null })
  | (TraceBase & { type: 'result'; result: SolveResult });

export type TraceEventType = TraceEvent['type'];

export type EngineName = 'transformers' | 'webllm' | 'openai';
export type Device = 'webgpu' | 'wasm' | 'cpu';

export interface Capabilities {
  /** n samples of one prompt in one engine call. */
  batchedSampling: boolean;
  logprobs: boolean;
  /** How many alternatives per position the engine can report (0 when it can only report the chosen token). */
  topLogprobs: number;
  /** Whether `sampling.seed` makes samples reproducible. */
  seededSampling: boolean;
  contextLength: number;
  /** The model has trained confidence tokens (Self-REF). */
  confidenceToken: boolean;
  /** The engine can continue an open assistant turn (the instruct "Wait" nudge needs it). */
  continueAssistant: boolean;
}

export interface RuntimeInfo {
  model: string;
  engine: EngineName;
  device: Device;
  /** Why the device differs from the one asked for, e.g. "WebGPU unavailable: no adapter; using WASM". */
  fallback: string | null;
  capabilities: Capabilities;
  /** The weight variant loaded where the id does not say it (transformers.js: the ONNX dtype, 'fp32' or 'q4'…). */
  weights?: string;
  worker: boolean;
  /** Every model the runtime holds, by its name (the first is the default: the fields above). */
  models: Record<string, ModelInfo>;
  /** How the models were read or loaded, e.g. a family guessed from an unknown id. */
  warnings: string[];
}

export interface ModelInfo {
  model: string;
  engine: EngineName;
  device: Device;
  fallback: string | null;
  capabilities: Capabilities;
  weights?: string;
}

export interface ProgressEvent {
  progress: number;
  text: string;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  /**
   * Storage faults survived since the cache was created (not reset by `clear()`: they describe the storage,
   * not the entries). Each one cost at most a cache miss or a dropped write, never an answer. Absent where
   * the runtime has no cache.
   */
  faults?: {
    /** Store reads that failed or timed out (index loads and entry reads); each was answered as a miss. */
    reads: number;
    /** Store writes (puts, deletes, clears) that failed or timed out; each was dropped. Includes `quotaExceeded`. */
    writes: number;
    /** Of `writes`: those refused because the storage quota was full. */
    quotaExceeded: number;
    /** Attempts to open the database that failed, were blocked or timed out; each is retried after a backoff. */
    opens: number;
    /** Stored entries that did not match the result schema (or the entry envelope); deleted, never served. */
    invalidEntries: number;
    /** Stored entries written by another cache version; deleted, never served. */
    versionMismatches: number;
  };
}
