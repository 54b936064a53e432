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

export type BestOfNScorer = 'logprob' | 'confidence';

export interface BestOfNSpec {
  kind: 'best-of-n';
  n: number;
  scorer: BestOfNScorer;
}

export type StrategySpec = GreedySpec | SelfConsistencySpec | BestOfNSpec;
export type StrategyKind = StrategySpec['kind'];

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
  | (TraceBase & { type: 'verify'; answer: string | null; verdict: boolean; score: number | null; by: string })
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
