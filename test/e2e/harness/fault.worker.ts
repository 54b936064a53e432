/**
 * A runtime worker that fails on command, for the reliability tests. Its URL's query chooses the engine:
 *
 * - `?engine=scripted&delay=20` (default): a scripted engine answering `42`, a token every `delay` ms. A
 *   prompt containing `die:throw` makes the worker throw an uncaught error mid-generation, `die:close` makes
 *   it call `self.close()`, and `die:hang` makes the generation never end (for a test that kills the worker).
 * - `?engine=real&lose=N`: the real bundled model (transformers.js, as `exposeRuntimeHost` loads it), whose
 *   N-th generate call on WebGPU destroys the GPU device at its first token (`GPUDevice.destroy()` on the
 *   device ONNX Runtime keeps at `env.backends.onnx.webgpu.device`); `&fake=1` throws an engine error that
 *   says "Device was lost" at the engine seam instead.
 */
import type { Endpoint } from 'comlink';
import { memoryStore } from '../../../src/cache/store.js';
import { loadEngine } from '../../../src/engine/load.js';
import type { Engine, GenerateParams } from '../../../src/engine/engine.js';
import { findModel } from '../../../src/models/catalog.js';
import { hostRuntime } from '../../../src/runtime/host.js';
import { createInProcessRuntime } from '../../../src/runtime/in-process.js';
import { createLocalRuntime } from '../../../src/runtime/local.js';
import { scriptedEngine } from '../../helpers/scripted-engine.js';

const query = new URLSearchParams(self.location.search);
const scope = self as unknown as Endpoint;

function promptText(params: GenerateParams): string {
  return 'text' in params.prompt ? params.prompt.text : params.prompt.messages.map((m) => m.content).join('\n');
}

/** The scripted engine, with the faults its prompts ask for. */
function faultyScripted(): Engine {
  const inner = scriptedEngine(() => '42', { tokenDelayMs: Number(query.get('delay') ?? 20) });
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

/** The real engine; its N-th call on WebGPU loses the device at its first token. */
function faultyLoader(loseAt: number, fake: boolean): typeof loadEngine {
  let calls = 0;
  return async (options) => {
    const engine = await loadEngine(options);
    if (engine.info().device !== 'webgpu') return engine;
    return {
      ...engine,
      async generate(params) {
        if (++calls !== loseAt) return engine.generate(params);
        let lost = false;
        const onToken: GenerateParams['onToken'] = (row, token) => {
          params.onToken?.(row, token);
          if (lost) return;
          lost = true;
          if (fake) throw new Error('Device was lost (injected at the engine seam)');
          void import('@huggingface/transformers').then(({ env }) => {
            (env.backends.onnx as { webgpu?: { device?: { destroy(): void } } }).webgpu?.device?.destroy();
          });
        };
        return engine.generate({ ...params, onToken });
      },
    };
  };
}

if (query.get('engine') === 'real') {
  const loseAt = Number(query.get('lose') ?? 0);
  hostRuntime(scope, ({ bundledBase, ...options }, onProgress) =>
    createInProcessRuntime({ ...options, onProgress }, { store: memoryStore(), bundledBase, worker: true, loadEngine: faultyLoader(loseAt, query.get('fake') === '1') }),
  );
} else {
  hostRuntime(scope, async () => createLocalRuntime({ engine: faultyScripted(), model: findModel('tiny-arith'), store: memoryStore(), worker: true }));
}
