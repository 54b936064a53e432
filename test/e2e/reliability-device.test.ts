import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReference } from '../helpers/reference.js';
import { recordFigure } from './fixtures/reliability-figures.js';
import { launchBrowser, watchErrors } from './support/browser.js';
import { serveBuild, type StaticServer } from './support/server.js';

/**
 * A GPU device lost mid-generation, for real: the worker (fault-device.worker.ts) runs the bundled model on
 * WebGPU (SwiftShader) and calls `GPUDevice.destroy()` on ONNX Runtime's device at the first token of its
 * second engine call. The engine must see the loss (DeviceLostError), the runtime load the model again on
 * WASM and run the request again, every request pending at the time answer right, and `info()` say why the
 * device changed.
 */

const reference = loadReference();
const expected = (i: number) => reference.fixedPrompts[i]!.completion.replace(/<CN>|<UN>/g, '');

let server: StaticServer;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  server = await serveBuild();
  browser = await launchBrowser({ webgpu: true });
  page = await browser.newPage();
  errors = watchErrors(page);
  await page.goto(`${server.url}test/e2e/harness/harness.html`);
  await page.waitForFunction(() => window.harnessReady === true);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('a lost WebGPU device', () => {
  it('mid-generation: the model is loaded again on WASM, the pending requests run again and answer right, info() says why', async () => {
    const prompts = [0, 1, 2].map((i) => reference.fixedPrompts[i]!.prompt);
    const outcome = await page.evaluate(async (prompts) => {
      const st = window.secondThought;
      const progress: string[] = [];
      const runtime = await st.createRuntime({ workerUrl: window.bench.faultDeviceWorkerUrl, onProgress: (e) => progress.push(e.text) });
      const before = runtime.info();
      const loadEvents = progress.length;
      // The first call compiles the shaders on WebGPU; the second loses the device at its first token, with the
      // third waiting behind it.
      const warm = await runtime.solve({ prompt: prompts[0]!, answer: { kind: 'number' }, cache: 'bypass' });
      const started = performance.now();
      const [lost, queued] = await Promise.all(
        [prompts[1]!, prompts[2]!].map((prompt) =>
          runtime.solve({ prompt, answer: { kind: 'number' }, cache: 'bypass' }).then(
            (r) => ({ text: r.text, errors: r.trace.filter((e) => e.type === 'error').map((e) => (e as { name: string }).name) }),
            (e: Error) => ({ text: `${e.name}: ${e.message}`, errors: [] as string[] }),
          ),
        ),
      );
      const recoveredMs = performance.now() - started;
      const after = runtime.info();
      const again = await runtime.solve({ prompt: prompts[0]!, answer: { kind: 'number' }, cache: 'bypass' });
      await runtime.dispose();
      return {
        before: { device: before.device, fallback: before.fallback },
        after: { device: after.device, fallback: after.fallback, model: after.models['tiny-arith']?.device },
        warm: warm.text,
        lost,
        queued,
        again: again.text,
        recoveredMs,
        reloadProgress: progress.slice(loadEvents).filter((text) => /tiny-arith/.test(text)).length,
      };
    }, prompts);
    expect(outcome.before).toEqual({ device: 'webgpu', fallback: null });
    expect(outcome.warm).toBe(expected(0));
    // The request that lost the device ran again on WASM, and its trace says why.
    expect(outcome.lost).toEqual({ text: expected(1), errors: ['DeviceLostError'] });
    expect(outcome.queued?.text).toBe(expected(2));
    expect(outcome.again).toBe(expected(0));
    expect(outcome.after).toMatchObject({ device: 'wasm', model: 'wasm' });
    expect(outcome.after.fallback).toMatch(/WebGPU device was lost \(destroyed\).*loaded again on WASM/);
    expect(outcome.reloadProgress).toBeGreaterThan(0);
    expect(errors.filter((e) => !/An error occurred during model execution|Inputs given to model/.test(e))).toEqual([]);
    recordFigure('device-loss:destroy() mid-generation (WebGPU → WASM)', { losses: 1, requests: 2, recoveredMs: Math.round(outcome.recoveredMs) });
  });
});
