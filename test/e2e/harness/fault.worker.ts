/**
 * A runtime worker that fails on command, for the worker-death tests: a scripted engine answering `42`, a
 * token every 20 ms. A prompt containing `die:throw` makes the worker throw an uncaught error mid-generation,
 * `die:close` makes it call `self.close()`, and `die:hang` makes the generation never end (for a test that
 * kills the worker as the browser would). Configured by prompt, not by URL: a query on a worker's URL makes
 * its entry chunk a second module when a shared chunk imports it back, and a second runtime host.
 */
import type { Endpoint } from 'comlink';
import { memoryStore } from '../../../src/cache/store.js';
import type { Engine, GenerateParams } from '../../../src/engine/engine.js';
import { findModel } from '../../../src/models/catalog.js';
import { hostRuntime } from '../../../src/runtime/host.js';
import { createLocalRuntime } from '../../../src/runtime/local.js';
import { scriptedEngine } from '../../helpers/scripted-engine.js';

function promptText(params: GenerateParams): string {
  return 'text' in params.prompt ? params.prompt.text : params.prompt.messages.map((m) => m.content).join('\n');
}

/** The scripted engine, with the faults its prompts ask for. */
function faultyScripted(): Engine {
  const inner = scriptedEngine(() => '42', { tokenDelayMs: 20 });
  return {
    ...inner,
    async generate(params) {
      const text = promptText(params);
      if (text.includes('die:throw')) {
        setTimeout(() => {
          throw new Error('injected: an uncaught error in the worker');
        }, 5);
        return new Promise<never>(() => {});
      }
      if (text.includes('die:close')) {
        setTimeout(() => self.close(), 5);
        return new Promise<never>(() => {});
      }
      if (text.includes('die:hang')) return new Promise<never>(() => {});
      return inner.generate(params);
    },
  };
}

hostRuntime(self as unknown as Endpoint, async () => createLocalRuntime({ engine: faultyScripted(), model: findModel('tiny-arith'), store: memoryStore(), worker: true }));
