/**
 * Every second thought on tiny-reasoner's own held-out set (issue 9's targets), in Node: greedy, voting,
 * adaptive stopping, DeepConf, self-verification (AUROC of P("Yes") for "the greedy answer is right"),
 * "Wait", Self-Refine, IoE and a verified Best-of-8; and how often each instruct-pack step's reply parses.
 * Prints one JSON document in the shape bench/report.ts reads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auroc } from '../src/confidence/auroc.js';
import { createRuntime } from '../src/index.js';
import type { SolveResult, StrategySpec } from '../src/types.js';

interface Item {
  prompt: string;
  answer: string;
  op: string;
  template: string;
}
const all = readFileSync(join(import.meta.dirname, '..', 'public/data/tiny-reasoner-heldout.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as Item);
const count = Number(process.env.BENCH_REASONER_PROMPTS ?? 1000);
const items = all.slice(0, count);
const runtime = await createRuntime({ model: 'tiny-reasoner', cache: false });

interface Row {
  name: string;
  spec: StrategySpec;
  accuracy: number;
  meanTokens: number;
  meanSamples: number;
  meanMs: number;
  budgetExhausted: number;
}
const parses: Record<string, { ok: number; all: number }> = {};
const countParse = (step: string, ok: boolean) => {
  const p = (parses[step] ??= { ok: 0, all: 0 });
  p.all++;
  p.ok += ok ? 1 : 0;
};
/** Which pack step each trace event came from, and whether its reply was one the pack could read. */
function tallyParses(result: SolveResult): void {
  for (const e of result.trace) {
    if (e.type === 'verify' && e.by === 'self-verify') countParse('verify', e.verdict !== null);
    if (e.type === 'critique') countParse('critique', e.says !== 'unclear');
    if (e.type === 'revise') countParse(e.text.includes('Wait,') ? 'nudge' : 'refine/review/reconcile', e.to !== null);
  }
}

const results = new Map<string, SolveResult[]>();
async function evaluate(name: string, spec: StrategySpec): Promise<Row> {
  let right = 0;
  let tokens = 0;
  let samples = 0;
  let ms = 0;
  let exhausted = 0;
  const mine: SolveResult[] = [];
  for (const [i, item] of items.entries()) {
    const result = await runtime.solve({ prompt: item.prompt, answer: { kind: 'number' }, strategy: spec, sampling: { seed: 7 * i + 1 } });
    mine.push(result);
    tallyParses(result);
    right += result.answer === item.answer ? 1 : 0;
    tokens += result.usage.completionTokens;
    samples += result.usage.samples;
    ms += result.usage.ms;
    exhausted += result.budgetExhausted ? 1 : 0;
  }
  results.set(name, mine);
  const n = items.length;
  const row = { name, spec, accuracy: right / n, meanTokens: tokens / n, meanSamples: samples / n, meanMs: ms / n, budgetExhausted: exhausted };
  console.error(`${name.padEnd(40)} acc ${(row.accuracy * 100).toFixed(1)}%  tokens ${row.meanTokens.toFixed(1)}  samples ${row.meanSamples.toFixed(2)}  ${row.meanMs.toFixed(0)} ms`);
  return row;
}

const rows: Row[] = [];
const run = async (name: string, spec: StrategySpec) => rows.push(await evaluate(name, spec));
await run('greedy', { kind: 'greedy' });
await run('self-consistency n=8', { kind: 'self-consistency', n: 8 });
await run('self-consistency n=16', { kind: 'self-consistency', n: 16 });
await run('adaptive-consistency beta ≤16', { kind: 'adaptive-consistency', maxSamples: 16 });
await run('deepconf online low (η 10%) ≤16, warm-up 6', { kind: 'deepconf', maxTraces: 16, warmup: 6, keepPercent: 10, batch: 4 });
await run('deepconf online high (η 90%) ≤16, warm-up 6', { kind: 'deepconf', maxTraces: 16, warmup: 6, keepPercent: 90, batch: 4 });
await run('deepconf offline 16, keep 50%', { kind: 'deepconf', mode: 'offline', maxTraces: 16, keepPercent: 50 });
await run('best-of-8 arithmetic verifier', { kind: 'best-of-n', n: 8, scorer: 'verifier', verifier: { kind: 'arithmetic' } });
await run('wait 1 nudge', { kind: 'wait' });
await run('self-refine critique ≤3', { kind: 'self-refine' });
await run('self-refine ioe ≤3', { kind: 'self-refine', prompts: 'ioe' });
// Self-verification of the greedy answer: a cascade that never accepts reports P(yes) as its signal.
await run('cascade self-verify → SC@8', { kind: 'cascade', signal: 'self-verify', threshold: 0.5, then: { kind: 'self-consistency', n: 8 } });

const greedy = results.get('greedy')!;
const verified = results.get('cascade self-verify → SC@8')!;
const labelled = items.flatMap((item, i) => {
  const value = verified[i]!.trace.find((e) => e.type === 'confidence' && e.signal === 'self-verify');
  return value?.type === 'confidence' && value.value !== null ? [{ signal: value.value, correct: greedy[i]!.answer === item.answer }] : [];
});
const oracle8 = results.get('self-consistency n=8')!.filter((r, i) => r.trace.some((e) => e.type === 'sample' && e.answer === items[i]!.answer)).length / items.length;
const byGroup = (key: 'op' | 'template') =>
  Object.fromEntries(
    [...new Set(items.map((x) => x[key]))].map((g) => {
      const idx = items.flatMap((x, i) => (x[key] === g ? [i] : []));
      return [g, idx.filter((i) => greedy[i]!.answer === items[i]!.answer).length / idx.length];
    }),
  );
const extra: Record<string, number | string> = {
  'self-verification AUROC, P("Yes") for a right greedy answer': auroc(labelled) ?? 'n/a',
  'self-verification: questions with a P("Yes")': labelled.length,
  'oracle@8 (the right answer among 8 samples)': oracle8,
  ...Object.fromEntries(Object.entries(parses).map(([step, p]) => [`pack step "${step}" replies that parse (${p.all})`, p.ok / p.all])),
  ...Object.fromEntries(Object.entries(byGroup('op')).map(([g, a]) => [`greedy, form ${g}`, a])),
  ...Object.fromEntries(Object.entries(byGroup('template')).map(([g, a]) => [`greedy, template ${g}`, a])),
};
await runtime.dispose();
console.log(JSON.stringify({ prompts: items.length, calibrationPrompts: 0, cascadeTarget: 0, thresholds: {}, rows, extra }));
