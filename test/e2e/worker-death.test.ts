import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { serveBuild, type StaticServer } from './support/server.js';

/**
 * When the runtime's worker dies, nothing is left pending: every call in flight settles with
 * WorkerCrashedError within 2 s, and the next call starts a fresh worker.
 */

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

describe.each(['die:close', 'die:throw'])('a worker that dies (%s)', (how) => {
  it('settles every pending call with WorkerCrashedError within 2 s, and the next call runs on a fresh worker', async () => {
    const outcome = await page.evaluate(async (how) => {
      const st = window.secondThought;
      const runtime = await st.createRuntime({ workerUrl: window.bench.faultWorkerUrl });
      const started = performance.now();
      const settle = (p: Promise<unknown>) =>
        p.then(
          () => ({ ok: true, name: '', crashed: false, ms: performance.now() - started }),
          (e: unknown) => ({ ok: false, name: (e as Error).name, crashed: e instanceof st.WorkerCrashedError, ms: performance.now() - started }),
        );
      const pending = [
        settle(runtime.solve({ prompt: how, cache: 'bypass' })),
        settle(runtime.solve({ prompt: '1+1', strategy: { kind: 'self-consistency', n: 4 }, cache: 'bypass' })),
        settle((async () => {
          for await (const _ of runtime.stream({ prompt: '2+2', cache: 'bypass' })) void _;
        })()),
      ];
      const settled = await Promise.all(pending);
      const next = await runtime.solve({ prompt: '3+3', answer: { kind: 'number' }, cache: 'bypass' });
      await runtime.dispose();
      return { settled, next: next.answer };
    }, how);
    for (const s of outcome.settled) {
      expect(s, JSON.stringify(s)).toMatchObject({ ok: false, name: 'WorkerCrashedError', crashed: true });
      expect(s.ms).toBeLessThan(2000);
    }
    expect(outcome.next).toBe('42');
  });
});
