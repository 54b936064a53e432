/**
 * The AI SDK provider on the bundled model: the real `ai` package over `createRuntime()` in Node
 * (tiny-arith in-process on onnxruntime-node).
 */
import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecondThought, type SecondThoughtMetadata, type SecondThoughtProvider } from '../../src/ai-sdk.js';
import { createRuntime, InvalidRequestError, type Runtime } from '../../src/index.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const meta = (m: unknown) => (m as { secondThought: SecondThoughtMetadata }).secondThought;
let runtime: Runtime;
let secondThought: SecondThoughtProvider;

beforeAll(async () => {
  runtime = await createRuntime({ cache: false });
  secondThought = createSecondThought({ runtime, answer: { kind: 'number' } });
});
afterAll(async () => {
  await runtime?.dispose();
});

describe('the AI SDK provider on tiny-arith', () => {
  it('generateText answers 347+589 greedily, with the confidence token\'s confidence', async () => {
    const direct = await runtime.solve({ prompt: '347+589', answer: { kind: 'number' } });
    const result = await generateText({ model: secondThought('tiny-arith'), prompt: '347+589' });
    expect(result.text).toBe(direct.text);
    expect(result.text).toBe('936');
    const m = meta(result.providerMetadata);
    expect(m.answer).toBe('936');
    expect(m.confidence).toBeCloseTo(direct.confidence!, 6);
    expect(m.trace.find((e) => e.type === 'confidence')).toMatchObject({ signal: 'confidence-token' });
    expect(result.usage.inputTokens).toBe(direct.usage.promptTokens);
    expect(result.usage.outputTokens).toBe(direct.usage.completionTokens);
  });

  it('streamText streams the greedy answer live, without the confidence token', async () => {
    const result = streamText({ model: secondThought(), prompt: '347+589' });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.join('')).toBe('936');
    expect(deltas.length).toBeGreaterThan(1);
    expect(meta(await result.providerMetadata)).toMatchObject({ answer: '936', stream: 'live' });
  });

  it('self-consistency per call: seeded votes in providerMetadata, the same through both calls', async () => {
    const providerOptions = { secondThought: { strategy: { kind: 'self-consistency', n: 8 }, sampling: { seed: 3 } } };
    const generated = await generateText({ model: secondThought(), prompt: '347+589', temperature: 0.8, providerOptions });
    const m = meta(generated.providerMetadata);
    expect(m.strategy).toEqual({ kind: 'self-consistency', n: 8 });
    expect(m.usage).toMatchObject({ samples: 8, engineCalls: 1 });
    expect(Object.values(m.votes ?? {}).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(8);
    expect(m.votes?.[generated.text]).toBeGreaterThan(0);
    expect(m.confidence).toBeCloseTo(m.votes![generated.text]! / 8, 6);

    const streamed = streamText({ model: secondThought(), prompt: '347+589', temperature: 0.8, providerOptions });
    expect(await streamed.text).toBe(generated.text);
    expect(meta(await streamed.providerMetadata)).toMatchObject({ votes: m.votes, stream: 'final' });
  });

  it('aborts a stream on the real model, and the runtime still answers afterwards', async () => {
    const controller = new AbortController();
    const result = streamText({
      model: secondThought({ strategy: { kind: 'self-consistency', n: 16 } }),
      prompt: '347+589',
      abortSignal: controller.signal,
      includeRawChunks: true,
    });
    const types: string[] = [];
    for await (const part of result.fullStream) {
      types.push(part.type);
      // The first token of the samples: the generation is under way.
      if (part.type === 'raw' && (part.rawValue as { type: string }).type === 'token') controller.abort();
    }
    expect(types).toContain('raw');
    expect(types).not.toContain('finish');
    expect(types.at(-1)).toBe('abort');
    const after = await generateText({ model: secondThought(), prompt: '347+589' });
    expect(after.text).toBe('936');
  });

  it('an invalid strategy rejects generateText with InvalidRequestError', async () => {
    const error = await generateText({
      model: secondThought(),
      prompt: '347+589',
      providerOptions: { secondThought: { strategy: { kind: 'self-consistency', n: 0 } } },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
  });
});
