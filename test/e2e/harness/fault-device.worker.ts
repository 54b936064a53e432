/**
 * A runtime worker on the real bundled model (transformers.js, loaded as `exposeRuntimeHost` loads it) whose
 * GPU device is lost on purpose: the second generate call on WebGPU destroys the device at its first token,
 * with `GPUDevice.destroy()` on the device ONNX Runtime keeps at `env.backends.onnx.webgpu.device`. Nothing
 * else is faked: how the engine notices and how the runtime recovers are the shipped code's.
 */
import type { Endpoint } from 'comlink';
import { memoryStore } from '../../../src/cache/store.js';
import type { GenerateParams } from '../../../src/engine/engine.js';
import { loadEngine } from '../../../src/engine/load.js';
import { hostRuntime } from '../../../src/runtime/host.js';
import { createInProcessRuntime } from '../../../src/runtime/in-process.js';

/** Which WebGPU generate call loses the device (the first compiles the shaders and warms up). */
const LOSE_AT = 2;
let calls = 0;

const faultyLoader: typeof loadEngine = async (options) => {
  const engine = await loadEngine(options);
  if (engine.info().device !== 'webgpu') return engine;
  return {
    ...engine,
    async generate(params) {
      if (++calls !== LOSE_AT) return engine.generate(params);
      let lost = false;
      const onToken: GenerateParams['onToken'] = (row, token) => {
        params.onToken?.(row, token);
        if (lost) return;
        lost = true;
        void import('@huggingface/transformers').then(({ env }) => {
          (env.backends.onnx as { webgpu?: { device?: { destroy(): void } } }).webgpu?.device?.destroy();
        });
      };
      return engine.generate({ ...params, onToken });
    },
  };
};

hostRuntime(self as unknown as Endpoint, ({ bundledBase, ...options }, onProgress) =>
  createInProcessRuntime({ ...options, onProgress }, { store: memoryStore(), bundledBase, worker: true, loadEngine: faultyLoader }),
);
