/**
 * Shared prefill on the longest prompt a bundled model allows: eight samples of one prompt with the
 * prompt's forward pass run once and its KV cache tiled over the rows, against the same eight rows each
 * reading the prompt (`sharePrefill: false`), and against one greedy generation. Engine calls only,
 * interleaved, in Node. Prints one JSON line.
 */
import type { Engine, GenerateParams } from '../src/engine/engine.js';
import { createTransformersEngine } from '../src/engine/transformers.js';
import { findModel } from '../src/models/catalog.js';
import { bundledModelsFolder } from '../src/models/node-base.js';

const rounds = Number(process.env.BENCH_PREFILL_ROUNDS ?? 60);
const model = findModel(process.env.BENCH_PREFILL_MODEL ?? 'tiny-arith');
const base = { model, device: 'auto' as const, modelBase: bundledModelsFolder() };
const shared = await createTransformersEngine(base);
const separate = await createTransformersEngine({ ...base, sharePrefill: false });

/** tiny-arith's 64 positions: BOS and 55 digits leave room for 8 new tokens. */
const prompt = (i: number) => ({ text: `<s>${Array.from({ length: 55 }, (_, j) => String((i * 7 + j * 3) % 10)).join('')}` });
const sample = (i: number): GenerateParams => ({ prompt: prompt(i), n: 8, temperature: 1, maxTokens: 8, seed: i });
const greedy = (i: number): GenerateParams => ({ prompt: prompt(i), n: 1, temperature: 0, maxTokens: 8 });

async function timed(engine: Engine, params: GenerateParams): Promise<number> {
  const start = performance.now();
  await engine.generate(params);
  return performance.now() - start;
}

for (let i = 0; i < 5; i++) {
  await timed(shared, sample(i));
  await timed(separate, sample(i));
  await timed(shared, greedy(i));
}
const sums = { shared: 0, separate: 0, greedy: 0 };
for (let i = 0; i < rounds; i++) {
  const order = (['shared', 'separate', 'greedy'] as const).map((k, j) => [k, (i + j) % 3] as const).sort((a, b) => a[1] - b[1]);
  for (const [kind] of order) sums[kind] += await timed(kind === 'separate' ? separate : shared, kind === 'greedy' ? greedy(i) : sample(i));
}
await shared.dispose();
await separate.dispose();
console.log(
  JSON.stringify({
    model: model.id,
    promptTokens: 56,
    rounds,
    sc8SharedOverGreedy: sums.shared / sums.greedy,
    sc8SeparateOverGreedy: sums.separate / sums.greedy,
    sharedOverSeparate: sums.shared / sums.separate,
    msPerCall: { shared: sums.shared / rounds, separate: sums.separate / rounds, greedy: sums.greedy / rounds },
  }),
);
