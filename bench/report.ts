/** Runs the benchmarks (each in its own process) and writes docs/benchmarks.md with the plot beside it. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { CoreBenchResult } from './core-measure.js';
import { plotAccuracyVsTokens } from './plot.js';

const ROOT = join(import.meta.dirname, '..');
const DOCS = join(ROOT, 'docs');

function runJson<T>(script: string): T {
  console.error(`\n== ${script}`);
  const out = execFileSync('npx', ['tsx', script], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

type Core = CoreBenchResult & { where: string; device: string };
interface StrategyRow {
  name: string;
  accuracy: number;
  meanTokens: number;
  meanSamples: number;
  meanMs: number;
  budgetExhausted: number;
}
interface Strategies {
  prompts: number;
  calibrationPrompts: number;
  cascadeTarget: number;
  thresholds: Record<string, { threshold: number | null; coverage: number; accuracy: number | null }>;
  rows: StrategyRow[];
}

// BENCH_FROM_JSON=1 redraws the page and the plot from the last run's JSON without measuring again.
const previous = process.env.BENCH_FROM_JSON
  ? (JSON.parse(readFileSync(join(DOCS, 'benchmarks.json'), 'utf8')) as { coreNode: Core; coreBrowser: Core; strategies: Strategies })
  : null;
const coreNode = previous?.coreNode ?? runJson<Core>('bench/core-node.ts');
const coreBrowser = previous?.coreBrowser ?? runJson<Core>('bench/core-browser.ts');
const strategies = previous?.strategies ?? runJson<Strategies>('bench/strategies-node.ts');

mkdirSync(DOCS, { recursive: true });
writeFileSync(join(DOCS, 'benchmarks.json'), JSON.stringify({ coreNode, coreBrowser, strategies }, null, 2));
await plotAccuracyVsTokens(
  strategies.rows.map((r) => ({ name: r.name, tokens: r.meanTokens, accuracy: r.accuracy })),
  `tiny-arith held-out (${strategies.prompts} questions): accuracy vs completion tokens`,
  join(DOCS, 'accuracy-vs-tokens.png'),
);

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const x2 = (x: number) => `${x.toFixed(2)}×`;
const perCall = (ms: number, c: Core) => `${(ms / c.prompts).toFixed(3)} ms`;
const coreRow = (c: Core) =>
  `| ${c.where} (${c.device}) | ${pct(c.greedyOverhead)} (${perCall(c.solveGreedyMs - c.bareGreedyMs, c)} on ${perCall(c.bareGreedyMs, c)}) | ${x2(c.scOverGreedy)} | ${c.cacheHitSpeedup.toFixed(0)}× | ${perCall(c.generateMs, c)} / ${perCall(c.cacheHitMs, c)} |`;

const byName = new Map(strategies.rows.map((r) => [r.name, r]));
const greedy = byName.get('greedy');
const strategyTable = strategies.rows
  .map((r) => `| ${r.name} | ${pct(r.accuracy)} | ${greedy ? `${((r.accuracy - greedy.accuracy) * 100).toFixed(1)}` : ''} | ${r.meanTokens.toFixed(1)} | ${r.meanSamples.toFixed(2)} | ${r.meanMs.toFixed(1)} |`)
  .join('\n');
const thresholdTable = Object.entries(strategies.thresholds)
  .map(([signal, c]) => `| ${signal} | ${c.threshold === null ? 'none meets the target' : c.threshold.toFixed(4)} | ${pct(c.coverage)} | ${c.accuracy === null ? '–' : pct(c.accuracy)} |`)
  .join('\n');

const doc = `# Benchmarks

Produced by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (${cpus().length} CPU cores, ${cpus()[0]?.model ?? 'unknown CPU'};
Node ${process.version}; Chromium headless). Every figure is a ratio or an average measured in the same run;
rerun the command to reproduce them on your machine. Raw JSON of this run: \`docs/benchmarks.json\`.

## Runtime core (tiny-arith, ${coreNode.prompts} held-out prompts per measurement)

| where | solve(greedy) overhead over the bare engine call (target ≤ 3%): ratio (per call, on a bare call of) | SC@8 wall time / greedy (target ≤ 2.5×) | cache hit vs generating SC@8 (target ≥ 100×) | generating / hit per request |
|---|---|---|---|---|
${coreRow(coreNode)}
${coreRow(coreBrowser)}

The bare engine call is the engine adapter's \`generate()\` with the exact parameters of a greedy draft; the
solve adds validation, the cache key, a cache miss and store, the strategy and its trace. The two are
interleaved prompt by prompt. In Chromium the runtime runs in its module worker and the bare call in the page,
both on WASM (the WebGPU adapter in headless Chromium here is SwiftShader, a CPU emulation: its timings say
nothing about GPUs).

## Strategies (tiny-arith held-out set, ${strategies.prompts} questions, operators interleaved)

Cascade thresholds were picked by \`calibrate()\` on ${strategies.calibrationPrompts} other held-out questions (target accuracy
of the accepted cheap answers: ${pct(strategies.cascadeTarget)}):

| signal | threshold | coverage on the calibration slice | accuracy of accepted |
|---|---|---|---|
${thresholdTable}

| strategy | accuracy | Δ vs greedy (points) | mean completion tokens | mean samples | mean ms (Node) |
|---|---|---|---|---|---|
${strategyTable}

![accuracy vs tokens](accuracy-vs-tokens.png)
`;
writeFileSync(join(DOCS, 'benchmarks.md'), doc);
console.error('wrote docs/benchmarks.md, docs/benchmarks.json, docs/accuracy-vs-tokens.png');
