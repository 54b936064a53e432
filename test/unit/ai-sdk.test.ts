/**
 * The AI SDK provider through the real `ai` package (generateText / streamText, specification v3) over a
 * scripted runtime: round trips with strategies, provider options, streaming, abort, errors and warnings.
 */
import { NoSuchModelError, UnsupportedFunctionalityError, type LanguageModelV3CallOptions } from '@ai-sdk/provider';
import { generateText, jsonSchema, streamText, tool, type TextStreamPart, type ToolSet } from 'ai';
import { describe, expect, it } from 'vitest';
import { compactEvent } from '../../src/ai-sdk-result.js';
import { createSecondThought, type SecondThoughtMetadata } from '../../src/ai-sdk.js';
import { AbortError, InvalidRequestError } from '../../src/errors.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import type { SolveResult, TraceEvent } from '../../src/types.js';
import { scriptedRuntime } from '../helpers/runtime.js';

// The SDK logs every warning to the console; the tests read them from the results instead.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const number = { kind: 'number' } as const;
const meta = (m: unknown) => (m as { secondThought: SecondThoughtMetadata }).secondThought;

describe('generateText', () => {
  it('round-trips a greedy answer with its usage and metadata', async () => {
    const { engine, runtime } = scriptedRuntime(() => ({ text: '936', confidence: 0.8 }));
    const secondThought = createSecondThought({ runtime, answer: number });
    const result = await generateText({ model: secondThought(), prompt: '347+589' });

    expect(result.text).toBe('936');
    expect(result.finishReason).toBe('stop');
    expect(result.warnings).toEqual([]);
    expect(engine.calls).toHaveLength(1);
    expect(engine.calls[0]!.temperature).toBe(0);
    // 3 characters + the confidence token + the end token; the scripted prompt counts as its length.
    expect(result.usage).toMatchObject({ outputTokens: 5, inputTokens: expect.any(Number) });
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    const m = meta(result.providerMetadata);
    expect(m).toMatchObject({ answer: '936', strategy: { kind: 'greedy' }, cached: false, votes: null, budgetExhausted: false });
    expect(m.confidence).toBeCloseTo(0.8);
    expect(m.usage).toMatchObject({ samples: 1, engineCalls: 1, completionTokens: 5 });
    expect(m.trace.map((e) => e.type)).toEqual(['draft', 'confidence']);
    expect(m.trace[0]).toMatchObject({ type: 'draft', answer: '936', tokens: 4 });
    // The spec asks for JSON values: nothing is lost in a JSON round trip.
    expect(JSON.parse(JSON.stringify(result.providerMetadata))).toEqual(result.providerMetadata);
    expect(result.response.modelId).toBe('scripted');
  });

  it('runs self-consistency chosen for the model, with its votes in providerMetadata', async () => {
    const answers = ['5', '7', '5', '5', '7', '9', '5', 'x'];
    const { engine, runtime } = scriptedRuntime(({ row }) => answers[row]!);
    const secondThought = createSecondThought({ runtime, answer: number });
    const model = secondThought({ strategy: { kind: 'self-consistency', n: 8 } });
    const result = await generateText({ model, prompt: '2+3', temperature: 0.7 });

    expect(result.text).toBe('5');
    expect(result.warnings).toEqual([]);
    expect(engine.calls[0]).toMatchObject({ n: 8, temperature: 0.7 });
    const m = meta(result.providerMetadata);
    expect(m.votes).toEqual({ '5': 4, '7': 2, '9': 1 });
    expect(m.confidence).toBe(4 / 8);
    expect(m.usage).toMatchObject({ samples: 8, engineCalls: 1 });
    const vote = m.trace.find((e) => e.type === 'vote');
    expect(vote).toMatchObject({ leader: '5', share: 0.5, counts: { '5': 4, '7': 2, '9': 1 } });
    expect(m.trace.filter((e) => e.type === 'sample')).toHaveLength(8);
    // Compact: no sample texts in the trace.
    expect(m.trace.some((e) => 'text' in e)).toBe(false);
  });

  it('takes strategy, answer, cache and sampling.seed per call from providerOptions', async () => {
    const { engine, runtime } = scriptedRuntime(({ row }) => (row < 3 ? '12' : '13'));
    const model = createSecondThought({ runtime })('scripted', { strategy: { kind: 'greedy' }, answer: { kind: 'text' } });
    const providerOptions = {
      secondThought: { strategy: { kind: 'self-consistency', n: 4 }, answer: number, sampling: { seed: 42 } },
    };
    const first = await generateText({ model, prompt: '6+6', seed: 7, providerOptions });
    expect(engine.calls[0]).toMatchObject({ n: 4, seed: 42 });
    expect(meta(first.providerMetadata)).toMatchObject({ strategy: { kind: 'self-consistency', n: 4 }, answer: '12', votes: { '12': 3, '13': 1 } });

    const again = await generateText({ model, prompt: '6+6', seed: 7, providerOptions });
    expect(meta(again.providerMetadata).cached).toBe(true);
    expect(engine.calls).toHaveLength(1);
    const bypass = await generateText({ model, prompt: '6+6', seed: 7, providerOptions: { secondThought: { ...providerOptions.secondThought, cache: 'bypass' } } });
    expect(meta(bypass.providerMetadata).cached).toBe(false);
    expect(engine.calls).toHaveLength(2);

    // Without provider options, the model's own strategy and answer kind.
    const plain = await generateText({ model, prompt: '6+6' });
    expect(meta(plain.providerMetadata)).toMatchObject({ strategy: { kind: 'greedy' }, votes: null });
  });

  it('maps the AI SDK sampling settings and the chat prompt', async () => {
    const { engine, runtime } = scriptedRuntime(() => '4');
    const model = createSecondThought({ runtime, sampling: { temperature: 0.3 } })({ strategy: { kind: 'self-consistency', n: 2 } });
    const result = await generateText({
      model,
      system: 'Answer with a number.',
      messages: [
        { role: 'user', content: '1+1' },
        { role: 'assistant', content: [{ type: 'reasoning', text: 'one and one' }, { type: 'text', text: '2' }] },
        { role: 'user', content: [{ type: 'text', text: 'and' }, { type: 'text', text: '2+2' }] },
      ],
      topP: 0.9,
      topK: 20,
      maxOutputTokens: 6,
      seed: 5,
    });
    expect(engine.calls[0]).toMatchObject({ temperature: 0.3, topP: 0.9, topK: 20, maxTokens: 6, seed: 5 });
    const body = result.request.body as { messages: unknown };
    expect(body.messages).toEqual([
      { role: 'system', content: 'Answer with a number.' },
      { role: 'user', content: '1+1' },
      { role: 'assistant', content: '2' },
      { role: 'user', content: 'and\n2+2' },
    ]);
    expect(result.warnings).toEqual([expect.objectContaining({ type: 'unsupported', feature: 'reasoning parts' })]);
  });

  it('says finishReason length when a budget cut the strategy short', async () => {
    const { runtime } = scriptedRuntime(() => '5');
    const model = createSecondThought({ runtime, answer: number })({ strategy: { kind: 'self-consistency', n: 8 }, budget: { maxSamples: 3 } });
    const result = await generateText({ model, prompt: '2+3' });
    expect(result.finishReason).toBe('length');
    expect(result.text).toBe('5');
    expect(meta(result.providerMetadata)).toMatchObject({ budgetExhausted: true, votes: { '5': 3 } });
  });

  it('passes a callback verifier set on the model', async () => {
    const { runtime } = scriptedRuntime(({ row }) => ['3', '4', '5'][row]!);
    const model = createSecondThought({ runtime, answer: number })({
      strategy: { kind: 'best-of-n', n: 3, scorer: 'verifier', verifier: { kind: 'callback' } },
      verify: ({ answer }) => answer === '4',
    });
    const result = await generateText({ model, prompt: '2+2' });
    expect(result.text).toBe('4');
    expect((result.request.body as { verify?: string }).verify).toBe('function');
  });
});

describe('streamText', () => {
  it('streams a greedy answer token by token; the deltas concatenate to the text', async () => {
    const { runtime } = scriptedRuntime(() => '936', { tokenDelayMs: 2 });
    const result = streamText({ model: createSecondThought({ runtime, answer: number })(), prompt: '347+589' });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas).toEqual(['9', '3', '6']);
    expect(await result.text).toBe('936');
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).outputTokens).toBe(4);
    expect(meta(await result.providerMetadata)).toMatchObject({ answer: '936', stream: 'live', votes: null });
  });

  it('sends the final text of a multi-sample strategy in one delta at the end, with the votes', async () => {
    const answers = ['10', '10', '11', '10'];
    const { runtime } = scriptedRuntime(({ row }) => answers[row]!, { tokenDelayMs: 1 });
    const model = createSecondThought({ runtime, answer: number })();
    const result = streamText({ model, prompt: '5+5', providerOptions: { secondThought: { strategy: { kind: 'self-consistency', n: 4 } } } });
    const parts: TextStreamPart<ToolSet>[] = [];
    for await (const part of result.fullStream) parts.push(part);
    const types = parts.map((p) => p.type);
    expect(types.filter((t) => t === 'text-delta')).toHaveLength(1);
    expect(types.slice(-4)).toEqual(['text-delta', 'text-end', 'finish-step', 'finish']);
    expect(await result.text).toBe('10');
    const m = meta(await result.providerMetadata);
    expect(m).toMatchObject({ stream: 'final', votes: { '10': 3, '11': 1 }, confidence: 0.75 });
  });

  it('streams a cached greedy answer in one piece', async () => {
    const { runtime } = scriptedRuntime(() => '936');
    const model = createSecondThought({ runtime, answer: number })();
    await generateText({ model, prompt: '347+589' });
    const result = streamText({ model, prompt: '347+589' });
    expect(await result.text).toBe('936');
    expect(meta(await result.providerMetadata)).toMatchObject({ cached: true, stream: 'final' });
  });

  it('keeps special tokens out of the live text, and says so when the final text diverged', async () => {
    const live = fakeRuntime(['9', '3', '6', '<CN>'], '936');
    const ok = streamText({ model: createSecondThought({ runtime: live })(), prompt: 'q' });
    expect(await ok.text).toBe('936');
    expect(meta(await ok.providerMetadata).stream).toBe('live');

    const diverged = fakeRuntime(['a', 'b'], 'ac');
    const off = streamText({ model: createSecondThought({ runtime: diverged })(), prompt: 'q' });
    expect(await off.text).toBe('ab');
    expect(meta(await off.providerMetadata)).toMatchObject({ stream: 'diverged', text: 'ac' });
  });

  it('passes trace events as raw chunks when asked', async () => {
    const { runtime } = scriptedRuntime(() => '7');
    const result = streamText({ model: createSecondThought({ runtime })(), prompt: '3+4', includeRawChunks: true });
    const raw: unknown[] = [];
    for await (const part of result.fullStream) if (part.type === 'raw') raw.push(part.rawValue);
    expect(raw.map((e) => (e as TraceEvent).type)).toEqual(['token', 'draft', 'confidence', 'result']);
  });

  it('aborts mid-stream: the solve stops and the stream ends with an abort part', async () => {
    const { engine, runtime } = scriptedRuntime(() => '1234567890123456789012345678901234567890', { tokenDelayMs: 15 });
    const controller = new AbortController();
    let aborted = false;
    const result = streamText({
      model: createSecondThought({ runtime })(),
      prompt: 'count',
      abortSignal: controller.signal,
      onAbort: () => {
        aborted = true;
      },
    });
    const types: string[] = [];
    for await (const part of result.fullStream) {
      types.push(part.type);
      if (part.type === 'text-delta') controller.abort();
    }
    expect(aborted).toBe(true);
    expect(types.at(-1)).toBe('abort');
    expect(types).not.toContain('finish');
    expect(engine.calls[0]!.signal?.aborted).toBe(true);
    await expect(result.text).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('stops the solve when the reader cancels the stream', async () => {
    const { engine, runtime } = scriptedRuntime(() => '1234567890123456789012345678901234567890', { tokenDelayMs: 10 });
    const { stream } = await createSecondThought({ runtime })().doStream(callOptions());
    const reader = stream.getReader();
    for (;;) if ((await reader.read()).value?.type === 'text-delta') break;
    await reader.cancel();
    await waitFor(() => engine.calls[0]!.signal?.aborted === true);
  });
});

describe('errors and warnings', () => {
  it('generateText rejects with the runtime\'s InvalidRequestError, class and path intact', async () => {
    const { runtime } = scriptedRuntime(() => '1');
    const model = createSecondThought({ runtime })();
    const error = await generateText({ model, prompt: '1', providerOptions: { secondThought: { strategy: { kind: 'self-consistency', n: 0 } } }, maxRetries: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ name: 'InvalidRequestError', path: 'strategy.n' });

    const unknownKind = await generateText({ model, prompt: '1', providerOptions: { secondThought: { strategy: { kind: 'nope' } } } }).catch((e: unknown) => e);
    expect(unknownKind).toMatchObject({ name: 'InvalidRequestError', path: 'strategy.kind' });

    const unknownOption = await generateText({ model, prompt: '1', providerOptions: { secondThought: { bogus: true } } }).catch((e: unknown) => e);
    expect(unknownOption).toBeInstanceOf(InvalidRequestError);
    expect(unknownOption).toMatchObject({ path: 'providerOptions.secondThought.bogus' });
  });

  it('streamText reports the runtime\'s error as an error part and finishes with reason error', async () => {
    const { runtime } = scriptedRuntime(() => '1');
    const errors: unknown[] = [];
    const result = streamText({
      model: createSecondThought({ runtime })({ strategy: { kind: 'self-consistency', n: 0 } }),
      prompt: '1',
      onError: ({ error }) => {
        errors.push(error);
      },
    });
    const parts: TextStreamPart<ToolSet>[] = [];
    for await (const part of result.fullStream) parts.push(part);
    const errorPart = parts.find((p) => p.type === 'error') as { error: unknown } | undefined;
    expect(errorPart?.error).toBeInstanceOf(InvalidRequestError);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(InvalidRequestError);
    expect(await result.finishReason).toBe('error');
  });

  it('generateText rejects with AbortError when aborted', async () => {
    const { runtime } = scriptedRuntime(() => '1234567890123456789012345678901234567890', { tokenDelayMs: 10 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const error = await generateText({ model: createSecondThought({ runtime })(), prompt: 'count', abortSignal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
  });

  it('warns, in the spec\'s shape, about every setting it cannot honour', async () => {
    const { runtime } = scriptedRuntime(() => '5');
    const model = createSecondThought({ runtime, answer: number })();
    const result = await generateText({
      model,
      prompt: '2+3',
      stopSequences: ['\n'],
      presencePenalty: 0.5,
      frequencyPenalty: 0.5,
      temperature: 0.8,
    });
    expect(result.text).toBe('5');
    expect(result.warnings?.map((w) => w.type === 'other' ? w.message : w.feature).sort()).toEqual(
      ['frequencyPenalty', 'presencePenalty', 'stopSequences', 'temperature'],
    );
    expect(result.warnings?.every((w) => w.type === 'unsupported' && typeof w.details === 'string')).toBe(true);

    const json = await model.doGenerate(callOptions({ responseFormat: { type: 'json' } }));
    expect(json.warnings).toEqual([expect.objectContaining({ type: 'unsupported', feature: 'responseFormat' })]);

    const streamed = streamText({ model, prompt: '2+3', stopSequences: ['\n'] });
    expect(await streamed.warnings).toEqual([expect.objectContaining({ type: 'unsupported', feature: 'stopSequences' })]);
  });

  it('answers in text with a warning when offered tools, and refuses to require a tool call', async () => {
    const { runtime } = scriptedRuntime(() => '5');
    const model = createSecondThought({ runtime, answer: number })();
    const tools = { add: tool({ description: 'adds', inputSchema: jsonSchema<{ a: number; b: number }>({ type: 'object' }), execute: async ({ a, b }) => a + b }) };
    const result = await generateText({ model, prompt: '2+3', tools });
    expect(result.text).toBe('5');
    expect(result.toolCalls).toEqual([]);
    expect(result.warnings).toEqual([expect.objectContaining({ type: 'unsupported', feature: 'tools' })]);

    const required = await generateText({ model, prompt: '2+3', tools, toolChoice: 'required' }).catch((e: unknown) => e);
    expect(UnsupportedFunctionalityError.isInstance(required)).toBe(true);
  });

  it('refuses file parts and tool messages with UnsupportedFunctionalityError', async () => {
    const { runtime } = scriptedRuntime(() => '5');
    const model = createSecondThought({ runtime })();
    const image = await generateText({
      model,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image', image: new Uint8Array([137, 80, 78, 71]), mediaType: 'image/png' }] }],
    }).catch((e: unknown) => e);
    expect(UnsupportedFunctionalityError.isInstance(image)).toBe(true);
    expect((image as UnsupportedFunctionalityError).functionality).toMatch(/file parts \(image\/png\)/);

    const toolTurn = await model
      .doGenerate(callOptions({ prompt: [{ role: 'tool', content: [{ type: 'tool-result', toolCallId: '1', toolName: 'add', output: { type: 'text', value: '5' } }] }] }))
      .catch((e: unknown) => e);
    expect(UnsupportedFunctionalityError.isInstance(toolTurn)).toBe(true);
  });

  it('keeps trace events of kinds it does not know compact: numbers, flags and short strings', () => {
    const event = { type: 'route', t: 3, from: 'small', to: 'big', reason: 'confidence 0.4 < 0.6', text: 'long text', score: Number.NEGATIVE_INFINITY };
    expect(compactEvent(event as unknown as TraceEvent)).toEqual({ type: 'route', t: 3, from: 'small', to: 'big', reason: 'confidence 0.4 < 0.6', score: null });
  });

  it('is a v3 provider: the runtime\'s model, and NoSuchModelError for any other', async () => {
    const { runtime } = scriptedRuntime(() => '5');
    const provider = createSecondThought({ runtime });
    expect(provider.specificationVersion).toBe('v3');
    const model = provider.languageModel('scripted');
    expect(model).toMatchObject({ specificationVersion: 'v3', provider: 'second-thought', modelId: 'scripted' });
    expect(() => provider('gpt-4o')).toThrow(NoSuchModelError);
    expect(() => provider.embeddingModel('x')).toThrow(NoSuchModelError);
  });
});

function callOptions(extra: Partial<LanguageModelV3CallOptions> = {}): LanguageModelV3CallOptions {
  return { prompt: [{ role: 'user', content: [{ type: 'text', text: 'count' }] }], ...extra };
}

async function waitFor(check: () => boolean, ms = 2_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A runtime whose stream replays the given tokens and ends with a result of the given text. */
function fakeRuntime(tokens: string[], text: string): Runtime {
  const result: SolveResult = {
    answer: text,
    text,
    confidence: null,
    strategy: { kind: 'greedy' },
    usage: { promptTokens: 1, completionTokens: tokens.length, samples: 1, engineCalls: 1, ms: 1 } as SolveResult['usage'],
    cached: false,
    budgetExhausted: false,
    trace: [],
  };
  return {
    solve: async () => result,
    async *stream() {
      for (const [index, token] of tokens.entries()) yield { type: 'token', t: index, index: 0, token } satisfies TraceEvent;
      yield { type: 'result', t: tokens.length, result } satisfies TraceEvent;
    },
    info: () => ({ model: 'fake', engine: 'transformers', device: 'cpu', fallback: null, worker: false, capabilities: runtimeCapabilities }) as ReturnType<Runtime['info']>,
    cache: { stats: async () => ({ entries: 0, bytes: 0, hits: 0, misses: 0 }), clear: async () => {} },
    dispose: async () => {},
  };
}

const runtimeCapabilities = {
  batchedSampling: false,
  logprobs: true,
  topLogprobs: 0,
  seededSampling: true,
  contextLength: 64,
  confidenceToken: true,
  continueAssistant: false,
};
