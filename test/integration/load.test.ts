import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/cache/store.js';
import { loadEngine } from '../../src/engine/load.js';
import { AbortError } from '../../src/errors.js';
import { bundledModelsFolder } from '../../src/models/node-base.js';
import { createInProcessRuntime } from '../../src/runtime/in-process.js';
import type { LocalRuntime } from '../../src/runtime/local.js';
import type { SolveResult } from '../../src/types.js';
import { countingEngine, type CallRecord } from '../e2e/fixtures/counting-engine.js';
import { IDENTICAL_PROMPT, loadWorkload } from '../e2e/fixtures/load-workload.js';
import { recordFigure } from '../e2e/fixtures/reliability-figures.js';
import { heldOutSample } from '../helpers/reference.js';

/**
 * 200 concurrent solves on the real bundled model in Node (onnxruntime-node), mixed strategies, a quarter
 * of them one identical request, 40 aborted at seeded moments: every call settles; the identical ones share
 * one computation; an aborted call frees the engine within one token; the others answer exactly what they
 * answer alone; and the heap after the run is back within 10 % of before.
 */

// The test needs a real collection to measure the heap: expose V8's gc without a command-line flag.
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const workload = loadWorkload(heldOutSample(60).map((item) => item.prompt));
const calls: CallRecord[] = [];
let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await createInProcessRuntime(
    { cache: { maxEntries: 1_000 } },
    { store: memoryStore(), bundledBase: bundledModelsFolder(), worker: false, loadEngine: async (options) => countingEngine(await loadEngine(options), calls) },
  );
});
afterAll(async () => {
  await runtime?.dispose();
});

function heapUsed(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

describe('200 concurrent solves on the bundled model', () => {
  it('all settle, identical ones share one computation, aborts free the engine within a token, the rest answer as alone, the heap returns', async () => {
    // What each request answers alone, one at a time (seeded: the same answer however the calls interleave).
    const alone = new Map<number, string | null>();
    for (const [index, request] of workload.requests.entries()) {
      if (alone.has(index) || (request.prompt === IDENTICAL_PROMPT && alone.size > 0 && workload.identical.some((i) => alone.has(i)))) continue;
      alone.set(index, (await runtime.solve({ ...request, cache: 'bypass' })).answer);
    }
    const identicalAnswer = alone.get(workload.identical[0]!)!;
    await runtime.cache.clear();
    const before = heapUsed();
    calls.length = 0;

    const abortAt = new Map(workload.aborts.map((a) => [a.index, a]));
    const started = performance.now();
    const settled = await Promise.allSettled(
      workload.requests.map((request, index) => {
        const plan = abortAt.get(index);
        const controller = new AbortController();
        if (plan?.atMs !== undefined) setTimeout(() => controller.abort(), plan.atMs);
        let tokens = 0;
        const onEvent = plan?.atToken === undefined ? undefined : (e: { type: string }) => void (e.type === 'token' && ++tokens === plan.atToken && controller.abort());
        return runtime.solve({ ...request, signal: controller.signal, onEvent });
      }),
    );
    const wallMs = performance.now() - started;

    let aborted = 0;
    for (const [index, outcome] of settled.entries()) {
      const wasAborted = abortAt.has(index);
      if (outcome.status === 'rejected') {
        // Only an aborted request may fail, and only with AbortError.
        expect(wasAborted, String(outcome.reason)).toBe(true);
        expect(outcome.reason).toBeInstanceOf(AbortError);
        aborted++;
        continue;
      }
      const expected = workload.identical.includes(index) ? identicalAnswer : alone.get(index);
      expect((outcome.value as SolveResult).answer, `request ${index}`).toBe(expected);
    }
    // The identical request was computed once however many asked (aborting some of them does not stop it).
    const identicalCalls = calls.filter((c) => c.prompt.includes(IDENTICAL_PROMPT));
    expect(identicalCalls).toHaveLength(1);
    const answeredIdentical = workload.identical.filter((i) => settled[i]!.status === 'fulfilled').length;
    expect(answeredIdentical).toBeGreaterThan(40);
    // An aborted call stops within one token of its signal and frees the engine for the next.
    const stopped = calls.filter((c) => c.settleAfterAbortMs !== null);
    expect(stopped.length).toBeGreaterThan(0);
    for (const call of stopped) {
      expect(call.tokensAfterAbort).toBeLessThanOrEqual(1);
      expect(call.settleAfterAbortMs!).toBeLessThan(250);
    }

    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = heapUsed();
    expect(Math.abs(after - before) / before).toBeLessThan(0.1);
    recordFigure('load:node', {
      solves: settled.length,
      answered: settled.length - aborted,
      aborted,
      identical: workload.identical.length,
      identicalEngineCalls: identicalCalls.length,
      engineCalls: calls.length,
      abortedMidCall: stopped.length,
      maxTokensAfterAbort: Math.max(...stopped.map((c) => c.tokensAfterAbort)),
      maxSettleAfterAbortMs: Math.round(Math.max(...stopped.map((c) => c.settleAfterAbortMs!))),
      wallMs: Math.round(wallMs),
      heapBeforeMB: +(before / 2 ** 20).toFixed(1),
      heapAfterMB: +(after / 2 ** 20).toFixed(1),
    });
  });
});
