import { describe, expect, it } from 'vitest';
import { confidenceTokenScore } from '../../src/confidence/signals.js';
import { type OpenAIParams } from '../../src/engine/openai.js';
import { ContextLengthError, EngineError } from '../../src/errors.js';
import { SCRIPTED } from '../helpers/openai-fixture-models.js';
import { useOpenAIFixtures } from '../helpers/openai-engine.js';

/** Generation against the fixture's scripted oracle: `<s>347+589=` → `936<CN></s>`, each token at p = 0.8. */

const { setup } = useOpenAIFixtures();

const LP = Math.log(SCRIPTED.main);
const LP_DISTRACTOR = Math.log(SCRIPTED.distractor);
const chat = (content: string): OpenAIParams['prompt'] => ({ messages: [{ role: 'user', content }] });
const params = (overrides: Partial<OpenAIParams> = {}): OpenAIParams => ({ prompt: chat('347+589'), n: 1, temperature: 0, maxTokens: 8, ...overrides });

describe('OpenAI engine: steps and log-probabilities', () => {
  it('chat on vLLM: text without special tokens, steps with them, the EOS position left out', async () => {
    const { engine } = await setup({ mode: 'vllm' });
    const out = await engine.generate(params());
    expect(out.promptTokens).toBe(9);
    const [g] = out.generations;
    expect(g!.text).toBe('936');
    expect(g!.finishReason).toBe('stop');
    expect(g!.steps.map((s) => s.token)).toEqual(['9', '3', '6', '<CN>']);
    for (const step of g!.steps) expect(step.logprob).toBeCloseTo(LP, 12);
    expect(g!.steps[0]!.top).toBeUndefined();
    expect(g!.steps[0]!.watched).toBeUndefined();
  });

  it('watched tokens read from the alternatives give the Self-REF score', async () => {
    const { engine, calls } = await setup({ mode: 'vllm' });
    const [g] = (await engine.generate(params({ watchTokens: ['<CN>', '<UN>'] }))).generations;
    const at = g!.steps[3]!;
    expect(at.watched!['<CN>']).toBeCloseTo(LP, 12);
    expect(at.watched!['<UN>']).toBeCloseTo(LP_DISTRACTOR, 12);
    expect(confidenceTokenScore(g!.steps, { confident: '<CN>', unsure: '<UN>' })).toBeCloseTo(SCRIPTED.main / (SCRIPTED.main + SCRIPTED.distractor), 12);
    // Watching asks for as many alternatives as the server gives.
    expect(calls()[0]!.body).toMatchObject({ logprobs: true, top_logprobs: 20 });
  });

  it('top alternatives only when asked, most probable first, k as asked', async () => {
    const { engine, calls } = await setup({ mode: 'vllm' });
    const [g] = (await engine.generate(params({ topLogprobs: 2 }))).generations;
    expect(g!.steps[0]!.top).toEqual([
      { token: '9', logprob: expect.closeTo(LP, 12) as number },
      { token: '0', logprob: expect.closeTo(LP_DISTRACTOR, 12) as number },
    ]);
    expect(calls()[0]!.body).toMatchObject({ top_logprobs: 2 });
    await engine.generate(params());
    // Nothing asked: one alternative still, the least that makes every server send the chosen token's number.
    expect(calls()[1]!.body).toMatchObject({ logprobs: true, top_logprobs: 1 });
  });

  it('a watched token outside the top k has no number: absent, not guessed', async () => {
    const { engine } = await setup({ mode: 'vllm', maxLogprobs: 1 });
    expect(engine.info().capabilities.topLogprobs).toBe(1);
    const [g] = (await engine.generate(params({ watchTokens: ['<CN>', '<UN>'] }))).generations;
    expect(g!.steps[3]!.watched).toEqual({ '<CN>': expect.closeTo(LP, 12) as number });
    expect(confidenceTokenScore(g!.steps, { confident: '<CN>', unsure: '<UN>' })).toBeNull();
  });

  it('raw text on vLLM /v1/completions: the legacy logprobs shape reads the same, with no second BOS', async () => {
    const { engine, calls } = await setup({ mode: 'vllm' });
    const [g] = (await engine.generate(params({ prompt: { text: '<s>347+589=' }, watchTokens: ['<CN>', '<UN>'], topLogprobs: 2 }))).generations;
    expect(g!.text).toBe('936');
    expect(g!.steps.map((s) => s.token)).toEqual(['9', '3', '6', '<CN>']);
    expect(g!.steps[3]!.watched!['<UN>']).toBeCloseTo(LP_DISTRACTOR, 12);
    expect(g!.steps[0]!.top!.map((a) => a.token)).toEqual(['9', '0']);
    expect(calls()[0]!.body).toMatchObject({ prompt: '<s>347+589=', logprobs: 20, add_special_tokens: false });
  });

  it('llama-server renders <CN> as "": found by id (from /tokenize) and named', async () => {
    const { engine, server } = await setup({ mode: 'llama-server' });
    const [g] = (await engine.generate(params({ watchTokens: ['<CN>', '<UN>'] }))).generations;
    expect(g!.steps.map((s) => s.token)).toEqual(['9', '3', '6', '<CN>']);
    expect(confidenceTokenScore(g!.steps, { confident: '<CN>', unsure: '<UN>' })).toBeCloseTo(0.8 / 0.95, 12);
    expect(server.requests.filter((r) => r.path === '/tokenize').map((r) => r.body!.content)).toEqual(['<CN>', '<UN>']);
    // Without watched tokens nothing names the special token: it stays as the server spelled it.
    const [plain] = (await engine.generate(params({ prompt: { text: '<s>347+589=' } }))).generations;
    expect(plain!.steps.map((s) => s.token)).toEqual(['9', '3', '6', '']);
  });

  it('finish "length" keeps every token', async () => {
    const { engine } = await setup({ mode: 'llama-server' });
    const [g] = (await engine.generate(params({ maxTokens: 2 }))).generations;
    expect(g).toMatchObject({ text: '93', finishReason: 'length' });
    expect(g!.steps).toHaveLength(2);
  });

  it('stop sequences go to the server and end the text before them', async () => {
    const { engine, calls } = await setup({ mode: 'vllm' });
    const [g] = (await engine.generate(params({ stop: ['6'] }))).generations;
    expect(g).toMatchObject({ text: '93', finishReason: 'stop' });
    expect(calls()[0]!.body!.stop).toEqual(['6']);
  });
});

describe('OpenAI engine: n, in one request or several', () => {
  it('vLLM takes n in one request', async () => {
    const { engine, calls } = await setup({ mode: 'vllm' });
    const out = await engine.generate(params({ n: 4, temperature: 1, seed: 3 }));
    expect(out.generations).toHaveLength(4);
    expect(calls()).toHaveLength(1);
    expect(calls()[0]!.body).toMatchObject({ n: 4, seed: 3 });
  });

  it('llama-server with 2 slots: n = 5 becomes requests of 2, 2 and 1 with seeds of their own', async () => {
    const { engine, calls } = await setup({ mode: 'llama-server', slots: 2 });
    const out = await engine.generate(params({ n: 5, temperature: 1, seed: 3 }));
    expect(out.generations).toHaveLength(5);
    const bodies = calls().map((c) => c.body!);
    expect(bodies.map((b) => b.n ?? 1).sort()).toEqual([1, 2, 2]);
    expect(new Set(bodies.map((b) => b.seed)).size).toBe(3);
    expect(bodies.map((b) => b.seed)).toContain(3);
  });

  it('older llama-server: parallel single requests, capabilities say so', async () => {
    const { engine, calls } = await setup({ mode: 'llama-server', legacyN: true }, { maxConcurrency: 2 });
    const out = await engine.generate(params({ n: 3, temperature: 1, seed: 9 }));
    expect(out.generations.map((g) => g.text).every((t) => t.length > 0)).toBe(true);
    expect(calls()).toHaveLength(3);
    expect(calls().every((c) => c.body!.n === undefined)).toBe(true);
    expect(engine.info().capabilities.batchedSampling).toBe(false);
  });

  it('without the probe, a refusal of n is learned on first use and remembered', async () => {
    const { engine, calls } = await setup({ mode: 'llama-server', legacyN: true }, { probe: false });
    expect(engine.info().capabilities.batchedSampling).toBe(true);
    await engine.generate(params({ n: 2 }));
    // The refused request (a 500, not retried) and two single ones.
    expect(calls().map((c) => c.body!.n ?? 1)).toEqual([2, 1, 1]);
    expect(engine.info().capabilities.batchedSampling).toBe(false);
    await engine.generate(params({ n: 2 }));
    expect(calls()).toHaveLength(5);
  });

  it('without the probe, fewer choices than asked (Ollama ignores n) are made up by more requests, and remembered', async () => {
    const { engine, calls } = await setup({ mode: 'ollama' }, { probe: false });
    const out = await engine.generate(params({ n: 3, temperature: 1, seed: 1 }));
    expect(out.generations).toHaveLength(3);
    // One choice back from n = 3: the limit is 1 from then on, so the two missing rows go one a request.
    expect(calls().map((c) => c.body!.n ?? 1)).toEqual([3, 1, 1]);
    expect(engine.server().endpoints.chat.maxChoices).toBe(1);
    expect(engine.info().capabilities.batchedSampling).toBe(false);
  });

  it('a seed reproduces the samples; temperature 0 is sent as 0', async () => {
    const { engine, calls } = await setup({ mode: 'vllm' });
    const a = await engine.generate(params({ n: 6, temperature: 1.5, seed: 42 }));
    const b = await engine.generate(params({ n: 6, temperature: 1.5, seed: 42 }));
    expect(b.generations).toEqual(a.generations);
    await engine.generate(params());
    expect(calls()[2]!.body!.temperature).toBe(0);
  });
});

describe('OpenAI engine: sampling fields and open turns per server', () => {
  it('vLLM and llama-server take top_k (and pinned penalties); unset, top_k is disabled', async () => {
    const { engine: vllm, calls: vllmCalls } = await setup({ mode: 'vllm' });
    await vllm.generate(params({ topK: 3, topP: 0.9 }));
    await vllm.generate(params());
    expect(vllmCalls()[0]!.body).toMatchObject({ top_k: 3, top_p: 0.9, min_p: 0, repetition_penalty: 1 });
    expect(vllmCalls()[1]!.body).toMatchObject({ top_k: -1, top_p: 1 });
    const { engine: llama, calls: llamaCalls } = await setup({ mode: 'llama-server' });
    await llama.generate(params({ topK: 3 }));
    await llama.generate(params());
    expect(llamaCalls()[0]!.body).toMatchObject({ top_k: 3, min_p: 0, repeat_penalty: 1 });
    expect(llamaCalls()[1]!.body).toMatchObject({ top_k: 0 });
  });

  it('OpenAI and Ollama refuse topK rather than drop it', async () => {
    for (const mode of ['openai', 'ollama'] as const) {
      const { engine, calls } = await setup({ mode });
      await expect(engine.generate(params({ topK: 3 }))).rejects.toThrow(/topK is not supported/);
      expect(calls()).toHaveLength(0);
    }
  });

  it('continueFinal: vLLM gets continue_final_message, llama-server the open turn as is; the model continues', async () => {
    const open: OpenAIParams['prompt'] = { messages: [{ role: 'user', content: '347+589' }, { role: 'assistant', content: '93' }], continueFinal: true };
    const { engine: vllm, calls: vllmCalls } = await setup({ mode: 'vllm' });
    expect((await vllm.generate(params({ prompt: open }))).generations[0]!.text).toBe('6');
    expect(vllmCalls()[0]!.body).toMatchObject({ continue_final_message: true, add_generation_prompt: false });
    const { engine: llama, calls: llamaCalls } = await setup({ mode: 'llama-server' });
    expect((await llama.generate(params({ prompt: open }))).generations[0]!.text).toBe('6');
    expect(llamaCalls()[0]!.body).not.toHaveProperty('continue_final_message');
  });

  it('continueFinal is refused where the server starts a new turn, and without an assistant message last', async () => {
    const open: OpenAIParams['prompt'] = { messages: [{ role: 'user', content: '1+1' }, { role: 'assistant', content: '' }], continueFinal: true };
    const { engine } = await setup({ mode: 'openai' });
    await expect(engine.generate(params({ prompt: open }))).rejects.toThrow(/continueFinal is not supported on openai/);
    const { engine: vllm } = await setup({ mode: 'vllm' });
    await expect(vllm.generate(params({ prompt: { ...chat('1+1'), continueFinal: true } }))).rejects.toBeInstanceOf(EngineError);
  });
});

describe('OpenAI engine: context limits', () => {
  it('vLLM refuses max_tokens past the context: sent again once, cut to what fits', async () => {
    const { engine, calls } = await setup({ mode: 'vllm' });
    const [g] = (await engine.generate(params({ maxTokens: 100 }))).generations;
    expect(g!.text).toBe('936');
    expect(calls().map((c) => c.body!.max_tokens)).toEqual([100, 64 - 9]);
  });

  it('a prompt that does not fit is a ContextLengthError with the server numbers (vLLM and llama-server)', async () => {
    const long = chat('1'.repeat(70) + '+1');
    for (const mode of ['vllm', 'llama-server'] as const) {
      const { engine, calls } = await setup({ mode });
      const error = await engine.generate(params({ prompt: long })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContextLengthError);
      expect((error as ContextLengthError).details).toEqual({ promptTokens: 74, contextLength: 64 });
      expect(calls()).toHaveLength(1);
    }
  });

  it('a disposed engine refuses to generate', async () => {
    const { engine } = await setup({ mode: 'vllm' });
    await engine.dispose();
    await expect(engine.generate(params())).rejects.toThrow(/disposed/);
  });
});
