/**
 * Every second thought on tiny-reasoner's own held-out set (issue 9's targets), in Node: greedy, voting,
 * adaptive stopping, DeepConf, self-verification (AUROC of P("Yes") for "the greedy answer is right"),
 * "Wait", Self-Refine, IoE and a verified Best-of-8; and how often each instruct-pack step's reply parses.
 * Prints one JSON document in the shape bench/report.ts reads.
 */
import { auroc } from '../src/confidence/auroc.js';
import { createRuntime } from '../src/index.js';
import { findModel, TINY_REASONER } from '../src/models/catalog.js';
import { formatPercent } from '../src/ui/format.js';
import type { SolveResult, StrategySpec } from '../src/types.js';
import { ADAPTIVE_TARGET, DEEPCONF_TARGET, saving } from './reasoner-targets.js';
import { reasonerHeldOut, solveItems, type StrategyRow } from './solve-items.js';

const items = reasonerHeldOut();
const runtime = await createRuntime({ model: 'tiny-reasoner', cache: false });

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
async function evaluate(name: string, spec: StrategySpec): Promise<StrategyRow> {
  const mine: SolveResult[] = [];
  const row = await solveItems(runtime, name, spec, items, (result) => {
    mine.push(result);
    tallyParses(result);
  });
  results.set(name, mine);
  return row;
}

const rows: StrategyRow[] = [];
// BENCH_REASONER_ROWS="name part,name part": only the rows whose names contain one of the parts, printed to stderr
// (a rerun of some rows; the report and its targets need every row, so nothing is written).
const onlyRows = process.env.BENCH_REASONER_ROWS?.split(',').map((part) => part.trim()).filter(Boolean);
const run = async (name: string, spec: StrategySpec) => {
  if (!onlyRows || onlyRows.some((part) => name.includes(part))) rows.push(await evaluate(name, spec));
};
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
// Self-verification of the greedy answer: the cascade reports P(yes) as its signal.
await run('cascade self-verify → SC@8', { kind: 'cascade', signal: 'self-verify', threshold: 0.5, then: { kind: 'self-consistency', n: 8 } });
// P(yes) averaged over several verification replies (the greedy one and sampled ones); a threshold of 1 is
// never reached, so these rows answer greedily and only measure the signal and its cost.
const AVERAGED_VERIFICATIONS = [4, 8];
for (const verifications of AVERAGED_VERIFICATIONS) {
  await run(`self-verify ×${verifications} of the greedy answer`, { kind: 'cascade', signal: 'self-verify', threshold: 1, verifications, then: { kind: 'greedy' } });
}
// The trust rule on the averaged evidence.
await run('wait 1 nudge, 4 verifications', { kind: 'wait', verifications: 4 });
await run('self-refine ioe ≤3, 4 verifications', { kind: 'self-refine', prompts: 'ioe', verifications: 4 });

if (onlyRows) process.exit(0);
const greedy = results.get('greedy')!;
/** P(yes) of each greedy answer, as a row's cascade reported it, labelled by whether that answer is right. */
const labelledBy = (name: string) =>
  items.flatMap((item, i) => {
    const value = results.get(name)![i]!.trace.find((e) => e.type === 'confidence' && e.signal === 'self-verify');
    return value?.type === 'confidence' && value.value !== null ? [{ signal: value.value, correct: greedy[i]!.answer === item.answer }] : [];
  });
const labelled = labelledBy('cascade self-verify → SC@8');
const averagedAuroc = Object.fromEntries(AVERAGED_VERIFICATIONS.map((k) => [k, auroc(labelledBy(`self-verify ×${k} of the greedy answer`))]));
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
  'self-verification: questions with a P("Yes")': `${labelled.length} of ${items.length}`,
  ...Object.fromEntries(Object.entries(averagedAuroc).map(([k, a]) => [`self-verification AUROC, mean P("Yes") of ${k} replies`, a ?? 'n/a'])),
  'oracle@8 (the right answer among 8 samples)': oracle8,
  ...Object.fromEntries(Object.entries(parses).map(([step, p]) => [`pack step "${step}" replies that parse (${p.all})`, p.ok / p.all])),
  ...Object.fromEntries(Object.entries(byGroup('op')).map(([g, a]) => [`greedy, form ${g}`, a])),
  ...Object.fromEntries(Object.entries(byGroup('template')).map(([g, a]) => [`greedy, template ${g}`, a])),
};
await runtime.dispose();

// Issue 9's targets, each with the figure it was judged on.
const row = (name: string) => rows.find((r) => r.name === name)!;
const points = (x: number) => formatPercent(x, 1);
const delta = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
const [g, sc8, sc16, adaptive] = [row('greedy'), row('self-consistency n=8'), row('self-consistency n=16'), row('adaptive-consistency beta ≤16')];
const parseRates = Object.values(parses).map((p) => p.ok / p.all);
const verifyAuroc = auroc(labelled);
const targets: Array<{ target: string; figure: string; met: boolean }> = [
  { target: 'greedy 45–80%', figure: points(g.accuracy), met: g.accuracy >= 0.45 && g.accuracy <= 0.8 },
  { target: 'SC@8 ≥ greedy + 6 points', figure: `${points(sc8.accuracy)} (${delta(sc8.accuracy - g.accuracy)})`, met: sc8.accuracy - g.accuracy >= 0.06 - 1e-9 },
  { target: 'SC@16 ≥ SC@8', figure: `${points(sc16.accuracy)} vs ${points(sc8.accuracy)}`, met: sc16.accuracy >= sc8.accuracy },
  {
    target: 'adaptive (Beta) ≥ SC@16 − 1 point at ≤ 40% of its samples',
    figure: `${points(adaptive.accuracy)} at ${adaptive.meanSamples.toFixed(2)} samples (${points(saving(adaptive, sc16).samples)} of SC@16's)`,
    met: ADAPTIVE_TARGET.met(adaptive, sc16),
  },
  ...rows
    .filter((r) => r.spec.kind === 'deepconf' && r.spec.mode !== 'offline')
    .map((r) => ({
      target: `${r.name}: ≥ SC@16 accuracy with ≥ 40% fewer tokens`,
      figure: `${points(r.accuracy)} vs ${points(sc16.accuracy)}, ${points(saving(r, sc16).tokens)} fewer tokens, ${points(saving(r, sc16).time)} less time`,
      met: DEEPCONF_TARGET.met(r, sc16),
    })),
  ...([['the greedy reply', verifyAuroc], ...Object.entries(averagedAuroc).map(([k, a]) => [`mean of ${k} replies`, a])] as Array<[string, number | null]>).map(([how, a]) => ({ target: `self-verification AUROC ≥ 0.80 (${how})`, figure: a === null ? 'n/a' : a.toFixed(3), met: a !== null && a >= 0.8 })),
  ...['wait 1 nudge', 'wait 1 nudge, 4 verifications'].map((name) => ({
    target: `"${name}" ≥ greedy + 2 points`,
    figure: `${points(row(name).accuracy)} (${delta(row(name).accuracy - g.accuracy)})`,
    met: row(name).accuracy - g.accuracy >= 0.02 - 1e-9,
  })),
  ...['self-refine critique ≤3', 'self-refine ioe ≤3', 'self-refine ioe ≤3, 4 verifications'].map((name) => ({
    target: `${name} ≥ greedy`,
    figure: `${points(row(name).accuracy)} (${delta(row(name).accuracy - g.accuracy)})`,
    met: row(name).accuracy >= g.accuracy,
  })),
  { target: 'verifier Best-of-8 ≥ 97%', figure: points(row('best-of-8 arithmetic verifier').accuracy), met: row('best-of-8 arithmetic verifier').accuracy >= 0.97 },
  { target: 'every pack step parses ≥ 95%', figure: `lowest ${points(Math.min(...parseRates))}`, met: parseRates.every((p) => p >= 0.95) },
];
console.log(JSON.stringify({ model: `${TINY_REASONER} revision ${findModel(TINY_REASONER).revision}`, prompts: items.length, calibrationPrompts: 0, cascadeTarget: 0, thresholds: {}, rows, extra, targets }));
