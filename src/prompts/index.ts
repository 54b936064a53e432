import type { ModelFamily } from '../models/catalog.js';
import { instructPack } from './instruct.js';
import type { PromptPack } from './pack.js';
import { tinyArithPack } from './tiny-arith.js';

export function packFor(family: ModelFamily): PromptPack {
  return family === 'tiny-arith' ? tinyArithPack : instructPack(family);
}
