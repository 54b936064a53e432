import { memoryStore } from '../../src/cache/store.js';
import { findModel } from '../../src/models/catalog.js';
import { createLocalRuntime } from '../../src/runtime/local.js';
import type { PromptPack } from '../../src/prompts/pack.js';
import { scriptedEngine, type Script } from './scripted-engine.js';

/** A runtime over a scripted engine, speaking tiny-arith's pack unless told otherwise. */
export function scriptedRuntime(script: Script, options: { tokenDelayMs?: number; pack?: PromptPack; cache?: boolean } = {}) {
  const engine = scriptedEngine(script, { tokenDelayMs: options.tokenDelayMs });
  const runtime = createLocalRuntime({
    engine,
    model: findModel('tiny-arith'),
    store: options.cache === false ? null : memoryStore(),
    pack: options.pack,
  });
  return { engine, runtime };
}
