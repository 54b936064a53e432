/**
 * The runtime-core benchmark, written once and run both in Node and in a Chromium page. Every figure is a
 * ratio of two sums measured in the same run, with the two sides interleaved prompt by prompt so that
 * drift (thermal, other load) hits both equally.
 */
import type { Engine } from '../src/engine/engine.js';
import type { Runtime } from '../src/runtime/runtime.js';

export interface CoreBenchResult {
  prompts: number;
  bareGreedyMs: number;
  solveGreedyMs: number;
  /** solve(greedy) / bare engine call − 1. Target ≤ 0.03. */
  greedyOverhead: number;
  scMs: number;
  greedyBypassMs: number;
  /** SC@8 wall time / greedy wall time. Target ≤ 2.5. */
  scOverGreedy: number;
  generateMs: number;
  cacheHitMs: number;
  /** generating / serving the same request from the cache. Target ≥ 100. */
  cacheHitSpeedup: number;
}

const now = () => performance.now();

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = now();
  await fn();
  return now() - start;
}

/** Times `a` and `b` on every prompt, alternating which goes first; returns the two sums. */
async function interleaved(
  prompts: string[],
  a: (prompt: string, i: number) => Promise<unknown>,
  b: (prompt: string, i: number) => Promise<unknown>,
): Promise<[number, number]> {
  let sumA = 0;
  let sumB = 0;
  for (const [i, p] of prompts.entries()) {
    if (i % 2 === 0) {
      sumA += await timed(() => a(p, i));
      sumB += await timed(() => b(p, i));
    } else {
      sumB += await timed(() => b(p, i));
      sumA += await timed(() => a(p, i));
    }
  }
  return [sumA, sumB];
}

/**
 * `engine` must be the engine inside `runtime` (or an identical one on the same device) so the bare call
 * and the solve do the same model work.
 */
export async function measureCore(engine: Engine, runtime: Runtime, prompts: string[]): Promise<CoreBenchResult> {
  const draft = (prompt: string) => ({
    prompt: { messages: [{ role: 'user' as const, content: prompt }] },
    n: 1,
    temperature: 0,
    maxTokens: 8,
    watchTokens: ['<CN>', '<UN>'],
  });
  // Warm-up: first calls compile kernels and fill allocator pools.
  for (const p of prompts.slice(0, 10)) {
    await engine.generate(draft(p));
    await runtime.solve({ prompt: p, cache: 'bypass' });
  }

  // A fresh prompt each time: the solve pays for validation, key hashing, a cache miss and the store.
  const [bare, solve] = await interleaved(
    prompts,
    (p) => engine.generate(draft(p)),
    (p) => runtime.solve({ prompt: p, answer: { kind: 'number' } }),
  );
  const [sc, greedy] = await interleaved(
    prompts,
    (p, i) => runtime.solve({ prompt: p, strategy: { kind: 'self-consistency', n: 8 }, sampling: { seed: i }, cache: 'bypass' }),
    (p) => runtime.solve({ prompt: p, cache: 'bypass' }),
  );

  let generate = 0;
  let hit = 0;
  for (const [i, p] of prompts.entries()) {
    const request = { prompt: p, strategy: { kind: 'self-consistency' as const, n: 8 }, sampling: { seed: 10_000 + i } };
    generate += await timed(() => runtime.solve({ ...request, cache: 'refresh' }));
    hit += await timed(async () => {
      const result = await runtime.solve(request);
      if (!result.cached) throw new Error('expected a cache hit');
    });
  }

  return {
    prompts: prompts.length,
    bareGreedyMs: bare,
    solveGreedyMs: solve,
    greedyOverhead: solve / bare - 1,
    scMs: sc,
    greedyBypassMs: greedy,
    scOverGreedy: sc / greedy,
    generateMs: generate,
    cacheHitMs: hit,
    cacheHitSpeedup: generate / hit,
  };
}

export interface RuntimeCostResult {
  solves: number;
  medianUs: number;
  p90Us: number;
}

/**
 * The runtime's own cost per solve: `runtime` holds an engine that answers at once, so a greedy solve with
 * the cache bypassed costs only validation, dispatch, the strategy, its trace and (in a worker) the trip.
 */
export async function measureRuntimeCost(runtime: Runtime, solves = 1000): Promise<RuntimeCostResult> {
  for (let i = 0; i < 100; i++) await runtime.solve({ prompt: `${i}+1`, cache: 'bypass' });
  const times: number[] = [];
  for (let i = 0; i < solves; i++) {
    const start = now();
    await runtime.solve({ prompt: `${i}+${i}`, answer: { kind: 'number' }, cache: 'bypass' });
    times.push(now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 1000;
  return { solves, medianUs: at(0.5), p90Us: at(0.9) };
}

export interface PeerResult {
  prompts: number;
  /** Eight sequential sampled generate() calls of plain transformers.js, summed over the prompts. */
  peerMs: number;
  /** solve() with { kind: 'self-consistency', n: 8 } on the same model and prompts. */
  solveMs: number;
  /** peer / solve: how many times faster our SC@8 is. Target ≥ 3. */
  speedup: number;
}

/** SC@8 through `solve()` against the same eight samples drawn the way plain transformers.js allows. */
export async function measurePeer(
  runtime: Runtime,
  peerSample: (prompt: string) => Promise<unknown>,
  prompts: string[],
  request: (prompt: string, i: number) => Parameters<Runtime['solve']>[0],
): Promise<PeerResult> {
  for (const [i, p] of prompts.slice(0, 5).entries()) {
    await peerSample(p);
    await runtime.solve({ ...request(p, i), cache: 'bypass' });
  }
  const [peerMs, solveMs] = await interleaved(
    prompts,
    (p) => peerSample(p),
    (p, i) => runtime.solve({ ...request(p, i), cache: 'bypass' }),
  );
  return { prompts: prompts.length, peerMs, solveMs, speedup: peerMs / solveMs };
}
