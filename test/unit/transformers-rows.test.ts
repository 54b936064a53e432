import type { Tensor } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import type { GenerateParams } from '../../src/engine/engine.js';
import { createRng, logSoftmax } from '../../src/engine/sampling.js';
import { batchStep, sharedStep } from '../../src/engine/transformers-hooks.js';
import { Rows, type Vocabulary } from '../../src/engine/transformers-rows.js';

/**
 * The transformers.js adapter's own sampler, without the library: rows choosing tokens from logits laid out as
 * generate() hands them over ([batch, vocab], float32), and a shared prompt pass feeding the same rows.
 */

const TOKENS = ['<pad>', '</s>', 'a', 'b', 'c', 'd', '<CN>', '<UN>'];
const vocab: Vocabulary = {
  eosIds: [1],
  text: (id) => TOKENS[id]!,
  id: (token) => (TOKENS.includes(token) ? TOKENS.indexOf(token) : undefined),
};
const PAD = 0;

/** Logits for `batch` rows; row r at decode step t depends on (t, r) only through `row(t, r)`. */
function logits(batch: number, values: (row: number) => number[]): Tensor {
  const data = new Float32Array(batch * TOKENS.length);
  for (let r = 0; r < batch; r++) data.set(values(r), r * TOKENS.length);
  return { dims: [batch, TOKENS.length], data } as unknown as Tensor;
}

/** A fake model: the next logits depend on the row's last token, so rows that diverge keep diverging. */
function next(last: number, step: number): number[] {
  const rng = createRng(last * 31 + step);
  return TOKENS.map((_, id) => (id === PAD ? -Infinity : id === 1 ? step - 3 : rng() * 3));
}

function params(overrides: Partial<GenerateParams> = {}): GenerateParams {
  return { prompt: { text: 'x' }, n: 6, temperature: 1.2, maxTokens: 8, seed: 42, ...overrides };
}

/** Runs rows to the end, either as a batch from the start or as one shared prompt step and then a batch. */
function decode(shared: boolean, p: GenerateParams, topK = 0) {
  const rows = new Rows(p, vocab, topK);
  const prompt = next(99, 0);
  if (shared) sharedStep(rows)(logits(1, () => prompt));
  else batchStep(rows, PAD)(logits(rows.count, () => prompt));
  for (let step = 1; step < p.maxTokens && !rows.allDone; step++) {
    const last = [...rows.last];
    batchStep(rows, PAD)(logits(rows.count, (r) => next(last[r]!, step)));
  }
  return rows.generations((ids) => ids.map((id) => TOKENS[id]).join(''));
}

describe('the adapter sampler', () => {
  it('gives the same rows from a shared prompt step as from a batch that read the prompt per row', () => {
    for (let seed = 0; seed < 30; seed++) {
      const p = params({ seed, watchTokens: ['<CN>', 'nope'] });
      expect(decode(true, p, 3)).toEqual(decode(false, p, 3));
    }
    const texts = new Set(decode(true, params({ seed: 5 })).map((g) => g.text));
    expect(texts.size).toBeGreaterThan(1); // the rows are sampled apart
  });

  it('leaves only the chosen token finite, and feeds an ended row padding', () => {
    const rows = new Rows(params({ n: 2, temperature: 0 }), vocab, 0);
    const first = logits(2, (r) => (r === 0 ? [0, 5, 1, 0, 0, 0, 0, 0] : [0, 0, 1, 4, 0, 0, 0, 0]));
    batchStep(rows, PAD)(first);
    expect(Array.from(first.data as Float32Array)).toEqual([
      ...[-Infinity, 0, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
      ...[-Infinity, -Infinity, -Infinity, 0, -Infinity, -Infinity, -Infinity, -Infinity],
    ]);
    expect(rows.finished).toEqual([true, false]);
    const second = logits(2, () => [0, 0, 9, 0, 0, 0, 0, 0]);
    batchStep(rows, PAD)(second);
    expect((second.data as Float32Array)[PAD]).toBe(0); // row 0 ended: padding, not a choice
    expect(rows.generations((ids) => ids.map((id) => TOKENS[id]).join(''))).toEqual([
      { text: '', steps: [], finishReason: 'stop' },
      { text: 'ba', steps: [expect.objectContaining({ token: 'b' }), expect.objectContaining({ token: 'a' })], finishReason: 'length' },
    ]);
  });

  it('records log-probs at temperature 1, watched tokens it knows and the top alternatives asked for', () => {
    const streamed: Array<[number, string]> = [];
    const values = [-Infinity, -2, 1, 0.5, 0.5, -1, -3, -4];
    const rows = new Rows(params({ n: 1, temperature: 0, watchTokens: ['<CN>', 'zzz'], onToken: (r, t) => streamed.push([r, t]) }), vocab, 3);
    batchStep(rows, PAD)(logits(1, () => values));
    const expected = logSoftmax(values);
    const [step] = rows.generations((ids) => ids.join(','))[0]!.steps;
    expect(step).toEqual({
      token: 'a',
      logprob: expected[2],
      watched: { '<CN>': expected[6] },
      top: [
        { token: 'a', logprob: expected[2] },
        { token: 'b', logprob: expected[3] },
        { token: 'c', logprob: expected[4] },
      ],
    });
    expect(streamed).toEqual([[0, 'a']]);
  });

  it('reports no alternatives unless asked', () => {
    const rows = new Rows(params({ n: 1 }), vocab, 0);
    batchStep(rows, PAD)(logits(1, () => next(0, 0)));
    expect(rows.generations(String)[0]!.steps.every((s) => !('top' in s) && !('watched' in s))).toBe(true);
  });
});
