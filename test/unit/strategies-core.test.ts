import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.js';
import type { TraceEvent } from '../../src/types.js';
import { scriptedRuntime } from '../helpers/runtime.js';

const number = { kind: 'number' } as const;

describe('greedy', () => {
  it('decodes once at temperature 0 and reads the confidence token', async () => {
    const { engine, runtime } = scriptedRuntime(() => ({ text: '936', confidence: 0.8 }));
    const result = await runtime.solve({ prompt: '347+589', answer: number });
    expect(result.answer).toBe('936');
    expect(result.confidence).toBeCloseTo(0.8);
    expect(engine.calls).toHaveLength(1);
    expect(engine.calls[0]!.temperature).toBe(0);
    expect(engine.calls[0]!.watchTokens).toEqual(['<CN>', '<UN>']);
    expect(result.usage).toMatchObject({ samples: 1, engineCalls: 1, completionTokens: 4 + 1 });
    expect(result.trace.map((e) => e.type)).toEqual(['draft', 'confidence']);
  });
});

describe('self-consistency', () => {
  it('takes the majority in one batched engine call', async () => {
    const answers = ['5', '7', '5', '5', '7', '9', '5', 'x'];
    const { engine, runtime } = scriptedRuntime(({ row }) => answers[row]!);
    const result = await runtime.solve({ prompt: '2+3', answer: number, strategy: { kind: 'self-consistency', n: 8 }, sampling: { temperature: 0.7 } });
    expect(result.answer).toBe('5');
    expect(result.confidence).toBe(4 / 8);
    expect(engine.calls).toHaveLength(1);
    expect(engine.calls[0]).toMatchObject({ n: 8, temperature: 0.7 });
    expect(result.usage.engineCalls).toBe(1);
    const vote = result.trace.find((e) => e.type === 'vote');
    expect(vote).toMatchObject({ counts: { '5': 4, '7': 2, '9': 1 }, leader: '5' });
  });

  it('breaks a tie by the higher mean log-prob', async () => {
    const { runtime } = scriptedRuntime(({ row }) =>
      row % 2 === 0 ? { text: '10', logprob: -0.1 } : { text: '11', logprob: -2 },
    );
    const result = await runtime.solve({ prompt: '5+5', answer: number, strategy: { kind: 'self-consistency', n: 4 } });
    expect(result.answer).toBe('10');
    expect(result.trace.some((e) => e.type === 'decision' && /tied/.test(e.reason))).toBe(true);
  });

  it('returns no answer, not a crash, when no sample has one', async () => {
    const { runtime } = scriptedRuntime(() => 'no idea');
    const result = await runtime.solve({ prompt: '?', answer: number, strategy: { kind: 'self-consistency', n: 3 } });
    expect(result.answer).toBeNull();
    expect(result.confidence).toBeNull();
  });
});

describe('best-of-n', () => {
  const replies = [
    { text: '1', logprob: -0.5, confidence: 0.2 },
    { text: '2', logprob: -0.1, confidence: 0.4 },
    { text: '3', logprob: -0.9, confidence: 0.9 },
  ];
  it('picks the highest mean log-prob', async () => {
    const { runtime } = scriptedRuntime(({ row }) => replies[row]!);
    const r = await runtime.solve({ prompt: 'q', answer: number, strategy: { kind: 'best-of-n', n: 3, scorer: 'logprob' } });
    expect(r.answer).toBe('2');
  });
  it('picks the highest confidence token', async () => {
    const { runtime } = scriptedRuntime(({ row }) => replies[row]!);
    const r = await runtime.solve({ prompt: 'q', answer: number, strategy: { kind: 'best-of-n', n: 3, scorer: 'confidence' } });
    expect(r.answer).toBe('3');
    expect(r.confidence).toBeCloseTo(0.9);
  });
});

describe('budgets', () => {
  it('maxSamples caps the batch and marks the result', async () => {
    const { engine, runtime } = scriptedRuntime(() => '4');
    const r = await runtime.solve({ prompt: '2+2', answer: number, strategy: { kind: 'self-consistency', n: 8 }, budget: { maxSamples: 3 } });
    expect(engine.calls[0]!.n).toBe(3);
    expect(r.usage.samples).toBe(3);
    expect(r.answer).toBe('4');
    expect(r.budgetExhausted).toBe(true);
  });

  it('maxTokens bounds the worst case of a call', async () => {
    const { engine, runtime } = scriptedRuntime(() => '1234567');
    const r = await runtime.solve({ prompt: 'q', answer: number, strategy: { kind: 'self-consistency', n: 4 }, budget: { maxTokens: 10 } });
    expect(engine.calls[0]!.n * engine.calls[0]!.maxTokens).toBeLessThanOrEqual(10);
    expect(r.usage.completionTokens).toBeLessThanOrEqual(10);
  });

  it('deadlineMs returns promptly with budgetExhausted', async () => {
    const { runtime } = scriptedRuntime(() => '123456789', { tokenDelayMs: 50 });
    const started = Date.now();
    const r = await runtime.solve({ prompt: 'q', answer: number, strategy: { kind: 'self-consistency', n: 4 }, budget: { deadlineMs: 100 } });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.budgetExhausted).toBe(true);
    expect(r.answer).toBeNull();
  });

  it('exhausted results are not cached', async () => {
    const { engine, runtime } = scriptedRuntime(() => '4');
    const request = { prompt: '2+2', answer: number, strategy: { kind: 'self-consistency' as const, n: 8 }, budget: { maxSamples: 3 } };
    await runtime.solve(request);
    const again = await runtime.solve(request);
    expect(again.cached).toBe(false);
    expect(engine.calls).toHaveLength(2);
  });
});

describe('abort', () => {
  it('rejects promptly with AbortError and the next request succeeds', async () => {
    const { runtime } = scriptedRuntime(() => '4321', { tokenDelayMs: 20 });
    const controller = new AbortController();
    const pending = runtime.solve({ prompt: 'q', strategy: { kind: 'self-consistency', n: 16 }, signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const started = Date.now();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(500);
    const next = await runtime.solve({ prompt: 'q2', answer: number });
    expect(next.answer).toBe('4321');
  });

  it('rejects at once when the signal is already aborted', async () => {
    const { engine, runtime } = scriptedRuntime(() => '1');
    await expect(runtime.solve({ prompt: 'q', signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(engine.calls).toHaveLength(0);
  });
});

describe('cache modes and sharing', () => {
  it('a repeat is cached; bypass recomputes without storing; refresh recomputes and stores', async () => {
    let calls = 0;
    const { runtime } = scriptedRuntime(() => String(++calls));
    const first = await runtime.solve({ prompt: 'q', answer: number });
    const repeat = await runtime.solve({ prompt: 'q', answer: number });
    expect(repeat).toMatchObject({ cached: true, answer: first.answer });
    expect(repeat.usage.engineCalls).toBe(0);
    const bypass = await runtime.solve({ prompt: 'q', answer: number, cache: 'bypass' });
    expect(bypass).toMatchObject({ cached: false, answer: '2' });
    expect((await runtime.solve({ prompt: 'q', answer: number })).answer).toBe('1');
    const refresh = await runtime.solve({ prompt: 'q', answer: number, cache: 'refresh' });
    expect(refresh.answer).toBe('3');
    expect((await runtime.solve({ prompt: 'q', answer: number })).answer).toBe('3');
    expect(await runtime.cache.stats()).toMatchObject({ entries: 1 });
    await runtime.cache.clear();
    expect(await runtime.cache.stats()).toMatchObject({ entries: 0 });
  });

  it('identical requests in flight share one computation', async () => {
    const { engine, runtime } = scriptedRuntime(() => '42', { tokenDelayMs: 5 });
    const [a, b] = await Promise.all([
      runtime.solve({ prompt: 'q', answer: number }),
      runtime.solve({ prompt: 'q', answer: number }),
    ]);
    expect(a.answer).toBe('42');
    expect(b.answer).toBe('42');
    expect(engine.calls).toHaveLength(1);
  });
});

describe('stream', () => {
  it('yields trace events in order and ends with the result', async () => {
    const { runtime } = scriptedRuntime(({ row }) => String(row % 2));
    const types: string[] = [];
    let last: TraceEvent | undefined;
    for await (const event of runtime.stream({ prompt: 'q', answer: number, strategy: { kind: 'self-consistency', n: 3 } })) {
      if (event.type !== 'token') types.push(event.type);
      last = event;
    }
    expect(types).toEqual(['sample', 'sample', 'sample', 'vote', 'result']);
    expect(last?.type === 'result' && last.result.answer).toBe('0');
  });

  it('token events stream during generation but stay out of the stored trace', async () => {
    const { runtime } = scriptedRuntime(() => '12');
    const tokens: string[] = [];
    const result = await runtime.solve({ prompt: 'q', onEvent: (e) => e.type === 'token' && tokens.push(e.token) });
    expect(tokens).toEqual(['1', '2']);
    expect(result.trace.some((e) => e.type === 'token')).toBe(false);
  });

  it('breaking out of the loop aborts the request', async () => {
    const { runtime } = scriptedRuntime(() => '4321', { tokenDelayMs: 20 });
    for await (const event of runtime.stream({ prompt: 'q', strategy: { kind: 'self-consistency', n: 8 } })) {
      if (event.type === 'token') break;
    }
    const next = await runtime.solve({ prompt: 'other', answer: number });
    expect(next.answer).toBe('4321');
  });

  it('throws InvalidRequestError before doing any work', async () => {
    const { engine, runtime } = scriptedRuntime(() => '1');
    await expect(runtime.solve({ prompt: 'q', strategy: { kind: 'self-consistency', n: 0 } })).rejects.toMatchObject({
      name: 'InvalidRequestError',
      path: 'strategy.n',
    });
    expect(engine.calls).toHaveLength(0);
  });

  it('refuses use after dispose', async () => {
    const { runtime } = scriptedRuntime(() => '1');
    await runtime.dispose();
    await expect(runtime.solve({ prompt: 'q' })).rejects.toMatchObject({ name: 'RuntimeDisposedError' });
  });
});
