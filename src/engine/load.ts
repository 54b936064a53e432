import { InvalidRequestError } from '../errors.js';
import type { Engine, LoadEngineOptions } from './engine.js';
import { ENGINES, ENGINE_LABELS, type EngineRequest } from './registry.js';

/** Picks the adapter: the catalogue says which engine a model's build is for; a mismatch is an error. */
export async function loadEngine(options: LoadEngineOptions & { engine: EngineRequest }): Promise<Engine> {
  const { model } = options;
  if (options.engine !== 'auto' && options.engine !== model.engine) {
    throw new InvalidRequestError(
      'options.engine',
      `model "${model.id}" is a ${ENGINE_LABELS[model.engine]} build; engine "${options.engine}" cannot load it`,
    );
  }
  const load = await ENGINES[model.engine]();
  return load(options);
}
