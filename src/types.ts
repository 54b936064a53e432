/** Public request/result types. The zod schemas in `request/schema.ts` are checked against these. */

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

export interface GreedySpec {
  kind: 'greedy';
}

export interface SelfConsistencySpec {
  kind: 'self-consistency';
  n: number;
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

export type BestOfNScorer = 'logprob' | 'confidence' | 'self-verify' | 'verifier';

export interface BestOfNSpec {
  kind: 'best-of-n';
  n: number;
  scorer: BestOfNScorer;
  /** Required with `scorer: 'verifier'`, not allowed otherwise. */
  verifier?: VerifierSpec;
}

export type StoppingCriterion = 'beta' | 'dirichlet' | 'entropy' | 'majority';

/** Adaptive-Consistency (Aggarwal et al., 2023): sample until the stopping rule holds or `maxSamples`. */
export interface AdaptiveConsistencySpec {
  kind: 'adaptive-consistency';
  /** Default 16, at most 64. */
  maxSamples?: number;
  /** Default 'beta'. */
  criterion?: StoppingCriterion;
  /** Default per criterion: beta 0.95, dirichlet 0.95, entropy 0.75 (of the maximum), majority 0.8. */
  threshold?: number;
}

/** SETS: sample, self-verify each, correct the failures for up to `rounds`, vote among the verified. */
export interface VerifyCorrectSpec {
  kind: 'verify-correct';
  /** Default 4. */
  samples?: number;
  /** Correction rounds, default 2 (0: verify and vote only). */
  rounds?: number;
  /** Judge with this verifier instead of the model's self-verification. */
  verifier?: VerifierSpec;
}

/** Self-Refine (draft, feedback, refinement) or the If-or-Else review of "Confidence Matters". */
export interface SelfRefineSpec {
  kind: 'self-refine';
  /** Default 3. */
  maxRounds?: number;
  /** Default 'critique'. */
  prompts?: 'critique' | 'ioe';
  /** Evidence for the trust rule; default: the model's self-verification. */
  verifier?: VerifierSpec;
}

/** Self-Correction Bench: append the model's "Wait" nudge to its draft and let it continue. */
export interface WaitSpec {
  kind: 'wait';
  /** Default 1. */
  maxNudges?: number;
  /** Evidence for the trust rule; default: the model's self-verification. */
  verifier?: VerifierSpec;
}

export type CascadeSignal = 'confidence-token' | 'logprob' | 'self-verify' | 'vote';

/** Answer cheaply; return at once when the signal reaches `threshold`, else run `then`. */
export interface CascadeSpec {
  kind: 'cascade';
  signal: CascadeSignal;
  /** 0..1; `calibrate()` picks one from labelled data. */
  threshold: number;
  /** Samples of the small vote when `signal` is 'vote' (default 5); not allowed with other signals. */
  n?: number;
  then: StrategySpec;
}

export type StrategySpec =
  | GreedySpec
  | SelfConsistencySpec
  | BestOfNSpec
  | AdaptiveConsistencySpec
  | VerifyCorrectSpec
  | SelfRefineSpec
  | WaitSpec
  | CascadeSpec;
export type StrategyKind = StrategySpec['kind'];

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

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** Continuations generated (a greedy draft counts as one). */
  samples: number;
  engineCalls: number;
  ms: number;
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
    })
  | (TraceBase & { type: 'critique'; text: string; says: 'correct' | 'incorrect' | 'unclear' })
  | (TraceBase & { type: 'revise'; from: string | null; to: string | null; text: string })
  | (TraceBase & { type: 'decision'; choice: string; reason: string })
  | (TraceBase & { type: 'confidence'; signal: string; value: number | null; threshold?: number })
  | (TraceBase & { type: 'stop'; rule: string; reason: string; numbers: Record<string, number> })
  | (TraceBase & { type: 'token'; index: number; token: string })
  | (TraceBase & { type: 'result'; result: SolveResult });

export type TraceEventType = TraceEvent['type'];

export type EngineName = 'transformers' | 'webllm';
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
  worker: boolean;
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
}
