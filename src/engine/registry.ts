import type { EngineName } from '../types.js';
import type { Engine, LoadEngineOptions } from './engine.js';

export type EngineRequest = 'auto' | EngineName;

/** Engines that run a catalogue model on this device. */
export type LocalEngineName = Exclude<EngineName, 'openai'>;

export type EngineLoader = (options: LoadEngineOptions) => Promise<Engine>;

/**
 * Every engine adapter, one file each, loaded on first use (WebLLM and ONNX Runtime are large, and a page
 * needs one of them). Adding an engine is its file and a line here.
 */
export const ENGINES: Record<LocalEngineName, () => Promise<EngineLoader>> = {
  transformers: async () => (await import('./transformers.js')).createTransformersEngine,
  webllm: async () => (await import('./webllm.js')).createWebLlmEngine,
};

export const ENGINE_LABELS: Record<EngineName, string> = {
  openai: 'OpenAI-compatible server',
  transformers: 'transformers.js (ONNX)',
  webllm: 'WebLLM (MLC)',
};
