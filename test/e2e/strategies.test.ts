import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, watchErrors } from './support/browser.js';
import { serveBuild, type StaticServer } from './support/server.js';

let server: StaticServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await serveBuild();
  browser = await launchBrowser({ webgpu: false });
  page = await browser.newPage();
  await page.goto(`${server.url}test/e2e/harness/harness.html`);
  await page.waitForFunction(() => window.harnessReady === true);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('a cascade in the worker', () => {
  it('streams its trace events to the page in order, ending with the result', async () => {
    const errors = watchErrors(page);
    const outcome = await page.evaluate(async () => {
      const runtime = await window.secondThought.createRuntime();
      const streamed: Array<{ type: string; t: number }> = [];
      let result: unknown = null;
      // Threshold 1: the confidence token can never clear it, so the cascade must escalate.
      for await (const event of runtime.stream({
        prompt: '347+589',
        answer: { kind: 'number' },
        strategy: { kind: 'cascade', signal: 'confidence-token', threshold: 1, then: { kind: 'adaptive-consistency', maxSamples: 8 } },
        sampling: { seed: 5 },
        cache: 'bypass',
      })) {
        if (event.type === 'token') continue;
        streamed.push({ type: event.type, t: event.t });
        if (event.type === 'result') result = event.result;
      }
      await runtime.dispose();
      const r = result as { answer: string | null; trace: Array<{ type: string }>; usage: { samples: number } };
      return { streamed, answer: r.answer, traceTypes: r.trace.map((e) => e.type), samples: r.usage.samples };
    });
    const types = outcome.streamed.map((e) => e.type);
    expect(types[0]).toBe('draft');
    expect(types.indexOf('confidence')).toBeGreaterThan(0);
    expect(types.indexOf('confidence')).toBeLessThan(types.indexOf('sample'));
    expect(types).toContain('stop');
    expect(types.at(-1)).toBe('result');
    // The page saw every event the result's trace holds, in the same order.
    expect(types.slice(0, -1)).toEqual(outcome.traceTypes);
    const times = outcome.streamed.map((e) => e.t);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(outcome.samples).toBeGreaterThan(1);
    expect(outcome.answer).toMatch(/^-?\d+$/);
    expect(errors).toEqual([]);
  });
});
