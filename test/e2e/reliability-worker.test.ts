import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFigure } from './fixtures/reliability-figures.js';
import { launchBrowser, watchErrors } from './support/browser.js';
import { serveBuild, type StaticServer } from './support/server.js';

/**
 * The runtime's worker dies (an uncaught error, `self.close()`, or killed with no event at all, as the
 * browser kills a worker) while calls are pending: every one settles with WorkerCrashedError within 2 s, the
 * next call starts a fresh worker and reloads the model, and a restart that fails makes every call fail
 * fast. No promise is left pending: each scenario races its calls against a 5 s "still pending" timer.
 * Without WebGPU (WASM): deaths do not depend on the device.
 */

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

interface Settled {
  ok: boolean;
  name: string;
  crashed: boolean;
  ms: number;
}

const deaths: Record<string, number> = {};

describe.each([
  ['an uncaught error', 'die:throw'],
  ['self.close()', 'die:close'],
  ['a kill with no event', 'kill'],
])('a worker that dies by %s', (label, how) => {
  it('settles every pending solve() and stream() with WorkerCrashedError within 2 s; the next call runs on a fresh worker', async () => {
    const outcome = await page.evaluate(async (how) => {
      const st = window.secondThought;
      const runtime = await st.createRuntime({ workerUrl: window.bench.faultWorkerUrl });
      const workers = window.bench.workers().length;
      let diedAt = performance.now();
      const settle = (p: Promise<unknown>) =>
        p.then(
          (): Settled => ({ ok: true, name: '', crashed: false, ms: performance.now() - diedAt }),
          (e: unknown): Settled => ({ ok: false, name: (e as Error).name, crashed: e instanceof st.WorkerCrashedError, ms: performance.now() - diedAt }),
        );
      // The first call kills the worker (or hangs, for the kill); the others wait behind it in the engine's queue.
      const calls = [
        settle(runtime.solve({ prompt: how === 'kill' ? 'die:hang' : how, cache: 'bypass' })),
        settle(runtime.solve({ prompt: '1+1', strategy: { kind: 'self-consistency', n: 4 }, cache: 'bypass' })),
        settle((async () => {
          for await (const event of runtime.stream({ prompt: '2+2', cache: 'bypass' })) void event;
        })()),
      ];
      if (how === 'kill') {
        await new Promise((resolve) => setTimeout(resolve, 100));
        // What the browser does to a worker it ends: no error event, no message.
        diedAt = performance.now();
        window.bench.workers().at(-1)!.terminate();
      }
      const pending = new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 5_000));
      const settled = await Promise.race([Promise.all(calls), pending]);
      // Left pending: the test fails here rather than wait on a worker that is gone.
      if (settled === 'pending') return { settled, next: null, fresh: 0 };
      const next = await runtime.solve({ prompt: '3+3', answer: { kind: 'number' }, cache: 'bypass' });
      const fresh = window.bench.workers().length - workers;
      await runtime.dispose();
      return { settled, next: next.answer, fresh };
    }, how);
    expect(outcome.settled).not.toBe('pending');
    const settled = outcome.settled as Settled[];
    for (const s of settled) {
      expect(s, JSON.stringify(s)).toMatchObject({ ok: false, name: 'WorkerCrashedError', crashed: true });
      expect(s.ms).toBeLessThan(2_000);
    }
    expect(outcome).toMatchObject({ next: '42', fresh: 1 });
    deaths[label] = Math.max(...settled.map((s) => s.ms));
    recordFigure(`worker-death:${label}`, { calls: settled.length, maxSettleMs: Math.round(deaths[label]!) });
  });
});

describe('restarts', () => {
  it('a restart that fails makes every later call fail fast with the same WorkerCrashedError', async () => {
    const outcome = await page.evaluate(async () => {
      const st = window.secondThought;
      const runtime = await st.createRuntime({ workerUrl: window.bench.faultWorkerUrl });
      const first = await runtime.solve({ prompt: 'die:close', cache: 'bypass' }).catch((e: Error) => e.name);
      window.bench.breakWorkerStarts(true);
      const attempt = async (call: () => Promise<unknown>) => {
        const started = performance.now();
        try {
          await call();
          return { ok: true, ms: performance.now() - started, error: null as Error | null };
        } catch (e) {
          return { ok: false, ms: performance.now() - started, error: e as Error };
        }
      };
      const restart = await attempt(() => runtime.solve({ prompt: '3+3', cache: 'bypass' }));
      const later = [
        await attempt(() => runtime.solve({ prompt: '3+3', cache: 'bypass' })),
        await attempt(async () => {
          for await (const event of runtime.stream({ prompt: '4+4', cache: 'bypass' })) void event;
        }),
        await attempt(() => runtime.cache.stats()),
        await attempt(() => runtime.cache.clear()),
      ];
      window.bench.breakWorkerStarts(false);
      await runtime.dispose();
      const view = (a: { ok: boolean; ms: number; error: Error | null }) => ({
        ok: a.ok,
        ms: a.ms,
        crashed: a.error instanceof st.WorkerCrashedError,
        same: a.error === restart.error,
        message: a.error?.message ?? '',
      });
      return { first, restart: view(restart), later: later.map(view) };
    });
    expect(outcome.first).toBe('WorkerCrashedError');
    expect(outcome.restart).toMatchObject({ ok: false, crashed: true });
    expect(outcome.restart.ms).toBeLessThan(2_000);
    for (const call of outcome.later) {
      expect(call).toMatchObject({ ok: false, crashed: true, same: true });
      expect(call.ms).toBeLessThan(50);
    }
    recordFigure('worker-death:failed restart', { calls: outcome.later.length + 1, restartMs: Math.round(outcome.restart.ms), maxFailFastMs: Math.round(Math.max(...outcome.later.map((c) => c.ms))) });
  });

  it('a worker whose script fails to load: createRuntime rejects with WorkerCrashedError at once, not never', async () => {
    const outcome = await page.evaluate(async () => {
      const st = window.secondThought;
      window.bench.breakWorkerStarts(true);
      const started = performance.now();
      try {
        await st.createRuntime();
        return { ok: true, crashed: false, ms: 0 };
      } catch (e) {
        return { ok: false, crashed: e instanceof st.WorkerCrashedError, ms: performance.now() - started };
      } finally {
        window.bench.breakWorkerStarts(false);
      }
    });
    expect(outcome).toMatchObject({ ok: false, crashed: true });
    expect(outcome.ms).toBeLessThan(2_000);
    recordFigure('worker-death:script fails to load', { calls: 1, maxSettleMs: Math.round(outcome.ms) });
  });

  it('the real model: a worker killed mid-SC@16 settles at once; the next call reloads the model, with progress, and answers right', async () => {
    const outcome = await page.evaluate(async () => {
      const st = window.secondThought;
      const progress: number[] = [];
      const runtime = await st.createRuntime({ onProgress: (e) => progress.push(e.progress) });
      const loaded = progress.length;
      let killedAt = 0;
      const pending = runtime.solve({
        prompt: '347+589',
        strategy: { kind: 'self-consistency', n: 16 },
        cache: 'bypass',
        onEvent: (event) => {
          if (event.type !== 'token' || killedAt) return;
          killedAt = performance.now();
          window.bench.workers().at(-1)!.terminate();
        },
      });
      const stillPending = new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 20_000));
      const error = await Promise.race([
        pending.then(
          () => null,
          (e: Error) => ({ name: e.name, crashed: e instanceof st.WorkerCrashedError }),
        ),
        stillPending,
      ]);
      const settledMs = performance.now() - killedAt;
      if (error === 'pending') return { error, settledMs, loaded, reloaded: 0, last: 0, next: null };
      const next = await runtime.solve({ prompt: '347+589', answer: { kind: 'number' }, cache: 'bypass' });
      await runtime.dispose();
      return { error, settledMs, loaded, reloaded: progress.length - loaded, last: progress.at(-1), next: next.answer };
    });
    expect(outcome.error).toEqual({ name: 'WorkerCrashedError', crashed: true });
    expect(outcome.settledMs).toBeLessThan(2_000);
    expect(outcome.loaded).toBeGreaterThan(1);
    // The fresh worker loaded the model again and said so, ending at 1.
    expect(outcome.reloaded).toBeGreaterThan(1);
    expect(outcome.last).toBe(1);
    expect(outcome.next).toBe('936');
    recordFigure('worker-death:killed mid-SC@16 (real model)', { calls: 1, maxSettleMs: Math.round(outcome.settledMs) });
    expect(errors).toEqual([]);
  });
});

describe('the app', () => {
  it('a worker chunk that cannot be fetched ends in "Load failed", not on "Loading…" for good', async () => {
    const app = await browser.newPage();
    await app.route(/runtime\.worker-[^/]*\.js/, (route) => route.abort());
    await app.goto(server.url);
    await app.waitForSelector('#model-status[data-state="error"]', { timeout: 10_000 });
    expect(await app.textContent('#model-status')).toBe('Load failed');
    expect(await app.textContent('#device-notes')).toMatch(/Could not load tiny-arith:.*worker/i);
    await app.close();
  });
});
