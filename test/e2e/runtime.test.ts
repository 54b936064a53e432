import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReference } from '../helpers/reference.js';
import { launchBrowser, launchPersistent, tempProfile, watchErrors } from './support/browser.js';
import { serveBuild, type StaticServer } from './support/server.js';

/**
 * The library as a page uses it: the browser build, a real module Web Worker, transformers.js on WebGPU
 * (SwiftShader) or WASM, IndexedDB for the cache.
 */

const reference = loadReference();
let server: StaticServer;

beforeAll(async () => {
  server = await serveBuild();
});
afterAll(async () => {
  await server?.close();
});

async function openHarness(page: Page): Promise<void> {
  await page.goto(`${server.url}test/e2e/harness/harness.html`);
  await page.waitForFunction(() => window.harnessReady === true);
}

/** Greedy answers of the model card's 20 fixed prompts, solved in the page through the worker. */
async function greedyCompletions(page: Page): Promise<{ info: unknown; completions: string[]; progress: number[] }> {
  return page.evaluate(async (prompts) => {
    const progress: number[] = [];
    const runtime = await window.secondThought.createRuntime({ onProgress: (e) => progress.push(e.progress) });
    const completions: string[] = [];
    for (const prompt of prompts) {
      const result = await runtime.solve({ prompt, answer: { kind: 'number' }, cache: 'bypass' });
      completions.push(result.text);
    }
    const info = runtime.info();
    await runtime.dispose();
    return { info, completions, progress };
  }, reference.fixedPrompts.map((p) => p.prompt));
}

const expectedTexts = reference.fixedPrompts.map((p) => p.completion.replace(/<CN>|<UN>/g, ''));

describe('on WebGPU', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  beforeAll(async () => {
    browser = await launchBrowser({ webgpu: true });
    page = await browser.newPage();
    errors = watchErrors(page);
    await openHarness(page);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('runs the model in a worker on WebGPU and gives the model card greedy answers', async () => {
    const { info, completions, progress } = await greedyCompletions(page);
    expect(info).toMatchObject({ model: 'tiny-arith', engine: 'transformers', device: 'webgpu', worker: true, fallback: null });
    // onProgress crossed the worker boundary while the model loaded, ending at 1.
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(1);
    expect(completions).toEqual(expectedTexts);
    expect(errors).toEqual([]);
  });

  it('an abort during SC@16 rejects promptly with AbortError and the next request succeeds', async () => {
    const outcome = await page.evaluate(async (nextPrompt) => {
      const st = window.secondThought;
      const runtime = await st.createRuntime();
      await runtime.solve({ prompt: '1+1', cache: 'bypass' }); // compile shaders before timing the abort
      const controller = new AbortController();
      let abortedAt = 0;
      const pending = runtime.solve({
        prompt: '347+589',
        strategy: { kind: 'self-consistency', n: 16 },
        cache: 'bypass',
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'token' && abortedAt === 0) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      });
      let error: { name: string; isAbortError: boolean } | null = null;
      try {
        await pending;
      } catch (e) {
        error = { name: (e as Error).name, isAbortError: e instanceof st.AbortError };
      }
      const rejectedAfterMs = performance.now() - abortedAt;
      const next = await runtime.solve({ prompt: nextPrompt, answer: { kind: 'number' }, cache: 'bypass' });
      await runtime.dispose();
      return { error, rejectedAfterMs, next: next.text, tokensSeen: abortedAt > 0 };
    }, reference.fixedPrompts[0]!.prompt);
    expect(outcome.tokensSeen).toBe(true);
    expect(outcome.error).toEqual({ name: 'AbortError', isAbortError: true });
    expect(outcome.rejectedAfterMs).toBeLessThan(250);
    expect(outcome.next).toBe(expectedTexts[0]);
  });
});

describe('without WebGPU', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchBrowser({ webgpu: false });
    page = await browser.newPage();
    await openHarness(page);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('falls back to WASM, says so in info(), and gives the same greedy answers', async () => {
    const { info, completions } = await greedyCompletions(page);
    expect(info).toMatchObject({ device: 'wasm', worker: true });
    expect((info as { fallback: string }).fallback).toMatch(/WebGPU unavailable.*WASM/);
    expect(completions).toEqual(expectedTexts);
  });

  it('SC@8 is one batched engine call in the worker; a repeat is served from the cache until clear()', async () => {
    const usage = await page.evaluate(async () => {
      const runtime = await window.secondThought.createRuntime();
      const request = { prompt: '347+589', answer: { kind: 'number' as const }, strategy: { kind: 'self-consistency' as const, n: 8 }, sampling: { seed: 3 } };
      await runtime.cache.clear();
      const result = await runtime.solve(request);
      const repeat = await runtime.solve(request);
      const stats = await runtime.cache.stats();
      await runtime.cache.clear();
      const afterClear = await runtime.solve(request);
      await runtime.dispose();
      return { first: result.usage, repeat: { cached: repeat.cached, answer: repeat.answer === result.answer }, stats, afterClear: afterClear.cached };
    });
    expect(usage.first).toMatchObject({ engineCalls: 1, samples: 8 });
    // The repeat is answered from the page's front of the cache; clear() empties both fronts.
    expect(usage.repeat).toEqual({ cached: true, answer: true });
    expect(usage.stats).toMatchObject({ entries: 1, hits: 1 });
    expect(usage.afterClear).toBe(false);
  });

  it('errors keep their class across the worker boundary', async () => {
    const errors = await page.evaluate(async () => {
      const st = window.secondThought;
      const out: Record<string, unknown> = {};
      try {
        await st.createRuntime({ model: 'no-such-model' });
      } catch (e) {
        out.model = { name: (e as Error).name, ok: e instanceof st.ModelNotFoundError, message: (e as Error).message };
      }
      const runtime = await st.createRuntime();
      try {
        // Validated in the page, before the worker is asked.
        await runtime.solve({ prompt: '1+1', strategy: { kind: 'self-consistency', n: 0 } });
      } catch (e) {
        out.invalid = { name: (e as Error).name, ok: e instanceof st.InvalidRequestError, path: (e as { path?: string }).path };
      }
      try {
        // Only the worker knows the tokenizer: this error crosses the boundary.
        await runtime.solve({ prompt: '1+'.repeat(40) + '1' });
      } catch (e) {
        out.context = { name: (e as Error).name, ok: e instanceof st.ContextLengthError, message: (e as Error).message };
      }
      await runtime.dispose();
      return out;
    });
    expect(errors.model).toMatchObject({ name: 'ModelNotFoundError', ok: true });
    expect((errors.model as { message: string }).message).toMatch(/tiny-arith/);
    expect(errors.invalid).toEqual({ name: 'InvalidRequestError', ok: true, path: 'strategy.n' });
    expect(errors.context).toMatchObject({ name: 'ContextLengthError', ok: true });
  });
});

describe('IndexedDB result cache', () => {
  it('after a reload, and after a browser restart, the same request is served from the cache', async () => {
    const profile = tempProfile('cache');
    const request = { prompt: '123+456', answer: { kind: 'number' as const }, strategy: { kind: 'self-consistency' as const, n: 4 }, sampling: { seed: 11 } };
    const solveInPage = (page: Page) =>
      page.evaluate(async (req) => {
        const runtime = await window.secondThought.createRuntime();
        const result = await runtime.solve(req);
        const stats = await runtime.cache.stats();
        await runtime.dispose();
        return { answer: result.answer, cached: result.cached, engineCalls: result.usage.engineCalls, entries: stats.entries };
      }, request);

    let context = await launchPersistent(profile, { webgpu: false });
    let page = await context.newPage();
    await openHarness(page);
    const first = await solveInPage(page);
    expect(first).toMatchObject({ cached: false, engineCalls: 1, entries: 1 });

    await page.reload();
    await page.waitForFunction(() => window.harnessReady === true);
    const afterReload = await solveInPage(page);
    expect(afterReload).toEqual({ answer: first.answer, cached: true, engineCalls: 0, entries: 1 });
    await context.close();

    context = await launchPersistent(profile, { webgpu: false });
    page = await context.newPage();
    await openHarness(page);
    const afterRestart = await solveInPage(page);
    expect(afterRestart).toMatchObject({ answer: first.answer, cached: true });
    await context.close();
  });
});
