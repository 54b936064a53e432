/**
 * Routing from the device to a server: "answer on the small model, escalate when its confidence token is
 * below t" against "always the large one", as a curve over t. The small model is the bundled tiny-arith in
 * process; the large one is behind the test OpenAI-compatible server over real HTTP: the same weights,
 * made stronger by Best-of-8 with the arithmetic verifier (the repository has no second model trained on
 * the same questions, so "large" is eight verified samples, not more parameters — say so wherever the
 * figure is quoted). Each question runs one cascade that always escalates, which records the small
 * answer, its confidence and the large answer; the curve's point at t takes the small answer when the
 * confidence reaches t, which is what the cascade with threshold t returns (checked by running it at the
 * chosen t). Prints one JSON document.
 */
import { createRuntime } from '../src/index.js';
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

interface Row {
  correctSmall: boolean;
  correctLarge: boolean;
  confidence: number | null;
  smallTokens: number;
  largeTokens: number;
}
const rows: Row[] = [];
for (const [i, item] of items.entries()) {
  const request = { prompt: item.prompt, answer: { kind: 'number' as const }, sampling: { seed: i } };
  const result = await runtime.solve({ ...request, strategy: cascade(1) });
  const draft = result.trace.find((e) => e.type === 'draft');
  const confidence = result.trace.find((e) => e.type === 'confidence' && e.signal === 'confidence-token');
  rows.push({
    correctSmall: draft?.type === 'draft' && draft.answer === item.answer,
    correctLarge: result.answer === item.answer,
    confidence: confidence?.type === 'confidence' ? confidence.value : null,
    smallTokens: result.usage.byModel.small?.completionTokens ?? 0,
    largeTokens: result.usage.byModel.big?.completionTokens ?? 0,
  });
}

// The threshold is chosen on the first third and scored on the rest, never on the questions it is scored on.
const cut = Math.floor(rows.length / 3);
const pick = rows.slice(0, cut);
const scored = rows.slice(cut);
const scoredItems = items.slice(cut);
const curveOf = (set: Row[]) =>
  Array.from({ length: 101 }, (_, k) => k / 100).map((t) => {
    let right = 0;
    let escalated = 0;
    let tokens = 0;
    for (const r of set) {
      const accept = r.confidence !== null && r.confidence >= t;
      right += (accept ? r.correctSmall : r.correctLarge) ? 1 : 0;
      escalated += accept ? 0 : 1;
      tokens += r.smallTokens + (accept ? 0 : r.largeTokens);
    }
    return { threshold: t, accuracy: right / set.length, largeCallShare: escalated / set.length, tokensPerQuestion: tokens / set.length };
  });
const share = (set: Row[], f: (r: Row) => boolean) => set.filter(f).length / set.length;
// The cheapest threshold within a point of always-large on the picking slice (the goal: ≤ 30 % of its calls).
const pickLarge = share(pick, (r) => r.correctLarge);
const chosen = curveOf(pick).filter((p) => p.accuracy >= pickLarge - 0.01).sort((a, b) => a.largeCallShare - b.largeCallShare)[0] ?? null;
const curve = curveOf(scored);
const alwaysLarge = share(scored, (r) => r.correctLarge);
const smallOnly = share(scored, (r) => r.correctSmall);
const atChosen = chosen ? curve.find((p) => p.threshold === chosen.threshold)! : null;

// Check: the cascade at the chosen threshold, run for real, gives the curve's point.
let check: { threshold: number; accuracy: number; largeCallShare: number } | null = null;
if (chosen) {
  let right = 0;
  let escalated = 0;
  for (const [i, item] of scoredItems.entries()) {
    const result = await runtime.solve({ prompt: item.prompt, answer: { kind: 'number' }, sampling: { seed: cut + i }, strategy: cascade(chosen.threshold) });
    right += result.answer === item.answer ? 1 : 0;
    escalated += result.usage.byModel.big ? 1 : 0;
  }
  check = { threshold: chosen.threshold, accuracy: right / scored.length, largeCallShare: escalated / scored.length };
}
await runtime.dispose();
await server.close();
console.error(`small ${(smallOnly * 100).toFixed(1)}%  always large ${(alwaysLarge * 100).toFixed(1)}%  at t=${chosen?.threshold}: ${atChosen ? `${(atChosen.accuracy * 100).toFixed(1)}% with ${(atChosen.largeCallShare * 100).toFixed(1)}% of large calls` : 'none'}`);
console.log(JSON.stringify({ prompts: scored.length, pickPrompts: pick.length, smallOnly, alwaysLarge, chosenThreshold: chosen?.threshold ?? null, atChosen, check, curve }));
