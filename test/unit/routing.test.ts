import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/cache/store.js';
import { AbortError, InvalidRequestError, RemoteEngineError } from '../../src/errors.js';
import { findModel } from '../../src/models/catalog.js';
import { resolveModel } from '../../src/models/describe.js';
import { instructPack } from '../../src/prompts/instruct.js';
import { createLocalRuntime, type RuntimeModel } from '../../src/runtime/local.js';
import type { StrategySpec } from '../../src/types.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';

/** Several models in one runtime: steps that name a model, escalation by confidence, and failed escalations. */

const small = () => findModel('tiny-arith');
const big = () => resolveModel({ id: 'qwen2.5-7b-instruct', engine: 'openai', server: { baseUrl: 'http://127.0.0.1:9' } }, 'auto').entry;

function twoModels(options: { smallConfidence: number; bigFails?: () => Error; bigDelayMs?: number }) {
  const smallEngine = scriptedEngine(() => ({ text: '935', confidence: options.smallConfidence }));
  const bigEngine = scriptedEngine(
    () => {
      if (options.bigFails) throw options.bigFails();
      return 'The sum is 936.\nAnswer: 936';
    },
    { info: { engine: 'openai', model: 'qwen2.5-7b-instruct' }, tokenDelayMs: options.bigDelayMs },
  );
  const models: RuntimeModel[] = [
    { name: 'small', entry: small(), engine: smallEngine },
    { name: 'big', entry: big(), engine: bigEngine, pack: instructPack('qwen') },
  ];
  const runtime = createLocalRuntime({ models, store: memoryStore() });
  return { runtime, smallEngine, bigEngine };
}

const escalate = (threshold: number, then: Record<string, unknown> = { kind: 'self-consistency', n: 3, model: 'big' }) =>
  ({ kind: 'cascade', signal: 'confidence-token', threshold, then }) as unknown as StrategySpec;

describe('routing between models', () => {
  it('accepts the small model when its confidence token clears the threshold, and never calls the big one', async () => {
    const { runtime, bigEngine } = twoModels({ smallConfidence: 0.9 });
    const result = await runtime.solve({ prompt: '347+589', answer: { kind: 'number' }, strategy: escalate(0.6) });
    expect(result.answer).toBe('935');
    expect(bigEngine.calls).toHaveLength(0);
    expect(Object.keys(result.usage.byModel)).toEqual(['small']);
    expect(result.trace.some((e) => e.type === 'route')).toBe(false);
  });

  it('escalates below the threshold: the big model answers with its own prompts, and usage and the trace say where each call went', async () => {
    const { runtime, smallEngine, bigEngine } = twoModels({ smallConfidence: 0.2 });
    const result = await runtime.solve({ prompt: '347+589', answer: { kind: 'number' }, strategy: escalate(0.6) });
    expect(result.answer).toBe('936');
    expect(result.escalation).toBeUndefined();
    expect(bigEngine.calls).toHaveLength(1);
    expect(bigEngine.calls[0]!.n).toBe(3);
    // The big model gets the instruct pack's chat (system turn and the question), not tiny-arith's format.
    expect(bigEngine.calls[0]!.prompt).toMatchObject({ messages: [{ role: 'system' }, { role: 'user', content: '347+589' }] });
    expect(smallEngine.calls).toHaveLength(1);
    expect(result.usage.byModel.small).toMatchObject({ engineCalls: 1, samples: 1 });
    expect(result.usage.byModel.big).toMatchObject({ engineCalls: 1, samples: 3 });
    expect(result.usage.engineCalls).toBe(2);
    const route = result.trace.find((e) => e.type === 'route');
    expect(route).toMatchObject({ from: 'small', to: 'big', reason: expect.stringContaining('strategy.then') });
  });

  it('states the signal on the side of the threshold it is on: 0.9995 below 1 is not "1.000 < 1"', async () => {
    const { runtime } = twoModels({ smallConfidence: 0.9995 });
    const result = await runtime.solve({ prompt: '347+589', answer: { kind: 'number' }, strategy: escalate(1) });
    const decision = result.trace.find((e) => e.type === 'decision');
    expect(decision).toMatchObject({ reason: 'confidence-token 0.999 < 1' });
    const accepted = await twoModels({ smallConfidence: 0.5995 }).runtime.solve({ prompt: '347+589', answer: { kind: 'number' }, strategy: escalate(0.5995) });
    expect(accepted.trace.find((e) => e.type === 'decision')).toMatchObject({ reason: expect.stringMatching(/^confidence-token 0\.600 >= 0\.5995/) });
  });

  it('keeps the device answer when the escalation fails, marks it, records the typed error, and does not cache it', async () => {
    const { runtime, bigEngine } = twoModels({ smallConfidence: 0.2, bigFails: () => new RemoteEngineError('POST /v1/chat/completions: HTTP 401', { status: 401, retryable: false }) });
    const request = { prompt: '347+589', answer: { kind: 'number' as const }, strategy: escalate(0.6) };
    const result = await runtime.solve(request);
    expect(result.answer).toBe('935');
    expect(result.escalation).toBe('failed');
    expect(result.trace.find((e) => e.type === 'error')).toMatchObject({ model: 'big', name: 'RemoteEngineError', status: 401 });
    const again = await runtime.solve(request);
    expect(again.cached).toBe(false);
    expect(bigEngine.calls).toHaveLength(2);
  });

  it('the caller’s abort during the escalation is an AbortError, not a kept answer', async () => {
    const { runtime } = twoModels({ smallConfidence: 0.2, bigDelayMs: 20 });
    const controller = new AbortController();
    const pending = runtime.solve({ prompt: '347+589', answer: { kind: 'number' }, strategy: escalate(0.6), signal: controller.signal, cache: 'bypass' });
    setTimeout(() => controller.abort(), 30);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });

  it('any step can name its model; an unknown name is an InvalidRequestError naming the field, before any call', async () => {
    const { runtime, smallEngine, bigEngine } = twoModels({ smallConfidence: 0.2 });
    const direct = await runtime.solve({ prompt: '347+589', answer: { kind: 'number' }, strategy: { kind: 'greedy', model: 'big' } });
    expect(direct.answer).toBe('936');
    expect(smallEngine.calls).toHaveLength(0);
    const bad = runtime.solve({ prompt: '347+589', strategy: escalate(0.6, { kind: 'greedy', model: 'huge' }) });
    await expect(bad).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(bad).rejects.toMatchObject({ path: 'strategy.then.model' });
    expect(bigEngine.calls).toHaveLength(1);
  });

  it('the cache key covers every model a request can touch', async () => {
    const a = twoModels({ smallConfidence: 0.2 });
    const spec = escalate(0.6);
    await a.runtime.solve({ prompt: '347+589', answer: { kind: 'number' }, strategy: spec });
    expect((await a.runtime.solve({ prompt: '347+589', answer: { kind: 'number' }, strategy: spec })).cached).toBe(true);
    // Same store, but "big" is now another model: the stored answer of the first must not be served.
    const store = memoryStore();
    const first = createLocalRuntime({ models: [{ name: 'small', entry: small(), engine: scriptedEngine(() => ({ text: '935', confidence: 0.2 })) }, { name: 'big', entry: big(), engine: scriptedEngine(() => 'Answer: 936'), pack: instructPack('qwen') }], store });
    await first.solve({ prompt: '1+1', answer: { kind: 'number' }, strategy: spec });
    await first.dispose();
    const other = resolveModel({ id: 'llama-3.1-70b', engine: 'openai', server: { baseUrl: 'http://127.0.0.1:9' } }, 'auto').entry;
    const second = createLocalRuntime({ models: [{ name: 'small', entry: small(), engine: scriptedEngine(() => ({ text: '935', confidence: 0.2 })) }, { name: 'big', entry: other, engine: scriptedEngine(() => 'Answer: 2'), pack: instructPack('llama') }], store });
    const answer = await second.solve({ prompt: '1+1', answer: { kind: 'number' }, strategy: spec });
    expect(answer.cached).toBe(false);
    expect(answer.answer).toBe('2');
  });

  it('info() lists every model by name', () => {
    const { runtime } = twoModels({ smallConfidence: 0.5 });
    const info = runtime.info();
    expect(info.model).toBe('scripted');
    expect(Object.keys(info.models)).toEqual(['small', 'big']);
    expect(info.models.big!.engine).toBe('openai');
  });
});

describe('any model id', () => {
  it('accepts catalogue ids, ids with an engine (family guessed where safe), and descriptions', () => {
    expect(resolveModel('tiny-arith', 'auto').entry.family).toBe('tiny-arith');
    const qwen = resolveModel('my-org/Qwen3-1.7B-ONNX', 'transformers');
    expect(qwen.entry).toMatchObject({ engine: 'transformers', family: 'qwen', bundled: false, dtype: { webgpu: 'q4' } });
    expect(qwen.warnings).toEqual([]);
    const odd = resolveModel('my-org/Mystery-2B', 'webllm');
    expect(odd.entry.family).toBe('generic');
    expect(odd.warnings[0]).toMatch(/family not recognised/);
    expect(resolveModel({ id: 'x/Phi-4-mini', engine: 'transformers', dtype: 'q8', contextLength: 8192 }, 'auto').entry).toMatchObject({ family: 'phi', dtype: { wasm: 'q8' }, contextLength: 8192 });
  });

  it('refuses what cannot work, saying what would', () => {
    expect(() => resolveModel('not-a-model', 'auto')).toThrow(/Known models: tiny-arith.*engine/);
    expect(() => resolveModel({ id: 'm', engine: 'openai' }, 'auto')).toThrow(InvalidRequestError);
    expect(() => resolveModel({ id: 'm', engine: 'openai' }, 'auto')).toThrow(/options\.model\.server/);
    expect(() => resolveModel({ id: 'm', engine: 'transformers', server: { baseUrl: 'http://x' } }, 'auto')).toThrow(/only engine 'openai'/);
    expect(() => resolveModel({ id: 'm', engine: 'openai', server: { baseUrl: 'not a url' } }, 'auto')).toThrow(/server\.baseUrl/);
  });
});
