import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/cache/store.js';
import { createGroupWatch, groupConfidences, percentile, tokenConfidence, traceConfidence } from '../../src/confidence/deepconf.js';
import type { TokenAlternative } from '../../src/engine/engine.js';
import { LogprobsUnavailableError } from '../../src/errors.js';
import { findModel } from '../../src/models/catalog.js';
import { instructPack } from '../../src/prompts/instruct.js';
import { createLocalRuntime } from '../../src/runtime/local.js';
import type { TraceEvent } from '../../src/types.js';
import { scriptedEngine, type Script } from '../helpers/scripted-engine.js';

const sure: TokenAlternative[] = [-0.01, -8, -9, -9, -9].map((logprob, i) => ({ token: `t${i}`, logprob }));
const unsure: TokenAlternative[] = [-0.7, -0.8, -2, -3, -3].map((logprob, i) => ({ token: `t${i}`, logprob }));
const C_SURE = (0.01 + 8 + 9 + 9 + 9) / 5;
const C_UNSURE = (0.7 + 0.8 + 2 + 3 + 3) / 5;

describe('DeepConf confidence measures', () => {
  it('token confidence is minus the mean top-k log-prob', () => {
    expect(tokenConfidence({ token: 'a', logprob: -0.01, top: sure }, 5)).toBeCloseTo(C_SURE);
    expect(tokenConfidence({ token: 'a', logprob: -0.7, top: unsure }, 2)).toBeCloseTo(0.75);
    expect(tokenConfidence({ token: 'a', logprob: -0.7 }, 5)).toBeNull();
  });

  it('groups are sliding-window means; a short trace is one group', () => {
    expect(groupConfidences([1, 2, 3, 4], 2)).toEqual([1.5, 2.5, 3.5]);
    expect(groupConfidences([1, 2], 4)).toEqual([1.5]);
    expect(traceConfidence([5, 5, 1, 1, 5, 5], 2, 'lowest')).toBe(1);
    expect(traceConfidence([5, 5, 1, 1, 5, 5], 2, 'tail')).toBe(5);
    expect(traceConfidence([5, 5, 1, 1, 5, 5], 2, 'mean')).toBeCloseTo(22 / 6);
    expect(percentile([1, 2, 3, 4, 5], 90)).toBeCloseTo(4.6);
  });

  it('the online watch fires once a full window drops below the threshold', () => {
    const watch = createGroupWatch(5, 3, 4);
    const step = (top: TokenAlternative[]) => ({ token: 'x', logprob: top[0]!.logprob, top });
    expect([sure, sure, sure].map((t) => watch.push(step(t)))).toEqual([false, false, false]);
    expect(watch.push(step(unsure))).toBe(false); // (7.2 + 7.2 + 1.9) / 3 > 4
    expect(watch.push(step(unsure))).toBe(true);
  });
});

type Row = 'sure' | 'unsure' | 'sure-17';
/** Each row is a confident chain answering 42, an unsure one answering 17, or a confident one answering 17. */
function runtimeWith(pattern: (row: number, call: number) => Row, options: { canCut?: boolean; topLogprobs?: number } = {}) {
  const script: Script = ({ row, callIndex }) => {
    const kind = pattern(row, callIndex);
    const text = kind === 'sure' ? 'Step one. Step two. Answer: 42' : kind === 'unsure' ? 'Hmm maybe this. Or that. Answer: 17' : 'Step one. Step two. Answer: 17';
    return { text, top: () => (kind === 'unsure' ? unsure : sure) };
  };
  const engine = scriptedEngine(script, { info: { capabilities: { batchedSampling: true, logprobs: true, topLogprobs: options.topLogprobs ?? 20, seededSampling: true, contextLength: 4096, confidenceToken: false, continueAssistant: true } } });
  if (options.canCut === false) {
    const generate = engine.generate.bind(engine);
    engine.generate = (params) => generate({ ...params, stopRow: undefined });
  }
  const runtime = createLocalRuntime({ engine, model: findModel('onnx-community/Qwen2.5-0.5B-Instruct'), store: memoryStore(), pack: instructPack('qwen') });
  return { runtime, engine };
}

const scores = (trace: TraceEvent[]) => trace.filter((e): e is Extract<TraceEvent, { type: 'trace-score' }> => e.type === 'trace-score');

describe('DeepConf strategy', () => {
  it('offline: keeps the most confident traces and votes by confidence, beating the plain majority', async () => {
    // 6 unsure traces say 17, 4 confident ones say 42.
    const { runtime } = runtimeWith((row) => (row < 6 ? 'unsure' : 'sure'));
    const result = await runtime.solve({ prompt: 'q', answer: { kind: 'number' }, strategy: { kind: 'deepconf', mode: 'offline', maxTraces: 10, keepPercent: 40, window: 4 } });
    expect(result.answer).toBe('42');
    expect(result.confidence).toBe(1);
    expect(scores(result.trace).map((e) => e.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const majority = await runtime.solve({ prompt: 'q', answer: { kind: 'number' }, strategy: { kind: 'self-consistency', n: 10 } });
    expect(majority.answer).toBe('17');
  });

  it('online: warm-up sets the threshold, unsure traces stop early (fewer tokens), consensus ends sampling', async () => {
    // Warm-up (call 0): two confident traces for each answer. After it, confident 42s and unsure 17s alternate.
    const { runtime, engine } = runtimeWith((row, call) => (call === 0 ? (row < 2 ? 'sure' : 'sure-17') : row % 2 ? 'unsure' : 'sure'));
    const result = await runtime.solve({
      prompt: 'q',
      answer: { kind: 'number' },
      strategy: { kind: 'deepconf', warmup: 4, maxTraces: 32, keepPercent: 50, window: 4, batch: 4, consensus: 0.79 },
      cache: 'bypass',
    });
    expect(result.answer).toBe('42');
    const events = scores(result.trace);
    const warm = events.slice(0, 4);
    expect(warm.every((e) => e.threshold === null && !e.stopped)).toBe(true);
    const later = events.slice(4);
    expect(later.length).toBeGreaterThan(0);
    expect(later.filter((e) => e.stopped).length).toBeGreaterThan(0);
    for (const e of later.filter((x) => x.stopped)) expect(e.tokens).toBeLessThan(warm[1]!.tokens);
    const stop = result.trace.find((e) => e.type === 'stop' && e.rule === 'deepconf-consensus');
    // The stop says which threshold the vote used (the warm-up traces carry none of their own; the app draws it).
    expect(stop?.type === 'stop' && stop.numbers.threshold).toBe(later[0]!.threshold);
    // 2 of 2 → 4 of 6 … 8 of 10 votes for 42 reach 0.79 (0.8, not exactly, in floating point) after three batches, well before 32 traces.
    expect(engine.calls).toHaveLength(4);
    expect(engine.calls[0]!.topLogprobs).toBe(5);
    const full = await runtime.solve({ prompt: 'q', answer: { kind: 'number' }, strategy: { kind: 'self-consistency', n: 16 }, cache: 'bypass' });
    expect(result.usage.completionTokens).toBeLessThan(full.usage.completionTokens);
  });

  it('an engine that cannot end a row early is judged afterwards by the same rule', async () => {
    const { runtime } = runtimeWith((row, call) => (call === 0 ? (row < 2 ? 'sure' : 'sure-17') : row % 2 ? 'unsure' : 'sure'), { canCut: false });
    const result = await runtime.solve({ prompt: 'q', answer: { kind: 'number' }, strategy: { kind: 'deepconf', warmup: 4, maxTraces: 12, keepPercent: 50, window: 4, batch: 4 }, cache: 'bypass' });
    const later = scores(result.trace).slice(4);
    expect(later.filter((e) => e.stopped).length).toBeGreaterThan(0);
    expect(result.answer).toBe('42');
  });

  it('says clearly when the engine reports no alternatives', async () => {
    const { runtime } = runtimeWith(() => 'sure', { topLogprobs: 0 });
    await expect(runtime.solve({ prompt: 'q', strategy: { kind: 'deepconf' } })).rejects.toBeInstanceOf(LogprobsUnavailableError);
  });

  it('validates its parameters', async () => {
    const { runtime } = runtimeWith(() => 'sure');
    await expect(runtime.solve({ prompt: 'q', strategy: { kind: 'deepconf', warmup: 20, maxTraces: 8 } })).rejects.toMatchObject({ path: 'strategy.warmup' });
  });
});
