import type { ModelEntry, ModelFamily } from '../models/catalog.js';
import { instructPack } from './instruct.js';
import type { PromptPack } from './pack.js';
import { tinyArithPack } from './tiny-arith.js';

export function packFor(family: ModelFamily): PromptPack {
  return family === 'tiny-arith' ? tinyArithPack : instructPack(family);
}

/** A model's pack, with the sampling temperature the model itself was tuned for where its entry says one. */
export function packForModel(entry: Pick<ModelEntry, 'family' | 'temperature'>): PromptPack {
  const pack = packFor(entry.family);
  return entry.temperature === undefined ? pack : { ...pack, defaultTemperature: entry.temperature };
}
