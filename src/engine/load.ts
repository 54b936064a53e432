import { InvalidRequestError } from '../errors.js';
import type { ModelEntry } from '../models/catalog.js';
import type { EngineRequest } from '../runtime/runtime.js';
import type { DeviceRequest } from './device.js';
import type { Engine, ProgressCallback } from './engine.js';

export interface LoadEngineOptions {
  model: ModelEntry;
  engine: EngineRequest;
  device: DeviceRequest;
  modelBase?: string;
  onProgress?: ProgressCallback;
}

/** Picks the adapter: the catalogue says which engine a model's build is for; a mismatch is an error. */
export async function loadEngine(options: LoadEngineOptions): Promise<Engine> {
  const { model } = options;
  if (options.engine !== 'auto' && options.engine !== model.engine) {
    throw new InvalidRequestError(
      'options.engine',
      `model "${model.id}" is a ${model.engine === 'webllm' ? 'WebLLM (MLC)' : 'transformers.js (ONNX)'} build; engine "${options.engine}" cannot load it`,
    );
  }
  if (model.engine === 'webllm') {
    const { createWebLlmEngine } = await import('./webllm.js');
    return createWebLlmEngine(options);
  }
  const { createTransformersEngine } = await import('./transformers.js');
  return createTransformersEngine(options);
}
