import { InvalidRequestError } from '../errors.js';
import type { EngineName } from '../types.js';
import type { Engine, LoadEngineOptions } from './engine.js';

export type EngineRequest = 'auto' | EngineName;

export type EngineLoader = (options: LoadEngineOptions) => Promise<Engine>;

/**
 * Every engine adapter, one file each, loaded on first use (WebLLM and ONNX Runtime are large, and a page
 * needs one of them). Adding an engine is its file and a line here.
 */
export const ENGINES: Record<EngineName, () => Promise<EngineLoader>> = {
  transformers: async () => (await import('./transformers.js')).createTransformersEngine,
  webllm: async () => (await import('./webllm.js')).createWebLlmEngine,
  openai: async () => {
    const { createOpenAIEngine } = await import('./openai.js');
    return ({ model, onProgress }) => {
      if (!model.server) throw new InvalidRequestError('options.model.server', `model "${model.id}" runs on engine 'openai' and needs server: { baseUrl }`);
      const { model: served, ...server } = model.server;
      return createOpenAIEngine({ ...server, model: served ?? model.id, onProgress });
    };
  },
};

export const ENGINE_LABELS: Record<EngineName, string> = {
  transformers: 'transformers.js (ONNX)',
  webllm: 'WebLLM (MLC)',
  openai: 'OpenAI-compatible server',
};
