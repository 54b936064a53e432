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

  let bare = 0;
  let solve = 0;
  for (const [i, p] of prompts.entries()) {
    const a = () => engine.generate(draft(p));
    // A fresh prompt each time: the solve pays for validation, key hashing, a cache miss and the store.
    const b = () => runtime.solve({ prompt: p, answer: { kind: 'number' } });
    if (i % 2 === 0) {
      bare += await timed(a);
      solve += await timed(b);
    } else {
      solve += await timed(b);
      bare += await timed(a);
    }
  }

  let sc = 0;
  let greedy = 0;
  for (const [i, p] of prompts.entries()) {
    const a = () => runtime.solve({ prompt: p, strategy: { kind: 'self-consistency', n: 8 }, sampling: { seed: i }, cache: 'bypass' });
    const b = () => runtime.solve({ prompt: p, cache: 'bypass' });
    if (i % 2 === 0) {
      sc += await timed(a);
      greedy += await timed(b);
    } else {
      greedy += await timed(b);
      sc += await timed(a);
    }
  }

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
