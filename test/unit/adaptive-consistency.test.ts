import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/types.js';
import { scriptedRuntime } from '../helpers/runtime.js';
import { tinyScript } from '../helpers/tiny-script.js';

const number = { kind: 'number' } as const;
const ac = (extra: Record<string, unknown> = {}) => ({ kind: 'adaptive-consistency' as const, ...extra });

/** Samples answer in the given order, whatever the batching. */
function inOrder(answers: string[]) {
  return tinyScript({ draft: ({ sample }) => answers[sample] ?? 'x' });
}

const stops = (trace: TraceEvent[]) => trace.filter((e) => e.type === 'stop');
const batches = (trace: TraceEvent[]) =>
  trace.filter((e): e is Extract<TraceEvent, { type: 'decision' }> => e.type === 'decision' && e.choice.startsWith('sample ')).map((e) => Number(e.choice.slice(7)));

describe('adaptive-consistency (Beta)', () => {
  it('stops at 4–0 after one batch of 4', async () => {
    const { engine, runtime } = scriptedRuntime(inOrder(Array(16).fill('5')));
    const r = await runtime.solve({ prompt: '2+3', answer: number, strategy: ac() });
    expect(r.answer).toBe('5');
    expect(r.usage.samples).toBe(4);
    expect(engine.calls.map((c) => c.n)).toEqual([4]);
    expect(stops(r.trace)).toEqual([expect.objectContaining({ rule: 'beta', numbers: expect.objectContaining({ a: 4, b: 0, samples: 4 }) })]);
    expect(r.strategy).toEqual({ kind: 'adaptive-consistency', maxSamples: 16, criterion: 'beta', threshold: 0.95 });
  });

  it('stops at 6–1 with exactly 7 samples', async () => {
    const { runtime } = scriptedRuntime(inOrder(['5', '7', '5', '5', '5', '5', '5', '5', '5']));
    const r = await runtime.solve({ prompt: 'q', answer: number, strategy: ac() });
    expect(r.usage.samples).toBe(7);
    expect(batches(r.trace)).toEqual([4, 3]);
    expect(stops(r.trace)[0]).toMatchObject({ rule: 'beta', numbers: { a: 6, b: 1 } });
  });

  it('stops at 8–2 with exactly 10 samples', async () => {
    const { runtime } = scriptedRuntime(inOrder(['5', '7', '7', '5', ...Array(12).fill('5')]));
    const r = await runtime.solve({ prompt: 'q', answer: number, strategy: ac() });
    expect(r.usage.samples).toBe(10);
    expect(batches(r.trace)).toEqual([4, 6]);
    expect(stops(r.trace)[0]).toMatchObject({ rule: 'beta', numbers: { a: 8, b: 2 } });
  });

  it('stops at 9–3 with exactly 12 samples, one batch at a time as the rule allows', async () => {
    const answers = ['5', '5', '7', '7', '5', '5', '5', '5', '5', '7', '5', '5', '5', '5', '5', '5'];
    const { runtime } = scriptedRuntime(inOrder(answers));
    const r = await runtime.solve({ prompt: 'q', answer: number, strategy: ac() });
    expect(r.usage.samples).toBe(12);
    expect(batches(r.trace)).toEqual([4, 6, 2]);
    expect(stops(r.trace)[0]).toMatchObject({ rule: 'beta', numbers: { a: 9, b: 3 } });
    expect(r.answer).toBe('5');
  });

  it('stops at the cap when the rule never holds, drawing the rest together', async () => {
    const { runtime } = scriptedRuntime(inOrder(['1', '2', '1', '2', '1', '2', '1', '2']));
    const r = await runtime.solve({ prompt: 'q', answer: number, strategy: ac({ maxSamples: 6 }) });
    expect(r.usage.samples).toBe(6);
    expect(batches(r.trace)).toEqual([4, 2]);
    expect(stops(r.trace)[0]).toMatchObject({ rule: 'max-samples' });
    expect(r.budgetExhausted).toBe(false);
  });

  it('samples without an answer are not votes', async () => {
    const { runtime } = scriptedRuntime(inOrder(['x', '5', '5', '5', '5', '5']));
    const r = await runtime.solve({ prompt: 'q', answer: number, strategy: ac() });
    expect(r.usage.samples).toBe(5);
    expect(r.answer).toBe('5');
  });
});

describe('adaptive-consistency (other criteria)', () => {
  it('majority stops at 2–0', async () => {
    const { runtime } = scriptedRuntime(inOrder(Array(16).fill('5')));
    const r = await runtime.solve({ prompt: 'q', answer: number, strategy: ac({ criterion: 'majority' }) });
    expect(r.usage.samples).toBe(2);
    expect(stops(r.trace)[0]).toMatchObject({ rule: 'majority', numbers: { share: 1, threshold: 0.8 } });
  });

  it('entropy stops at 4 unanimous and dirichlet runs deterministically', async () => {
    const a = scriptedRuntime(inOrder(Array(16).fill('5')));
    expect((await a.runtime.solve({ prompt: 'q', answer: number, strategy: ac({ criterion: 'entropy' }) })).usage.samples).toBe(4);
    const answers = ['5', '6', '7', '5', ...Array(12).fill('5')];
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const { runtime } = scriptedRuntime(inOrder(answers));
      runs.push(await runtime.solve({ prompt: 'q', answer: number, strategy: ac({ criterion: 'dirichlet' }) }));
    }
    expect(runs[0]!.usage.samples).toBe(runs[1]!.usage.samples);
    expect(runs[0]!.usage.samples).toBeLessThan(16);
    expect(stops(runs[0]!.trace)[0]).toMatchObject({ rule: 'dirichlet' });
  });
});

describe('adaptive-consistency budgets', () => {
  it('budget.maxSamples ends it with the vote so far', async () => {
    const { runtime } = scriptedRuntime(inOrder(['5', '7', '5', '5', '5', '5', '5']));
    const r = await runtime.solve({ prompt: 'q', answer: number, strategy: ac(), budget: { maxSamples: 5 } });
    expect(r.usage.samples).toBe(5);
    expect(r.answer).toBe('5');
    expect(r.budgetExhausted).toBe(true);
  });
});
