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
    ({ prompts, model }) => window.bench.runBrowserCoreBench(window.bench, prompts, model),
    { prompts: heldOutSample(count).map((x) => x.prompt), model: findModel('tiny-arith') },
  );
  console.log(JSON.stringify({ where: 'chromium', device: 'wasm (worker) vs wasm (page)', ...result }));
} finally {
  await browser.close();
  await server.close();
}
