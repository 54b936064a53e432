/**
 * Routing from the device to a server: "answer on the small model, escalate when its confidence token is
 * below t" against "always the large one", as a curve over t. The small model is the bundled tiny-arith in
 * process; the large one is behind the test OpenAI-compatible server over real HTTP: the same weights,
 * made stronger by Best-of-8 with the arithmetic verifier (the repository has no second model trained on
 * the same questions, so "large" is eight verified samples, not more parameters — say so wherever the
 * figure is quoted). Each question runs one cascade that always escalates, which records the small
 * answer, its confidence and the large answer; the curve's point at t takes the small answer when the
 * confidence reaches t, which is what the cascade with threshold t returns (checked by running it at the
 * chosen t). The record and the arithmetic are `recordRouting` and `routingStudy` (src/confidence/), the
 * same the app's Evaluate tab draws. Prints one JSON document.
 */
import { createRuntime, recordRouting, routingStudy, type RoutedQuestion } from '../src/index.js';
import type { StrategySpec } from '../src/types.js';
import { tinyArithModel } from '../test/helpers/openai-fixture-models.js';
import { startOpenAIServer } from '../test/helpers/openai-server.js';
import { loadHeldOut, type HeldOutItem } from '../test/helpers/reference.js';

const count = Number(process.env.BENCH_ROUTING_PROMPTS ?? 600);
const items: HeldOutItem[] = (() => {
  const all = loadHeldOut();
  const byOp = ['+', '-', '*'].map((op) => all.filter((x) => x.op === op));
  const out: HeldOutItem[] = [];
  for (let i = 0; out.length < count; i++) for (const list of byOp) if (list[i] && out.length < count) out.push(list[i]!);
  return out;
})();

const server = await startOpenAIServer({ mode: 'vllm', model: await tinyArithModel() });
const runtime = await createRuntime({
  models: { small: 'tiny-arith', big: { id: 'tiny-arith', engine: 'openai', family: 'tiny-arith', server: { baseUrl: server.url } } },
  cache: false,
});
const large: StrategySpec = { kind: 'best-of-n', n: 8, scorer: 'verifier', verifier: { kind: 'arithmetic' }, model: 'big' };
const cascade = (threshold: number): StrategySpec => ({ kind: 'cascade', signal: 'confidence-token', threshold, then: large });

const models = { small: 'small', large: 'big' };
const rows: RoutedQuestion[] = [];
for (const [i, item] of items.entries()) {
  const record = await recordRouting(runtime, { prompt: item.prompt, answer: { kind: 'number' }, sampling: { seed: i } }, { signal: 'confidence-token', large, models });
  rows.push({ ...record, smallCorrect: record.smallAnswer === item.answer, largeCorrect: record.largeAnswer === item.answer });
}

// The threshold is chosen on the first third and scored on the rest (the questions interleave the
// operators, so the first third is not one kind of question).
const cut = Math.floor(rows.length / 3);
const scoredItems = items.slice(cut);
const study = routingStudy(rows.slice(0, cut), rows.slice(cut));
const { curve, smallOnly, alwaysLarge, atChosen, chosenThreshold } = study;

// Check: the cascade at the chosen threshold, run for real, gives the curve's point.
let check: { threshold: number; accuracy: number; largeCallShare: number } | null = null;
if (chosenThreshold !== null) {
  let right = 0;
  let escalated = 0;
  for (const [i, item] of scoredItems.entries()) {
    const result = await runtime.solve({ prompt: item.prompt, answer: { kind: 'number' }, sampling: { seed: cut + i }, strategy: cascade(chosenThreshold) });
    right += result.answer === item.answer ? 1 : 0;
    escalated += result.usage.byModel.big ? 1 : 0;
  }
  check = { threshold: chosenThreshold, accuracy: right / scoredItems.length, largeCallShare: escalated / scoredItems.length };
}
await runtime.dispose();
await server.close();
console.error(`small ${(smallOnly * 100).toFixed(1)}%  always large ${(alwaysLarge * 100).toFixed(1)}%  at t=${chosenThreshold}: ${atChosen ? `${(atChosen.accuracy * 100).toFixed(1)}% with ${(atChosen.largeCallShare * 100).toFixed(1)}% of large calls` : 'none'}`);
console.log(JSON.stringify({ prompts: study.scoredQuestions, pickPrompts: study.pickQuestions, smallOnly, alwaysLarge, chosenThreshold, atChosen, check, curve }));
