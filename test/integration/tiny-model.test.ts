import { join } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env, Tensor, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHeldOut, loadReference } from '../helpers/reference.js';

/**
 * The committed model, loaded with plain transformers.js fully offline (no runtime code of ours), checked
 * against its model card: the artifact is what the card says it is.
 */

const reference = loadReference();
let tokenizer: PreTrainedTokenizer;
let model: PreTrainedModel;

beforeAll(async () => {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = join(import.meta.dirname, '..', '..', 'public', 'models') + '/';
  tokenizer = await AutoTokenizer.from_pretrained('tiny-arith');
  model = await AutoModelForCausalLM.from_pretrained('tiny-arith', { dtype: 'fp32' });
});

/** Greedy completions (special tokens kept) for many prompts, batched with left padding. */
async function greedy(prompts: string[]): Promise<string[]> {
  const texts = prompts.map((p) => tokenizer.apply_chat_template([{ role: 'user', content: p }], { add_generation_prompt: true, tokenize: false }) as string);
  const encoded = texts.map((t) => tokenizer.encode(t, { add_special_tokens: false }));
  const width = Math.max(...encoded.map((e) => e.length));
  const pad = tokenizer.pad_token_id ?? 0;
  const ids = encoded.flatMap((e) => [...new Array<number>(width - e.length).fill(pad), ...e]);
  const mask = encoded.flatMap((e) => [...new Array<number>(width - e.length).fill(0), ...new Array<number>(e.length).fill(1)]);
  const output = (await model.generate({
    inputs: new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [prompts.length, width]),
    attention_mask: new Tensor('int64', BigInt64Array.from(mask.map(BigInt)), [prompts.length, width]),
    max_new_tokens: 10,
    do_sample: false,
  })) as Tensor;
  const rows = output.tolist() as bigint[][];
  const eos = tokenizer.eos_token_id!;
  return rows.map((row) => {
    const generated = row.slice(width).map(Number);
    const end = generated.indexOf(eos);
    return tokenizer.decode(end === -1 ? generated : generated.slice(0, end), { skip_special_tokens: false });
  });
}

describe('tiny-arith as committed', () => {
  it('has the tokenizer the runtime relies on', () => {
    const vocab = tokenizer.get_vocab();
    for (const token of ['<s>', '</s>', '<CN>', '<UN>', 'Y', 'N', '?', '=']) expect(vocab.has(token)).toBe(true);
    expect(tokenizer.encode('<CN>', { add_special_tokens: false })).toHaveLength(1);
    const rendered = tokenizer.apply_chat_template([{ role: 'user', content: '347+589' }], { add_generation_prompt: true, tokenize: false });
    expect(rendered).toBe('<s>347+589=');
  });

  it('gives the model card greedy outputs for its 20 fixed prompts', async () => {
    const completions: string[] = [];
    for (const fixed of reference.fixedPrompts) completions.push((await greedy([fixed.prompt]))[0]!);
    expect(completions).toEqual(reference.fixedPrompts.map((p) => p.completion));
  });

  it('emits a confidence token after the answer on every fixed prompt, and its score is computable', async () => {
    for (const fixed of reference.fixedPrompts) expect(fixed.completion).toMatch(/^-?\d+(<CN>|<UN>)$/);
    const ids = tokenizer.encode(`<s>${reference.fixedPrompts[0]!.prompt}=${reference.fixedPrompts[0]!.answer}`, { add_special_tokens: false });
    const out = await model({
      input_ids: new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
      attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
    });
    const logits = out.logits as Tensor;
    const vocab = logits.dims.at(-1)!;
    const last = (logits.data as Float32Array).slice((ids.length - 1) * vocab, ids.length * vocab);
    const cn = last[tokenizer.get_vocab().get('<CN>')!]!;
    const un = last[tokenizer.get_vocab().get('<UN>')!]!;
    const score = 1 / (1 + Math.exp(un - cn));
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(1);
    expect(score).toBeCloseTo(reference.fixedPrompts[0]!.confidence, 3);
  });

  it('scores within 2 points of the model card on the held-out set, per operator', async () => {
    const items = loadHeldOut();
    const completions: string[] = [];
    for (let i = 0; i < items.length; i += 250) completions.push(...(await greedy(items.slice(i, i + 250).map((x) => x.prompt))));
    const correct = { '+': [0, 0], '-': [0, 0], '*': [0, 0] } as Record<string, [number, number]>;
    items.forEach((item, i) => {
      const answer = completions[i]!.replace(/<CN>|<UN>/g, '');
      correct[item.op]![0] += answer === item.answer ? 1 : 0;
      correct[item.op]![1] += 1;
    });
    const overall = Object.values(correct).reduce((s, [c]) => s + c, 0) / items.length;
    expect(Math.abs(overall - reference.greedy.accuracy.overall)).toBeLessThanOrEqual(0.02);
    for (const op of ['+', '-', '*'] as const) {
      const [c, n] = correct[op]!;
      expect(Math.abs(c / n - reference.greedy.accuracy[op])).toBeLessThanOrEqual(0.02);
    }
  });
});
