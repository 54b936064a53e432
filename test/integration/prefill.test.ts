import { PreTrainedModel } from '@huggingface/transformers';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Engine, GenerateOutput, GenerateParams } from '../../src/engine/engine.js';
import { createTransformersEngine } from '../../src/engine/transformers.js';
import { AbortError } from '../../src/errors.js';
import { findModel } from '../../src/models/catalog.js';
import { bundledModelsFolder } from '../../src/models/node-base.js';
import { heldOutSample } from '../helpers/reference.js';

/**
 * Shared prefill on the real tiny model: the N samples of one prompt read the prompt once (batch 1, KV cache
 * tiled to N rows) and come out exactly as N rows that each read it themselves.
 */

const model = findModel('tiny-arith');
let shared: Engine;
let separate: Engine;

beforeAll(async () => {
  shared = await createTransformersEngine({ model, device: 'auto', modelBase: bundledModelsFolder() });
  separate = await createTransformersEngine({ model, device: 'auto', modelBase: bundledModelsFolder(), sharePrefill: false });
});
afterAll(async () => {
  await shared?.dispose();
  await separate?.dispose();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** The `input_ids` shape of every forward pass the model runs during `run`. */
async function forwardShapes<T>(run: () => Promise<T>): Promise<{ result: T; shapes: number[][] }> {
  const shapes: number[][] = [];
  const forward = PreTrainedModel.prototype.forward;
  vi.spyOn(PreTrainedModel.prototype, 'forward').mockImplementation(function (this: PreTrainedModel, inputs: { input_ids: { dims: number[] } }) {
    shapes.push([...inputs.input_ids.dims]);
    return forward.call(this, inputs);
  });
  const result = await run();
  vi.restoreAllMocks();
  return { result, shapes };
}

/** Token for token and flag for flag equal; log-probabilities equal within float noise. */
function expectSameOutput(a: GenerateOutput, b: GenerateOutput): void {
  expect(a.promptTokens).toBe(b.promptTokens);
  expect(a.generations.map((g) => [g.text, g.finishReason, g.steps.map((s) => s.token)])).toEqual(
    b.generations.map((g) => [g.text, g.finishReason, g.steps.map((s) => s.token)]),
  );
  const numbers = (out: GenerateOutput) =>
    out.generations.flatMap((g) =>
      g.steps.flatMap((s) => [s.logprob, ...Object.values(s.watched ?? {}), ...(s.top ?? []).map((t) => t.logprob)]),
    );
  const [x, y] = [numbers(a), numbers(b)];
  expect(x).toHaveLength(y.length);
  x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThan(1e-4));
  expect(a.generations.map((g) => g.steps.map((s) => s.top?.map((t) => t.token)))).toEqual(
    b.generations.map((g) => g.steps.map((s) => s.top?.map((t) => t.token))),
  );
}

const chat = (content: string) => ({ messages: [{ role: 'user' as const, content }] });
/** The longest raw prompt the 64-token context leaves room for 8 new tokens after: BOS and 55 digits. */
const longPrompt = (i: number) => ({ text: `<s>${Array.from({ length: 55 }, (_, j) => String((i * 7 + j * 3) % 10)).join('')}` });

describe('shared prefill on tiny-arith', () => {
  const prompts = heldOutSample(12).map((item) => chat(item.prompt));

  it('gives SC@8 outputs identical to eight separate prompt passes at fixed seeds', async () => {
    let distinct = 0;
    for (const [i, prompt] of [...prompts, longPrompt(1), longPrompt(2)].entries()) {
      // A hot temperature, so that the rows differ and each has something to get wrong.
      const params: GenerateParams = { prompt, n: 8, temperature: 1.5, maxTokens: 12, seed: 100 + i, watchTokens: ['<CN>', '<UN>'], topLogprobs: 5 };
      const a = await shared.generate(params);
      const b = await separate.generate(params);
      expectSameOutput(a, b);
      distinct += new Set(a.generations.map((g) => g.text)).size;
    }
    expect(distinct).toBeGreaterThan(14 * 2); // the rows really were sampled apart
  });

  it('runs the prompt once at batch 1, then decodes the 8 rows from the tiled cache', async () => {
    const prompt = longPrompt(3);
    const params: GenerateParams = { prompt, n: 8, temperature: 1, maxTokens: 8, seed: 3 };
    const length = await shared.countTokens(prompt);
    const once = await forwardShapes(() => shared.generate(params));
    const eight = await forwardShapes(() => separate.generate(params));
    expectSameOutput(once.result, eight.result);

    expect(once.shapes[0]).toEqual([1, length]);
    expect(once.shapes.slice(1).every(([rows, width]) => rows === 8 && width === 1)).toBe(true);
    expect(eight.shapes[0]).toEqual([8, length]);
    // Prompt positions read: 56 instead of 8 × 56.
    const read = (shapes: number[][]) => shapes[0]![0]! * shapes[0]![1]!;
    expect(read(once.shapes)).toBe(length);
    expect(read(eight.shapes)).toBe(8 * length);
    // The same number of decode steps after the prompt.
    expect(once.shapes.length).toBe(eight.shapes.length);
  });

  it('has nothing to share for one row: greedy reads the prompt at batch 1, no tiling', async () => {
    const prompt = prompts[0]!;
    const { result, shapes } = await forwardShapes(() => shared.generate({ prompt, n: 1, temperature: 0, maxTokens: 12 }));
    expect(shapes.every(([rows]) => rows === 1)).toBe(true);
    expectSameOutput(result, await separate.generate({ prompt, n: 1, temperature: 0, maxTokens: 12 }));
  });

  it('handles one new token (the prompt pass alone) and rows that end at once', async () => {
    const one = { prompt: prompts[1]!, n: 4, temperature: 1, maxTokens: 1, seed: 9 };
    const { result, shapes } = await forwardShapes(() => shared.generate(one));
    expect(shapes).toHaveLength(1);
    expect(result.generations.every((g) => g.steps.length === 1 && g.finishReason === 'length')).toBe(true);
    expectSameOutput(result, await separate.generate(one));

    // Prompts that already hold their answer: after the confidence token every row ends at once (the prompt
    // pass is all there is); before it, every row adds that token and ends in the first decode step.
    for (const [text, steps] of [['<s>12+34=46<CN>', 0], ['<s>12+34=46', 1]] as const) {
      const done = { prompt: { text }, n: 8, temperature: 1, maxTokens: 4, seed: 1 };
      const out = await shared.generate(done);
      expect(out.generations.map((g) => [g.steps.length, g.finishReason])).toEqual(new Array(8).fill([steps, 'stop']));
      expectSameOutput(out, await separate.generate(done));
    }
  });

  it('stops on abort during the shared prompt pass and during the decode', async () => {
    for (const at of [1, 9]) {
      const controller = new AbortController();
      let seen = 0;
      const params = {
        prompt: longPrompt(4),
        n: 8,
        temperature: 1,
        maxTokens: 8,
        seed: 4,
        signal: controller.signal,
        onToken: () => {
          if (++seen === at) controller.abort();
        },
      };
      await expect(shared.generate(params)).rejects.toBeInstanceOf(AbortError);
    }
    // And the engine is fine afterwards.
    await expect(shared.generate({ prompt: prompts[2]!, n: 8, temperature: 1, maxTokens: 12, seed: 5 })).resolves.toBeTruthy();
  });
});

describe('top-k alternatives on tiny-arith', () => {
  it('reports the k most probable tokens per position, most probable first, at temperature 1', async () => {
    expect(shared.info().capabilities.topLogprobs).toBe(20);
    const prompt = chat(heldOutSample(3)[2]!.prompt);
    const out = await shared.generate({ prompt, n: 4, temperature: 0.8, maxTokens: 12, seed: 8, topLogprobs: 4 });
    for (const step of out.generations.flatMap((g) => g.steps)) {
      const top = step.top!;
      expect(top).toHaveLength(4);
      for (let i = 1; i < top.length; i++) expect(top[i]!.logprob).toBeLessThanOrEqual(top[i - 1]!.logprob);
      expect(new Set(top.map((t) => t.token)).size).toBe(4);
      // The chosen token's own number agrees with the list wherever it appears in it, and it is never above the best.
      const listed = top.find((t) => t.token === step.token);
      if (listed) expect(listed.logprob).toBeCloseTo(step.logprob, 9);
      else expect(step.logprob).toBeLessThanOrEqual(top.at(-1)!.logprob);
      // Temperature-1 probabilities: the four cannot add up to more than 1.
      expect(top.reduce((s, t) => s + Math.exp(t.logprob), 0)).toBeLessThanOrEqual(1 + 1e-9);
    }
    // Greedy picks the first alternative every time.
    const greedy = await shared.generate({ prompt, n: 1, temperature: 0, maxTokens: 12, topLogprobs: 2 });
    for (const step of greedy.generations[0]!.steps) expect(step.top![0]!.token).toBe(step.token);
  });

  it('caps what is asked at the capability and reports none unless asked', async () => {
    const prompt = chat(heldOutSample(3)[0]!.prompt);
    const many = await shared.generate({ prompt, n: 1, temperature: 0, maxTokens: 3, topLogprobs: 50 });
    expect(many.generations[0]!.steps.every((s) => s.top!.length === 20)).toBe(true);
    const none = await shared.generate({ prompt, n: 1, temperature: 0, maxTokens: 3 });
    expect(none.generations[0]!.steps.every((s) => !('top' in s))).toBe(true);
  });
});
