import type { ModelEntry } from '../models/catalog.js';
import type { Capabilities, ChatMessage, Device, EngineName, ProgressEvent } from '../types.js';
import type { DeviceRequest } from './device.js';

/**
 * A prompt is either chat messages (rendered by the model's chat template) or raw text in the model's own
 * format. `continueFinal` leaves the last (assistant) message open so the model continues it rather than
 * starting a new turn (the "Wait" nudge).
 */
export type EnginePrompt = { messages: ChatMessage[]; continueFinal?: boolean } | { text: string };

export interface GenerateParams {
  prompt: EnginePrompt;
  /** Continuations to generate for this one prompt. */
  n: number;
  /** 0 decodes greedily. */
  temperature: number;
  topK?: number;
  topP?: number;
  maxTokens: number;
  seed?: number;
  /**
   * Token strings whose log-probability (under the model's untempered distribution) is reported at every
   * step, e.g. the confidence tokens `<CN>`/`<UN>` or a verifier's `Y`/`N`.
   */
  watchTokens?: string[];
  /**
   * Alternatives per position to report in `TokenStep.top` (DeepConf's token confidence needs k of them);
   * capped at `capabilities.topLogprobs`. 0 or absent: none.
   */
  topLogprobs?: number;
  signal?: AbortSignal;
  /**
   * Asked after each token of a row; true ends that row there (DeepConf's early stop), with finishReason
   * 'cut'. Engines that cannot end one row of a call early generate it in full; the caller then judges it
   * afterwards (the tokens are spent either way, and usage says so).
   */
  stopRow?: (row: number, steps: readonly TokenStep[]) => boolean;
  /** Called as each row produces a token, for streaming. */
  onToken?: (row: number, token: string) => void;
}

export interface TokenStep {
  token: string;
  /** Log-probability of this token under the model's distribution at temperature 1. */
  logprob: number;
  /** Log-probabilities of the watched tokens at this position, where the engine can report them. */
  watched?: Record<string, number>;
  /** The most probable tokens at this position, most probable first, when `topLogprobs` was asked for. */
  top?: TokenAlternative[];
}

export interface TokenAlternative {
  token: string;
  logprob: number;
}

export interface Generation {
  /** Decoded text, special tokens removed. */
  text: string;
  /** Generated tokens, special tokens included, the end-of-sequence token excluded. */
  steps: TokenStep[];
  /** 'cut': ended by the caller's `stopRow`. */
  finishReason: 'stop' | 'length' | 'cut';
}

export interface GenerateOutput {
  generations: Generation[];
  promptTokens: number;
}

export interface EngineInfo {
  engine: EngineName;
  model: string;
  device: Device;
  fallback: string | null;
  capabilities: Capabilities;
  /**
   * Which weights were loaded, where the model id does not say it: transformers.js' ONNX dtype ('fp32', 'q4'…).
   * The same id on another dtype gives other answers, so results are cached by it too.
   */
  weights?: string;
}

/**
 * The one interface strategies see. Implementations: transformers.js (ONNX on WebGPU/WASM/Node) and WebLLM
 * (MLC on WebGPU). Strategies read `info().capabilities` to degrade gracefully.
 */
export interface Engine {
  info(): EngineInfo;
  countTokens(prompt: EnginePrompt): Promise<number>;
  generate(params: GenerateParams): Promise<GenerateOutput>;
  dispose(): Promise<void>;
}

export type ProgressCallback = (event: ProgressEvent) => void;

/** What an adapter needs to load a model. */
export interface LoadEngineOptions {
  model: ModelEntry;
  device: DeviceRequest;
  /** Where the model's files are served; undefined: the hub the model comes from. */
  modelBase?: string;
  onProgress?: ProgressCallback;
}
