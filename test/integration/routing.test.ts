import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/index.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { tinyArithModel, type FixtureModel } from '../helpers/openai-fixture-models.js';
import { startOpenAIServer, type FixtureServer } from '../helpers/openai-server.js';
import { heldOutSample } from '../helpers/reference.js';

/**
 * Routing on real models in Node: the bundled tiny-arith in process, and the same weights behind the test
 * OpenAI-compatible server (vLLM's shapes) as the "big" model. Escalations cross real HTTP; a server that
 * refuses mid-run costs the escalation, never the device's answer; a model the device cannot load is served
 * by the server model.
 */

let fixture: FixtureModel;
let server: FixtureServer;
let runtime: Runtime;
const big = () => ({ id: 'tiny-arith', engine: 'openai' as const, family: 'tiny-arith' as const, server: { baseUrl: server.url, maxRetries: 0 } });

beforeAll(async () => {
  fixture = await tinyArithModel();
  server = await startOpenAIServer({ mode: 'vllm', model: fixture });
  runtime = await createRuntime({ models: { small: 'tiny-arith', big: big() }, cache: false });
});
afterAll(async () => {
  await runtime?.dispose();
  await server?.close();
});

describe('routing from the device to a server', () => {
  it('escalates exactly the unsure questions, over HTTP, and reports calls per model', async () => {
    const items = heldOutSample(30);
    let escalated = 0;
    for (const [i, item] of items.entries()) {
      const result = await runtime.solve({
        prompt: item.prompt,
        answer: { kind: 'number' },
        strategy: { kind: 'cascade', signal: 'confidence-token', threshold: 0.6, then: { kind: 'self-consistency', n: 4, model: 'big' } },
        sampling: { seed: i },
      });
      const confidence = result.trace.find((e) => e.type === 'confidence' && e.signal === 'confidence-token');
      const routed = result.trace.some((e) => e.type === 'route' && e.to === 'big');
      expect(routed, item.prompt).toBe(confidence !== undefined && confidence.type === 'confidence' && (confidence.value === null || confidence.value < 0.6));
      if (routed) {
        escalated++;
        expect(result.usage.byModel.big).toMatchObject({ samples: 4 });
      } else {
        expect(result.usage.byModel.big).toBeUndefined();
      }
      expect(result.answer).toMatch(/^-?\d+$/);
    }
    expect(escalated).toBeGreaterThan(0);
    expect(escalated).toBeLessThan(items.length);
    const generations = server.requests.filter((r) => r.path === '/v1/chat/completions' && r.body?.n === 4);
    expect(generations).toHaveLength(escalated);
  });

  it('a server that answers 503 costs the escalation only: the device answer comes back marked', async () => {
    server.inject({ kind: 'status', status: 503, message: 'overloaded' }, { times: 1 });
    const result = await runtime.solve({
      prompt: '347+589',
      answer: { kind: 'number' },
      strategy: { kind: 'cascade', signal: 'confidence-token', threshold: 1, then: { kind: 'self-consistency', n: 4, model: 'big' } },
    });
    expect(result.escalation).toBe('failed');
    expect(result.answer).toBe('936');
    expect(result.trace.find((e) => e.type === 'error')).toMatchObject({ model: 'big', status: 503 });
  });
});

describe('device fallback to the server model', () => {
  it('a model this device cannot load (a WebLLM build in Node) is served by the server model, and info() says why', async () => {
    const fallback = await createRuntime({ models: { small: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC', big: big() }, cache: false });
    try {
      const info = fallback.info();
      expect(info.engine).toBe('openai');
      expect(info.fallback).toMatch(/small could not load here .*its requests run on "big"/);
      const result = await fallback.solve({ prompt: '347+589', answer: { kind: 'number' } });
      expect(result.answer).toBe('936');
    } finally {
      await fallback.dispose();
    }
  });

  it('without a server model, a load failure is the error it always was', async () => {
    await expect(createRuntime({ model: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC' })).rejects.toThrow();
  });
});
