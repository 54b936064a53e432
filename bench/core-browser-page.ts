/**
 * The browser half of the runtime-core benchmark, bundled into the e2e harness page (so it runs as page
 * code, not as a function serialised through `page.evaluate`).
 */
import type { Peer } from '../test/e2e/harness/peer.worker.js';
import type { ModelEntry } from '../src/models/catalog.js';
import * as secondThought from '../src/browser.js';
import { createTransformersEngine } from '../src/engine/transformers.js';
import { measureCore, measurePeer, measureRuntimeCost } from './core-measure.js';

export interface BrowserBenchParts {
  zeroWorkerUrl: string;
  startPeer(): Promise<{ peer: { load: Peer['load']; sample: Peer['sample'] }; terminate(): void }>;
  messages(): { toWorker: number; fromWorker: number };
  resetMessages(): void;
}

export async function runBrowserCoreBench(parts: BrowserBenchParts, prompts: string[], model: ModelEntry) {
  const zero = await secondThought.createRuntime({ workerUrl: parts.zeroWorkerUrl });
  const runtimeCost = await measureRuntimeCost(zero);
  parts.resetMessages();
  await zero.solve({ prompt: '1+1', strategy: { kind: 'self-consistency', n: 8 }, onEvent: () => {}, cache: 'bypass' });
  const sc8Messages = parts.messages();
  await zero.dispose();

  const modelBase = new URL('/models/', location.href).href;
  const engine = await createTransformersEngine({ model, device: 'wasm', modelBase });
  const runtime = await secondThought.createRuntime({ device: 'wasm' });
  await runtime.cache.clear();
  const measured = await measureCore(engine, runtime, prompts);
  await engine.dispose();

  const { peer, terminate } = await parts.startPeer();
  await peer.load(model.id, modelBase);
  const peerResult = await measurePeer(
    runtime,
    (p) => peer.sample([{ role: 'user', content: p }], 8, 8, 0.5),
    prompts.slice(0, 100),
    (p, i) => ({ prompt: p, answer: { kind: 'number' }, strategy: { kind: 'self-consistency', n: 8 }, sampling: { seed: i, temperature: 0.5 } }),
  );
  terminate();
  await runtime.dispose();
  return { ...measured, runtimeCost, sc8Messages, peer: peerResult };
}
