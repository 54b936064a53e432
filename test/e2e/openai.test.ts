import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arithmeticModel } from '../helpers/openai-fixture-models.js';
import { startOpenAIServer, type FixtureServer } from '../helpers/openai-server.js';
import { launchBrowser, watchErrors } from './support/browser.js';
import { serveBuild, type StaticServer } from './support/server.js';

/**
 * `engine: 'openai'` from a page: the runtime's worker calls a server on another origin (CORS), streams
 * its tokens over SSE, and an abort mid-stream closes the HTTP request. The server is the test
 * OpenAI-compatible fixture in vLLM's shapes, answering arithmetic one token every 40 ms.
 */

let site: StaticServer;
let api: FixtureServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  site = await serveBuild();
  api = await startOpenAIServer({ mode: 'vllm', model: arithmeticModel(), modelName: 'tiny-arith', tokenDelayMs: 40 });
  browser = await launchBrowser({ webgpu: false });
  page = await browser.newPage();
  await page.goto(`${site.url}test/e2e/harness/harness.html`);
  await page.waitForFunction(() => window.harnessReady === true);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([site?.close(), api?.close()]);
});

describe('an OpenAI-compatible server from the browser', () => {
  it('streams a greedy answer across origins, with the server’s log-probabilities', async () => {
    const errors = watchErrors(page);
    expect(new URL(api.url).port).not.toBe(new URL(site.url).port);
    const outcome = await page.evaluate(async (baseUrl) => {
      const runtime = await window.secondThought.createRuntime({ model: { id: 'tiny-arith', engine: 'openai', family: 'tiny-arith', server: { baseUrl, apiKey: 'sk-e2e-secret' } } });
      const tokens: string[] = [];
      let answer: string | null = null;
      let confidence: number | null = null;
      for await (const event of runtime.stream({ prompt: '347+589', answer: { kind: 'number' }, cache: 'bypass' })) {
        if (event.type === 'token') tokens.push(event.token);
        if (event.type === 'result') ({ answer, confidence } = event.result);
      }
      const info = runtime.info();
      await runtime.dispose();
      return { tokens, answer, confidence, engine: info.engine, capabilities: info.capabilities, infoText: JSON.stringify(info) };
    }, api.url);
    expect(outcome.engine).toBe('openai');
    expect(outcome.answer).toBe('936');
    expect(outcome.tokens.join('')).toContain('936');
    expect(outcome.tokens.length).toBeGreaterThanOrEqual(3);
    expect(outcome.confidence).toBeGreaterThan(0.5);
    expect(outcome.capabilities).toMatchObject({ logprobs: true, batchedSampling: true });
    expect(outcome.infoText).not.toContain('sk-e2e-secret');
    const streamed = api.requests.filter((r) => r.path === '/v1/chat/completions' && r.body?.stream === true);
    expect(streamed.length).toBeGreaterThan(0);
    expect(streamed.at(-1)!.headers.authorization).toBe('Bearer sk-e2e-secret');
    expect(errors).toEqual([]);
  });

  it('an abort mid-stream rejects with AbortError and closes the HTTP request; the next request runs', async () => {
    const before = api.requests.length;
    const outcome = await page.evaluate(async (baseUrl) => {
      const runtime = await window.secondThought.createRuntime({ model: { id: 'tiny-arith', engine: 'openai', family: 'tiny-arith', server: { baseUrl } } });
      const controller = new AbortController();
      let firstTokenAt = 0;
      const started = performance.now();
      let error: { name: string; instance: boolean } | null = null;
      try {
        await runtime.solve({
          prompt: '123+456',
          cache: 'bypass',
          signal: controller.signal,
          onEvent: (event) => {
            if (event.type === 'token' && !firstTokenAt) {
              firstTokenAt = performance.now() - started;
              controller.abort();
            }
          },
        });
      } catch (e) {
        error = { name: (e as Error).name, instance: e instanceof window.secondThought.AbortError };
      }
      const abortedAfter = performance.now() - started;
      const next = await runtime.solve({ prompt: '2+2', answer: { kind: 'number' }, cache: 'bypass' });
      await runtime.dispose();
      return { error, firstTokenAt, abortedAfter, next: next.answer };
    }, api.url);
    expect(outcome.error).toEqual({ name: 'AbortError', instance: true });
    expect(outcome.abortedAfter - outcome.firstTokenAt).toBeLessThan(500);
    expect(outcome.next).toBe('4');
    const aborted = api.requests.slice(before).find((r) => r.body?.stream === true && (r.body?.messages as Array<{ content: string }> | undefined)?.some((m) => m.content === '123+456'));
    expect(aborted?.closedEarly).toBe(true);
  });
});
