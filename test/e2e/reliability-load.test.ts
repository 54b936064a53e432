import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heldOutSample } from '../helpers/reference.js';
import { IDENTICAL_PROMPT, loadWorkload } from './fixtures/load-workload.js';
import { recordFigure } from './fixtures/reliability-figures.js';
import { launchBrowser, watchErrors } from './support/browser.js';
import { serveBuild, type StaticServer } from './support/server.js';

/**
 * The load test of test/integration/load.test.ts, in Chromium: 200 concurrent solves from the page to the
 * runtime's worker (the real bundled model on WASM, every engine call recorded by the worker), 40 aborted
 * at seeded moments. The worker's JS heap is read through the DevTools protocol, after a garbage
 * collection, before and after the run.
 */

const workload = loadWorkload(heldOutSample(60).map((item) => item.prompt));
/** The same workload as plain data for page.evaluate (the spec union's types are too deep to serialise). */
const plain = workload as unknown as { requests: Array<{ prompt: string }>; identical: number[]; aborts: Array<{ index: number; atMs?: number; atToken?: number }> };
let server: StaticServer;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  server = await serveBuild();
  browser = await launchBrowser({ webgpu: false });
  page = await browser.newPage();
  errors = watchErrors(page);
  await page.goto(`${server.url}test/e2e/harness/harness.html`);
  await page.waitForFunction(() => window.harnessReady === true);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The runtime worker's JS heap (bytes used), after a full collection, through a browser-level CDP session. */
async function workerHeap(cdp: CDPSession, sessionId: string): Promise<number> {
  let next = 0;
  const call = (method: string) =>
    new Promise<Record<string, number>>((resolve) => {
      const id = ++next;
      const onMessage = (event: { sessionId?: string; message: string }) => {
        const reply = JSON.parse(event.message) as { id?: number; result?: Record<string, number> };
        if (event.sessionId !== sessionId || reply.id !== id) return;
        cdp.off('Target.receivedMessageFromTarget', onMessage);
        resolve(reply.result ?? {});
      };
      cdp.on('Target.receivedMessageFromTarget', onMessage);
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
    });
  for (let i = 0; i < 3; i++) await call('HeapProfiler.collectGarbage');
  return (await call('Runtime.getHeapUsage')).usedSize!;
}

describe('200 concurrent solves in the Chromium worker', () => {
  it('all settle, identical ones share one computation, aborts free the engine within a token, the rest answer as alone, the heap returns', async () => {
    await page.evaluate(async () => {
      const runtime = await window.secondThought.createRuntime({ workerUrl: window.bench.countingWorkerUrl });
      (window as unknown as { loadRuntime: typeof runtime }).loadRuntime = runtime;
    });
    const cdp = await browser.newBrowserCDPSession();
    const { targetInfos } = await cdp.send('Target.getTargets');
    const worker = targetInfos.find((t) => t.type === 'worker' && t.url.includes('fault-free-counting'))!;
    expect(worker).toBeDefined();
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false });

    // What each distinct request answers alone, one at a time.
    const alone = await page.evaluate(async ({ requests, identical }) => {
      const runtime = (window as unknown as { loadRuntime: Awaited<ReturnType<typeof window.secondThought.createRuntime>> }).loadRuntime;
      const answers: Record<number, string | null> = {};
      for (const [index, request] of requests.entries()) {
        if (identical.includes(index) && index !== identical[0]) continue;
        answers[index] = (await runtime.solve({ ...request, cache: 'bypass' } as never)).answer;
      }
      await runtime.cache.clear();
      window.bench.workers().at(-1)!.postMessage({ loadCalls: 'reset' });
      return answers;
    }, plain);
    const before = await workerHeap(cdp, sessionId);

    const run = await page.evaluate(async ({ requests, aborts }) => {
      const st = window.secondThought;
      const runtime = (window as unknown as { loadRuntime: Awaited<ReturnType<typeof st.createRuntime>> }).loadRuntime;
      const plans = new Map(aborts.map((a) => [a.index, a]));
      const started = performance.now();
      const settled = await Promise.all(
        requests.map((request, index) => {
          const plan = plans.get(index);
          const controller = new AbortController();
          if (plan?.atMs !== undefined) setTimeout(() => controller.abort(), plan.atMs);
          let tokens = 0;
          return runtime
            .solve({ ...request, signal: controller.signal, onEvent: (e: { type: string }) => void (e.type === 'token' && ++tokens === plan?.atToken && controller.abort()) } as never)
            .then(
              (r) => ({ answer: r.answer, error: null as string | null }),
              (e: Error) => ({ answer: null, error: e instanceof st.AbortError ? 'AbortError' : `${e.name}: ${e.message}` }),
            );
        }),
      );
      const wallMs = performance.now() - started;
      const calls = await window.bench.settledCalls();
      return { settled, calls, wallMs };
    }, plain);
    await page.waitForTimeout(100);
    const withCache = await workerHeap(cdp, sessionId);
    // The result cache keeps its entries by design (up to maxEntries): what must return is everything else.
    await page.evaluate(() => (window as unknown as { loadRuntime: { cache: { clear(): Promise<void> } } }).loadRuntime.cache.clear());
    const after = await workerHeap(cdp, sessionId);

    const aborted = new Set(workload.aborts.map((a) => a.index));
    let abortedCount = 0;
    for (const [index, outcome] of run.settled.entries()) {
      if (outcome.error !== null) {
        expect(aborted.has(index), outcome.error).toBe(true);
        expect(outcome.error).toBe('AbortError');
        abortedCount++;
      } else {
        expect(outcome.answer, `request ${index}`).toBe(workload.identical.includes(index) ? alone[workload.identical[0]!] : alone[index]);
      }
    }
    const identicalCalls = run.calls.filter((c) => c.prompt.includes(IDENTICAL_PROMPT));
    expect(identicalCalls).toHaveLength(1);
    const stopped = run.calls.filter((c) => c.settleAfterAbortMs !== null);
    expect(stopped.length).toBeGreaterThan(0);
    for (const call of stopped) {
      expect(call.tokensAfterAbort).toBeLessThanOrEqual(1);
      expect(call.settleAfterAbortMs!).toBeLessThan(250);
    }
    expect(Math.abs(after - before) / before).toBeLessThan(0.1);
    expect(errors).toEqual([]);
    recordFigure('load:chromium', {
      solves: run.settled.length,
      answered: run.settled.length - abortedCount,
      aborted: abortedCount,
      identical: workload.identical.length,
      identicalEngineCalls: identicalCalls.length,
      engineCalls: run.calls.length,
      abortedMidCall: stopped.length,
      maxTokensAfterAbort: Math.max(...stopped.map((c) => c.tokensAfterAbort)),
      maxSettleAfterAbortMs: Math.round(Math.max(...stopped.map((c) => c.settleAfterAbortMs!))),
      wallMs: Math.round(run.wallMs),
      heapBeforeMB: +(before / 2 ** 20).toFixed(1),
      heapAfterWithCacheMB: +(withCache / 2 ** 20).toFixed(1),
      heapAfterMB: +(after / 2 ** 20).toFixed(1),
    });
  });

  it('an abort from the page reaches the engine mid-call: generation stops within one token', async () => {
    const outcome = await page.evaluate(async () => {
      const st = window.secondThought;
      const runtime = (window as unknown as { loadRuntime: Awaited<ReturnType<typeof st.createRuntime>> }).loadRuntime;
      window.bench.workers().at(-1)!.postMessage({ loadCalls: 'reset' });
      const controller = new AbortController();
      const error = await runtime
        .solve({
          prompt: '347+589',
          strategy: { kind: 'self-consistency', n: 16 },
          // Near-uniform rows rarely end: the call runs all 40 steps unless the abort stops it.
          sampling: { temperature: 5, maxTokens: 40, seed: 3 },
          cache: 'bypass',
          signal: controller.signal,
          onEvent: (e) => void (e.type === 'token' && controller.abort()),
        })
        .then(
          () => 'answered',
          (e: Error) => e.name,
        );
      const calls = await window.bench.settledCalls();
      await runtime.dispose();
      return { error, calls };
    });
    expect(outcome.error).toBe('AbortError');
    // Tokens streamed while the call ran, the abort reached the worker before the call was over, and it stopped.
    expect(outcome.calls).toHaveLength(1);
    expect(outcome.calls[0]!.settleAfterAbortMs).not.toBeNull();
    expect(outcome.calls[0]!.tokensAfterAbort).toBeLessThanOrEqual(1);
    recordFigure('load:chromium abort mid-call', { tokensAfterAbort: outcome.calls[0]!.tokensAfterAbort, settleAfterAbortMs: Math.round(outcome.calls[0]!.settleAfterAbortMs!) });
  });
});
