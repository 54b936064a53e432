import { describe, expect, it } from 'vitest';
import { meanLogprob, sequenceProbability } from '../../src/confidence/signals.js';
import { createAccumulator, readEntries, readReply, streamedError } from '../../src/engine/openai-parse.js';
import { toGeneration } from '../../src/engine/openai-steps.js';
import { deserializeError, LogprobsUnavailableError, RemoteEngineError, serializeError } from '../../src/errors.js';
import { params, useOpenAIFixtures } from '../helpers/openai-engine.js';

/**
 * A server that drops log-probabilities never yields a made-up confidence: capabilities say so (from the
 * probe, or from the first reply that lacked them), calls that need the numbers are refused with a typed
 * error, and calls that do not get `steps: []`, from which every confidence signal reads null.
 */

const { setup } = useOpenAIFixtures();


describe('OpenAI engine: a server without log-probabilities (Ollama /v1)', () => {
  it('known from the probe: watched tokens and alternatives are refused before any request', async () => {
    const { engine, calls } = await setup({ mode: 'ollama' });
    await expect(engine.generate(params({ watchTokens: ['<CN>', '<UN>'] }))).rejects.toBeInstanceOf(LogprobsUnavailableError);
    await expect(engine.generate(params({ topLogprobs: 3 }))).rejects.toBeInstanceOf(LogprobsUnavailableError);
    expect(calls()).toHaveLength(0);
  });

  it('a call that needs no numbers runs, asks for none, and has no steps: every signal reads null', async () => {
    const { engine, calls } = await setup({ mode: 'ollama' });
    const [g] = (await engine.generate(params())).generations;
    expect(g).toEqual({ text: '936', steps: [], finishReason: 'stop' });
    expect(calls()[0]!.body).not.toHaveProperty('logprobs');
    expect(meanLogprob(g!.steps)).toBeNull();
    expect(sequenceProbability(g!.steps)).toBeNull();
  });

  it('without the probe: the first reply without them degrades capabilities, and a call that needed them fails', async () => {
    const { engine, calls } = await setup({ mode: 'ollama' }, { probe: false });
    expect(engine.info().capabilities).toMatchObject({ logprobs: true, topLogprobs: 20 });
    const error = await engine.generate(params({ watchTokens: ['<CN>', '<UN>'] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogprobsUnavailableError);
    expect((error as Error).message).toMatch(/dropped the log-probabilities/);
    expect(engine.info().capabilities).toMatchObject({ logprobs: false, topLogprobs: 0 });
    expect(calls()).toHaveLength(1);
    await expect(engine.generate(params({ watchTokens: ['<CN>'] }))).rejects.toBeInstanceOf(LogprobsUnavailableError);
    expect(calls()).toHaveLength(1);
    expect((await engine.generate(params())).generations[0]!.steps).toEqual([]);
  });

  it('without the probe, a plain call that finds none returns no steps and degrades too', async () => {
    const { engine } = await setup({ mode: 'ollama' }, { probe: false });
    expect((await engine.generate(params({ prompt: { text: '<s>2+2=' } }))).generations[0]).toEqual({ text: '4', steps: [], finishReason: 'stop' });
    expect(engine.info().capabilities.logprobs).toBe(false);
  });

  it('LogprobsUnavailableError crosses the worker boundary', () => {
    const back = deserializeError(structuredClone(serializeError(new LogprobsUnavailableError('none'))));
    expect(back).toBeInstanceOf(LogprobsUnavailableError);
    expect(back.name).toBe('LogprobsUnavailableError');
  });
});

describe('OpenAI replies: parsing', () => {
  it('llama-server\'s smallest float and a null both read as -Infinity', () => {
    const entries = readEntries({
      content: [{ id: 5, token: 'a', logprob: -3.4028234663852886e38, top_logprobs: [{ id: 6, token: 'b', logprob: null }, { id: 5, token: 'a', logprob: -1 }] }],
    });
    expect(entries).toEqual([{ id: 5, token: 'a', logprob: -Infinity, top: [{ id: 5, token: 'a', logprob: -1 }, { id: 6, token: 'b', logprob: -Infinity }] }]);
  });

  it('the legacy completions shape: alternatives sorted, positions without them empty', () => {
    expect(readEntries({ tokens: ['x', 'y'], token_logprobs: [-0.1, -2], top_logprobs: [{ z: -3, x: -0.1 }, null], text_offset: [0, 1] })).toEqual([
      { token: 'x', logprob: -0.1, top: [{ token: 'x', logprob: -0.1 }, { token: 'z', logprob: -3 }] },
      { token: 'y', logprob: -2, top: [] },
    ]);
    expect(readEntries(null)).toBeNull();
    expect(readEntries({})).toBeNull();
  });

  it('a reply without choices, or with a broken entry, is a typed error', () => {
    expect(() => readReply({ object: 'error' })).toThrow(RemoteEngineError);
    expect(() => readReply({ choices: [{ text: 'a', logprobs: { content: [{ logprob: -1 }] } }] })).toThrow(/without a token/);
  });

  it('a finish reason other than stop or length is an error, not a guess', () => {
    for (const finish of ['abort', 'content_filter', null]) {
      expect(() => toGeneration({ index: 0, text: '', finish, entries: null }, { watch: [], watchIds: new Map(), top: 0, endTokens: new Set() })).toThrow(RemoteEngineError);
    }
  });

  it('streamed chunks fold into choices by index; the usage chunk gives the prompt tokens', () => {
    const texts: string[] = [];
    const acc = createAccumulator((i, t) => texts.push(`${i}:${t}`));
    acc.add({ choices: [{ index: 1, delta: { role: 'assistant', content: '' } }] });
    acc.add({ choices: [{ index: 1, delta: { content: 'b' }, logprobs: { content: [{ token: 'b', logprob: -1, top_logprobs: [] }] } }] });
    acc.add({ choices: [{ index: 0, text: 'a', logprobs: { tokens: ['a'], token_logprobs: [-2], top_logprobs: [{ a: -2 }] } }] });
    expect(acc.complete()).toBe(false);
    acc.add({ choices: [{ index: 0, finish_reason: 'length' }, { index: 1, finish_reason: 'stop' }] });
    acc.add({ choices: [], usage: { prompt_tokens: 7 } });
    expect(acc.complete()).toBe(true);
    expect(texts).toEqual(['1:b', '0:a']);
    expect(acc.reply()).toEqual({
      promptTokens: 7,
      choices: [
        { index: 0, text: 'a', finish: 'length', entries: [{ token: 'a', logprob: -2, top: [{ token: 'a', logprob: -2 }] }] },
        { index: 1, text: 'b', finish: 'stop', entries: [{ token: 'b', logprob: -1, top: [] }] },
      ],
    });
  });

  it('error objects in a stream, in the shapes servers send them', () => {
    expect(streamedError({ error: { code: 500, message: 'boom' } })).toEqual({ message: 'boom', status: 500 });
    expect(streamedError({ object: 'error', message: 'vllm says', code: 400 })).toEqual({ message: 'vllm says', status: 400 });
    expect(streamedError({ error: 'ollama says' })).toEqual({ message: 'ollama says', status: null });
    expect(streamedError({ choices: [] })).toBeNull();
  });
});
