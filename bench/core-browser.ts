/**
 * Runtime-core benchmark in headless Chromium: the runtime in its module worker against a bare engine call
 * in the page, both on WASM (the WebGPU adapter here is SwiftShader, a CPU emulating a GPU: its timings say
 * nothing about GPUs). Needs the e2e build (`npx vite build --mode e2e`) and CHROMIUM_PATH.
 */
import { findModel } from '../src/models/catalog.js';
import { heldOutSample } from '../test/helpers/reference.js';
import { launchBrowser } from '../test/e2e/support/browser.js';
import { serveBuild } from '../test/e2e/support/server.js';

const count = Number(process.env.BENCH_PROMPTS ?? 300);
const server = await serveBuild();
const browser = await launchBrowser({ webgpu: false });
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}test/e2e/harness/harness.html`);
  await page.waitForFunction(() => window.harnessReady === true);
  const result = await page.evaluate(
    async ({ prompts, model }) => {
      const zero = await window.secondThought.createRuntime({ workerUrl: window.bench.zeroWorkerUrl });
      const runtimeCost = await window.bench.measureRuntimeCost(zero);
      window.bench.resetMessages();
      await zero.solve({ prompt: '1+1', strategy: { kind: 'self-consistency', n: 8 }, onEvent: () => {}, cache: 'bypass' });
      const sc8Messages = window.bench.messages();
      await zero.dispose();

      const engine = await window.bench.createTransformersEngine({ model, device: 'wasm', modelBase: new URL('/models/', location.href).href });
      const runtime = await window.secondThought.createRuntime({ device: 'wasm' });
      await runtime.cache.clear();
      const measured = await window.bench.measureCore(engine, runtime, prompts);
      await engine.dispose();

      const { peer, terminate } = await window.bench.startPeer();
      await peer.load(model.id, new URL('/models/', location.href).href);
      const peerResult = await window.bench.measurePeer(
        runtime,
        (p) => peer.sample([{ role: 'user', content: p }], 8, 8, 0.5),
        prompts.slice(0, 100),
        (p, i) => ({ prompt: p, answer: { kind: 'number' }, strategy: { kind: 'self-consistency', n: 8 }, sampling: { seed: i, temperature: 0.5 } }),
      );
      terminate();
      await runtime.dispose();
      return { ...measured, runtimeCost, sc8Messages, peer: peerResult };
    },
    { prompts: heldOutSample(count).map((x) => x.prompt), model: findModel('tiny-arith') },
  );
  console.log(JSON.stringify({ where: 'chromium', device: 'wasm (worker) vs wasm (page)', ...result }));
} finally {
  await browser.close();
  await server.close();
}
