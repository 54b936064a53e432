/**
 * The package's own runtime worker on the real bundled model, with no fault injected: every engine call is
 * recorded (fixtures/counting-engine.ts) so the load test can count computations and see how soon an
 * aborted call frees the engine. The page asks with `{ loadCalls: 'get' }` on the worker and is answered
 * `{ loadCalls: CallRecord[] }`; neither comlink nor the runtime's client reads those messages.
 */
import type { Endpoint } from 'comlink';
import { indexedDbStore } from '../../../src/cache/store.js';
import { loadEngine } from '../../../src/engine/load.js';
import { hostRuntime } from '../../../src/runtime/host.js';
import { createInProcessRuntime } from '../../../src/runtime/in-process.js';
import { countingEngine, type CallRecord } from '../fixtures/counting-engine.js';

const calls: CallRecord[] = [];

self.addEventListener('message', (event: MessageEvent) => {
  const data = event.data as { loadCalls?: string } | null;
  if (data?.loadCalls === 'get') self.postMessage({ loadCalls: calls });
  if (data?.loadCalls === 'reset') calls.length = 0;
});

hostRuntime(self as unknown as Endpoint, ({ bundledBase, ...options }, onProgress) =>
  createInProcessRuntime(
    { ...options, onProgress },
    { store: indexedDbStore(), bundledBase, worker: true, loadEngine: async (o) => countingEngine(await loadEngine(o), calls) },
  ),
);
