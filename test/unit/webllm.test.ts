import { describe, expect, it } from 'vitest';
import type { GpuProbe } from '../../src/engine/device.js';
import type { GenerateParams } from '../../src/engine/engine.js';
import { rowSeed } from '../../src/engine/sampling.js';
import { createWebLlmEngine } from '../../src/engine/webllm.js';
import { AbortError, ContextLengthError, DeviceUnavailableError, EngineError, InvalidRequestError } from '../../src/errors.js';
import { findModel } from '../../src/models/catalog.js';
import type { ProgressEvent } from '../../src/types.js';
import { FakeMLCEngine, type FakeMlcOptions } from './fakes/fake-mlc-engine.js';

const F16 = 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC';
const F32 = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
const gpu = (shaderF16 = true): (() => Promise<GpuProbe>) => async () => ({ available: true, shaderF16, reason: null });
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

async function setup(options: Partial<FakeMlcOptions> = {}, probe = gpu()) {
  const fake = new FakeMLCEngine({ script: (_input, seed) => `answer ${seed ?? 'unseeded'}`, ...options });
  const progress: ProgressEvent[] = [];
  const engine = await createWebLlmEngine(
    { model: findModel(F16), device: 'auto', onProgress: (e) => progress.push(e) },
    { createEngine: (id, config) => fake.load(id, config), probeGpu: probe },
  );
  return { fake, engine, progress };
}

function params(overrides: Partial<GenerateParams> = {}): GenerateParams {
  return { prompt: ask('hi'), n: 1, temperature: 0.7, maxTokens: 64, seed: 11, ...overrides };
}

/** Aborts from inside onToken once `row` has streamed `count` tokens. */
function abortAfter(controller: AbortController, count: number, seen: string[] = []) {
  return (_row: number, token: string) => {
    seen.push(token);
    if (seen.length === count) controller.abort();
  };
}

describe('WebLLM adapter: loading', () => {
  it('reports progress and ends ready on webgpu', async () => {
    const { engine, progress, fake } = await setup();
    expect(progress.map((e) => e.text)).toContain('Start to fetch params');
    expect(progress.at(-1)).toEqual({ progress: 1, text: `${F16} ready on webgpu` });
    expect(fake.loadedModel).toBe(F16);
    expect(engine.info()).toEqual({
      engine: 'webllm',
      model: F16,
      device: 'webgpu',
      fallback: null,
      capabilities: {
        batchedSampling: false,
        logprobs: true,
        topLogprobs: 5,
        seededSampling: true,
        contextLength: 4096,
        confidenceToken: false,
        continueAssistant: false,
      },
    });
  });

  it('loads the q4f32 build when the adapter lacks shader-f16, and says so', async () => {
    const { engine, fake } = await setup({}, gpu(false));
    expect(fake.loadedModel).toBe(F32);
    expect(engine.info().model).toBe(F32);
    expect(engine.info().fallback).toBe(`shader-f16 unavailable; using ${F32}`);
  });

  it('refuses without WebGPU, pointing to transformers for WASM', async () => {
    const noGpu = async (): Promise<GpuProbe> => ({ available: false, shaderF16: false, reason: 'navigator.gpu is missing' });
    const error = await setup({}, noGpu).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceUnavailableError);
    expect(String((error as Error).message)).toMatch(/WebGPU is required for WebLLM.*transformers/);

    const fake = new FakeMLCEngine({ script: () => 'x' });
    const wasm = createWebLlmEngine(
      { model: findModel(F16), device: 'wasm' },
      { createEngine: (id, c) => fake.load(id, c), probeGpu: gpu() },
    );
    await expect(wasm).rejects.toBeInstanceOf(DeviceUnavailableError);
    expect(fake.loadedModel).toBeNull();
  });

  it('reports load failures as EngineError, naming DeviceLostError', async () => {
    const fake = new FakeMLCEngine({ script: () => 'x' });
    fake.loadError = Object.assign(new Error('The WebGPU device was lost while loading the model.'), { name: 'DeviceLostError' });
    const load = createWebLlmEngine(
      { model: findModel(F16), device: 'auto' },
      { createEngine: (id, c) => fake.load(id, c), probeGpu: gpu() },
    );
    await expect(load).rejects.toBeInstanceOf(EngineError);
    await expect(load).rejects.toThrow(/DeviceLostError: The WebGPU device was lost/);
  });
});

describe('WebLLM adapter: generate', () => {
  it('runs n rows as sequential streamed requests with distinct seeds', async () => {
    const { engine, fake } = await setup();
    const streamed: Array<[number, string]> = [];
    const out = await engine.generate(params({ n: 3, onToken: (row, t) => streamed.push([row, t]) }));

    expect(fake.requests).toHaveLength(3);
    for (const [row, request] of fake.requests.entries()) {
      expect(request).toMatchObject({ stream: true, logprobs: true, top_logprobs: 5, temperature: 0.7, max_tokens: 64 });
      // The model's own sampling defaults (mlc-chat-config) are overridden with the plain distribution.
      expect(request).toMatchObject({ top_p: 1, repetition_penalty: 1, frequency_penalty: 0, presence_penalty: 0 });
      expect(request.seed).toBe(rowSeed(11, row));
      expect(request.n ?? 1).toBe(1);
    }
    // One lock holder at a time: each request is released before the next is taken.
    expect(fake.log).toEqual(['acquire', 'release', 'acquire', 'release', 'acquire', 'release']);

    expect(out.generations.map((g) => g.text)).toEqual([0, 1, 2].map((row) => `answer ${rowSeed(11, row)}`));
    for (const g of out.generations) {
      expect(g.finishReason).toBe('stop');
      expect(g.steps.map((s) => s.token)).toEqual(g.text.match(/\s*\S+/g)); // end-of-sequence excluded
      for (const s of g.steps) expect(s.logprob).toBeCloseTo(Math.log(0.8 ** (1 / 0.7) / sumTempered(0.7)), 6);
    }
    expect(streamed.filter(([row]) => row === 2).map(([, t]) => t).join('')).toBe(out.generations[2]!.text);
    expect(out.promptTokens).toBe(2); // the usage chunk's prompt_tokens ("user: hi")
  });

  it('fills watched tokens from top_logprobs and omits those WebLLM did not report', async () => {
    const { engine } = await setup({
      script: () => 'Y',
      distribution: () => ({ Y: 0.7, N: 0.2, maybe: 0.1 }),
    });
    const out = await engine.generate(params({ temperature: 1, watchTokens: ['Y', 'N', '<CN>'] }));
    const [step] = out.generations[0]!.steps;
    expect(out.generations[0]!.steps).toHaveLength(1);
    expect(step!.watched!.Y).toBeCloseTo(Math.log(0.7));
    expect(step!.watched!.N).toBeCloseTo(Math.log(0.2));
    expect(step!.watched).not.toHaveProperty('<CN>');
  });

  it('reports the one-hot logprobs WebLLM gives at temperature 0', async () => {
    const { engine, fake } = await setup({ script: () => 'Y', distribution: () => ({ Y: 0.6, N: 0.4 }) });
    const out = await engine.generate(params({ temperature: 0, watchTokens: ['N'] }));
    expect(fake.requests[0]!.temperature).toBe(0);
    expect(out.generations[0]!.steps[0]).toEqual({ token: 'Y', logprob: 0, watched: { N: -Infinity } });
  });

  it('uses text completion for raw prompts', async () => {
    const { engine, fake } = await setup({ script: (input) => (typeof input === 'string' ? ' 4' : 'chat') });
    const out = await engine.generate(params({ prompt: { text: '2+2=' } }));
    expect(out.generations[0]!.text).toBe(' 4');
    expect(fake.requests[0]).toMatchObject({ prompt: '2+2=', stream: true });
  });

  it('stops at maxTokens with finish reason length', async () => {
    const { engine } = await setup({ script: () => words(10) });
    const out = await engine.generate(params({ maxTokens: 3 }));
    expect(out.generations[0]).toMatchObject({ text: 'w0 w1 w2', finishReason: 'length' });
    expect(out.generations[0]!.steps).toHaveLength(3);
  });

  it('rejects topK, which WebLLM has not, as an InvalidRequestError naming the field, before any request', async () => {
    const { engine, fake } = await setup();
    const error = await engine.generate(params({ topK: 40 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ path: 'sampling.topK' });
    expect((error as Error).message).toMatch(/sampling\.topK.*no top-k/);
    expect(fake.requests).toHaveLength(0);
  });

  it('rejects continueFinal, which the WebLLM chat API cannot do, naming the field', async () => {
    const { engine, fake } = await setup();
    const prompt = { messages: [...ask('2+2?').messages, { role: 'assistant' as const, content: '4. Wait,' }], continueFinal: true };
    const error = await engine.generate(params({ prompt })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ path: 'prompt.continueFinal' });
    expect(fake.requests).toHaveLength(0);
  });

  it('reports the top alternatives WebLLM gives, most probable first, capped at its 5', async () => {
    const dist = { ' b': 0.05, ' a': 0.6, ' c': 0.2, ' d': 0.1, ' e': 0.03, ' f': 0.02 };
    const { engine, fake } = await setup({ script: () => ' a c', distribution: () => dist });
    const out = await engine.generate(params({ temperature: 1, topLogprobs: 3 }));
    expect(fake.requests[0]).toMatchObject({ logprobs: true, top_logprobs: 5 });
    const steps = out.generations[0]!.steps;
    expect(steps).toHaveLength(2);
    for (const step of steps) {
      expect(step.top!.map((t) => t.token)).toEqual([' a', ' c', ' d']);
      expect(step.top!.map((t) => t.logprob)).toEqual([0.6, 0.2, 0.1].map((p) => expect.closeTo(Math.log(p), 6)));
    }

    const many = await engine.generate(params({ temperature: 1, topLogprobs: 20 }));
    expect(many.generations[0]!.steps[0]!.top!.map((t) => t.token)).toEqual([' a', ' c', ' d', ' b', ' e']);
    expect(engine.info().capabilities.topLogprobs).toBe(5);

    const none = await engine.generate(params({ temperature: 1 }));
    expect(none.generations[0]!.steps[0]).not.toHaveProperty('top');
  });

  it('maps a context-window overflow to ContextLengthError and keeps working', async () => {
    const { engine, fake } = await setup({ contextWindow: 8 });
    const error = await engine.generate(params({ prompt: ask(words(20)) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContextLengthError);
    expect((error as ContextLengthError).details).toEqual({ promptTokens: 21, contextLength: 8 });
    expect(fake.lockHeld).toBe(false);
    await expect(engine.generate(params())).resolves.toBeTruthy();
  });

  it('dispose unloads the model', async () => {
    const { engine, fake } = await setup();
    await engine.dispose();
    expect(fake.unloaded).toBe(true);
    await expect(engine.generate(params())).rejects.toBeInstanceOf(EngineError);
  });
});

describe('WebLLM adapter: abort and the engine-wide interrupt', () => {
  const slow = { script: () => words(40), stepMs: 10 };

  it('rejects promptly on abort, and the next request runs in full', async () => {
    const { engine, fake } = await setup(slow);
    const controller = new AbortController();
    const started = Date.now();
    const aborted = engine.generate(params({ signal: controller.signal, onToken: abortAfter(controller, 3) }));
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(200); // 40 tokens would take ~400 ms
    expect(fake.log).toContain('interrupt');

    const tokens: string[] = [];
    const next = await engine.generate(params({ onToken: (_r, t) => tokens.push(t) }));
    expect(next.generations[0]).toMatchObject({ text: words(40), finishReason: 'stop' });
    expect(tokens.join('')).toBe(words(40));
    expect(fake.lockHeld).toBe(false);
  });

  it('waits for the aborted stream to wind down before starting the next request', async () => {
    const { engine, fake } = await setup(slow);
    const controller = new AbortController();
    const aborted = engine.generate(params({ signal: controller.signal, onToken: abortAfter(controller, 2) }));
    const next = engine.generate(params());
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    await expect(next).resolves.toMatchObject({ generations: [{ text: words(40) }] });
    // The second request took the lock only after the first released it; never two at once.
    expect(fake.log).toEqual(['acquire', 'interrupt', 'release', 'acquire', 'release']);
  });

  it('survives an interrupt that lands after the last token (WebLLM #447)', async () => {
    const { engine, fake } = await setup({ script: () => 'a b c', stepMs: 5 });
    const controller = new AbortController();
    // Aborting on the last token raises the interrupt while the end-of-sequence step is running: that stream
    // ends normally and never sees the flag, which then stops the next generation after its first token.
    await expect(engine.generate(params({ signal: controller.signal, onToken: abortAfter(controller, 3) }))).rejects.toBeInstanceOf(
      AbortError,
    );
    const tokens: string[] = [];
    const next = await engine.generate(params({ onToken: (_r, t) => tokens.push(t) }));
    expect(next.generations[0]).toMatchObject({ text: 'a b c', finishReason: 'stop' });
    expect(tokens).toEqual(['a', ' b', ' c']); // the cut-short attempt streamed nothing
    expect(fake.requests).toHaveLength(3); // aborted, cut short by the stale interrupt, retried
  });

  it('releases the lock when it leaves a stream early', async () => {
    const { engine, fake } = await setup(slow);
    const failing = engine.generate(
      params({
        onToken: () => {
          throw new Error('listener failed');
        },
      }),
    );
    await expect(failing).rejects.toThrow('listener failed');
    await expect(engine.generate(params({ n: 2 }))).resolves.toMatchObject({ generations: [{}, {}] });
    expect(fake.lockHeld).toBe(false);
  });

  it('does not start when already aborted', async () => {
    const { engine, fake } = await setup();
    await expect(engine.generate(params({ signal: AbortSignal.abort() }))).rejects.toBeInstanceOf(AbortError);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('the fake keeps WebLLM quirks the adapter must handle', () => {
  async function loaded(options: Partial<FakeMlcOptions> = {}) {
    const fake = new FakeMLCEngine({ script: () => 'a b c', ...options });
    await fake.load('m', { initProgressCallback: () => {} });
    return fake;
  }

  it('an abandoned stream holds the lock, so the next one never starts', async () => {
    const fake = await loaded();
    const first = await fake.chatCompletion({ ...ask('x'), stream: true });
    await first[Symbol.asyncIterator]().next(); // then abandoned
    const second = (await fake.chatCompletion({ ...ask('x'), stream: true }))[Symbol.asyncIterator]().next();
    const winner = await Promise.race([second.then(() => 'ran'), new Promise((r) => setTimeout(() => r('blocked'), 50))]);
    expect(winner).toBe('blocked');
    expect(fake.lockHeld).toBe(true);
  });

  it('an unconsumed interrupt stops the next generation', async () => {
    const fake = await loaded();
    fake.interruptGenerate();
    const chunks = [];
    for await (const chunk of await fake.chatCompletion({ ...ask('x'), stream: true })) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean)).toEqual(['abort']);
  });

  it('streaming with n > 1 throws, and logprobs need top_logprobs >= 1', async () => {
    const fake = await loaded();
    await expect(fake.chatCompletion({ ...ask('x'), stream: true, n: 2 })).rejects.toThrow(/n/);
    const chunks = [];
    for await (const chunk of await fake.chatCompletion({ ...ask('x'), stream: true, logprobs: true })) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.logprobs).toEqual({ content: [] });
  });
});

function sumTempered(t: number): number {
  return [0.8, 0.08, 0.06, 0.04, 0.02].reduce((s, p) => s + p ** (1 / t), 0);
}

