/**
 * Every strategy on the tiny-arith held-out set, in Node: accuracy, mean completion tokens, mean samples,
 * mean wall time per question. Cascade thresholds are calibrated with `calibrate()` on a disjoint slice of
 * the held-out set, never on the items they are scored on. Prints one JSON document.
 */
import { calibrate } from '../src/confidence/calibrate.js';
import { createRuntime } from '../src/index.js';
import type { CascadeSignal, StrategySpec, TraceEvent } from '../src/types.js';
import { loadHeldOut, type HeldOutItem } from '../test/helpers/reference.js';
import { solveItems, type StrategyRow } from './solve-items.js';

const evalCount = Number(process.env.BENCH_STRATEGY_PROMPTS ?? 600);
const calibrationCount = Number(process.env.BENCH_CALIBRATION_PROMPTS ?? 300);

/** Interleave the operators (the file is grouped by operator), then split: evaluation first, calibration after. */
function interleaved(items: HeldOutItem[]): HeldOutItem[] {
  const byOp = ['+', '-', '*'].map((op) => items.filter((x) => x.op === op));
  const out: HeldOutItem[] = [];
  for (let i = 0; out.length < items.length; i++) for (const list of byOp) if (list[i]) out.push(list[i]!);
  return out;
}
const all = interleaved(loadHeldOut());
const evaluation = all.slice(0, evalCount);
const calibration = all.slice(evalCount, evalCount + calibrationCount);

const runtime = await createRuntime({ cache: false });

/** The cheap step's signal and correctness on the calibration slice (a cascade that always accepts). */
async function labelledSignals(signal: CascadeSignal) {
  const out: Array<{ signal: number | null; correct: boolean }> = [];
  for (const [i, item] of calibration.entries()) {
    const result = await runtime.solve({
      prompt: item.prompt,
      answer: { kind: 'number' },
      strategy: { kind: 'cascade', signal, threshold: 0, then: { kind: 'greedy' } },
      sampling: { seed: 100_000 + i },
    });
    const event = result.trace.find((e): e is Extract<TraceEvent, { type: 'confidence' }> => e.type === 'confidence' && e.signal === signal);
    out.push({ signal: event?.value ?? result.confidence, correct: result.answer === item.answer });
  }
  return out;
}

const TARGET = Number(process.env.BENCH_CASCADE_TARGET ?? 0.97);
const thresholds: Record<string, { threshold: number | null; coverage: number; accuracy: number | null }> = {};
for (const signal of ['confidence-token', 'logprob', 'self-verify', 'vote'] as const) {
  const c = calibrate(await labelledSignals(signal), { targetAccuracy: TARGET, minAccepted: 20 });
  thresholds[signal] = c;
  console.error(`calibrated ${signal}: threshold ${c.threshold} (coverage ${(c.coverage * 100).toFixed(0)}%, accuracy ${c.accuracy})`);
}
const th = (signal: CascadeSignal) => thresholds[signal]!.threshold ?? 1;
const arithmetic = { kind: 'arithmetic' } as const;

const plan: Array<[string, StrategySpec]> = [
  ['greedy', { kind: 'greedy' }],
  ['self-consistency n=8', { kind: 'self-consistency', n: 8 }],
  ['self-consistency n=16', { kind: 'self-consistency', n: 16 }],
  ['adaptive-consistency beta ≤16', { kind: 'adaptive-consistency', maxSamples: 16, criterion: 'beta' }],
  ['adaptive-consistency dirichlet ≤16', { kind: 'adaptive-consistency', maxSamples: 16, criterion: 'dirichlet' }],
  ['adaptive-consistency entropy ≤16', { kind: 'adaptive-consistency', maxSamples: 16, criterion: 'entropy' }],
  ['adaptive-consistency majority ≤16', { kind: 'adaptive-consistency', maxSamples: 16, criterion: 'majority' }],
  ['best-of-8 logprob', { kind: 'best-of-n', n: 8, scorer: 'logprob' }],
  ['best-of-8 confidence token', { kind: 'best-of-n', n: 8, scorer: 'confidence' }],
  ['best-of-8 self-verify', { kind: 'best-of-n', n: 8, scorer: 'self-verify' }],
  ['best-of-8 arithmetic verifier', { kind: 'best-of-n', n: 8, scorer: 'verifier', verifier: arithmetic }],
  ['verify-correct 4 samples, 2 rounds', { kind: 'verify-correct', samples: 4, rounds: 2 }],
  ['self-refine critique ≤3', { kind: 'self-refine', maxRounds: 3, prompts: 'critique' }],
  ['self-refine ioe ≤3', { kind: 'self-refine', maxRounds: 3, prompts: 'ioe' }],
  ['wait 1 nudge', { kind: 'wait', maxNudges: 1 }],
  ['cascade confidence-token → SC@8', { kind: 'cascade', signal: 'confidence-token', threshold: th('confidence-token'), then: { kind: 'self-consistency', n: 8 } }],
  ['cascade confidence-token → adaptive', { kind: 'cascade', signal: 'confidence-token', threshold: th('confidence-token'), then: { kind: 'adaptive-consistency', maxSamples: 16 } }],
  ['cascade logprob → SC@8', { kind: 'cascade', signal: 'logprob', threshold: th('logprob'), then: { kind: 'self-consistency', n: 8 } }],
  ['cascade self-verify → SC@8', { kind: 'cascade', signal: 'self-verify', threshold: th('self-verify'), then: { kind: 'self-consistency', n: 8 } }],
  ['cascade vote → SC@8', { kind: 'cascade', signal: 'vote', threshold: th('vote'), then: { kind: 'self-consistency', n: 8 } }],
];
// BENCH_STRATEGY_ROWS="name part,name part": only the rows whose names contain one of the parts, each printed to
// stderr as it is measured (a rerun of some rows; the report needs every row, so nothing is written). Not
// BENCH_ONLY: the report reads that as a list of sections and hands it down to this script.
const onlyRows = process.env.BENCH_STRATEGY_ROWS?.split(',').map((part) => part.trim()).filter(Boolean);
const rows: StrategyRow[] = [];
for (const [name, spec] of plan) if (!onlyRows || onlyRows.some((part) => name.includes(part))) rows.push(await solveItems(runtime, name, spec, evaluation));
await runtime.dispose();
if (onlyRows) process.exit(0);
console.log(JSON.stringify({ prompts: evaluation.length, calibrationPrompts: calibration.length, cascadeTarget: TARGET, thresholds, rows }));
