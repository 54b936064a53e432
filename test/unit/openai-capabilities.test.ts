import { describe, expect, it } from 'vitest';
import { createOpenAIEngine } from '../../src/engine/openai.js';
import { InvalidRequestError, RemoteEngineError } from '../../src/errors.js';
import type { ProgressEvent } from '../../src/types.js';
import { type FixtureServer } from '../helpers/openai-server.js';
import { useOpenAIFixtures } from '../helpers/openai-engine.js';

/** Loading an `engine: 'openai'`: which server it is, and what it can do, learned before any strategy runs. */

const { setup, startServer } = useOpenAIFixtures();

const generations = (server: FixtureServer) => server.requests.filter((r) => r.path.startsWith('/v1/') && r.path !== '/v1/models');

describe('OpenAI engine: capabilities from the load-time probe', () => {
  it('vLLM: n honoured, logprobs with 20 alternatives, context from /v1/models, confidence tokens from /tokenize', async () => {
    const { engine } = await setup({ mode: 'vllm' });
    expect(engine.info()).toEqual({
      engine: 'openai',
      model: 'tiny-arith',
      device: 'cpu',
      fallback: null,
      capabilities: {
        batchedSampling: true,
        logprobs: true,
        topLogprobs: 20,
        seededSampling: true,
        contextLength: 64,
        confidenceToken: true,
        continueAssistant: true,
      },
    });
    expect(engine.server().kind).toBe('vllm');
  });

  it('probes each endpoint once with one token, n = 2 and logprobs', async () => {
    const { server } = await setup({ mode: 'vllm' });
    const probes = generations(server);
    expect(probes.map((r) => r.path).sort()).toEqual(['/v1/chat/completions', '/v1/completions']);
    for (const probe of probes) expect(probe.body).toMatchObject({ max_tokens: 1, n: 2 });
    expect(probes.find((r) => r.path === '/v1/chat/completions')!.body).toMatchObject({ logprobs: true, top_logprobs: 20 });
    expect(probes.find((r) => r.path === '/v1/completions')!.body).toMatchObject({ logprobs: 20 });
  });

  it('llama-server: detected by owned_by, slots from /props cap n, ids in logprobs', async () => {
    const { engine, server } = await setup({ mode: 'llama-server', slots: 3 });
    expect(engine.server()).toMatchObject({
      kind: 'llama-server',
      endpoints: { chat: { maxChoices: 3, logprobs: true, topLogprobs: 20 }, completions: { maxChoices: 3 } },
    });
    expect(engine.info().capabilities).toMatchObject({ batchedSampling: true, continueAssistant: true, contextLength: 64, confidenceToken: true });
    expect(server.requests.some((r) => r.path === '/props')).toBe(true);
  });

  it('older llama-server that refuses n > 1: batchedSampling false, and the probe is not retried as a 500', async () => {
    const { engine, server } = await setup({ mode: 'llama-server', legacyN: true });
    expect(engine.info().capabilities.batchedSampling).toBe(false);
    expect(engine.server().endpoints.chat.maxChoices).toBe(1);
    // One refused probe and one with n = 1 per endpoint: a deterministic refusal is not retried.
    expect(generations(server)).toHaveLength(4);
  });

  it('llama-server with one slot: "more than the slots" refusal caps n at 1', async () => {
    const { engine } = await setup({ mode: 'llama-server', slots: 1 });
    expect(engine.server().endpoints.chat.maxChoices).toBe(1);
    expect(engine.info().capabilities.batchedSampling).toBe(false);
  });

  it('Ollama: detected by /api/version; n ignored and logprobs dropped are both reported, counts are estimates', async () => {
    const { engine } = await setup({ mode: 'ollama' });
    expect(engine.info().capabilities).toEqual({
      batchedSampling: false,
      logprobs: false,
      topLogprobs: 0,
      seededSampling: true,
      contextLength: 4096,
      confidenceToken: false,
      continueAssistant: false,
    });
    // One a digit, four characters a token otherwise: 4 + ceil(5 / 4).
    expect(await engine.countTokensDetailed({ text: '<s>12+34=' })).toEqual({ tokens: 6, exact: false });
    expect(engine.server().exactTokenCounts).toBe(false);
  });

  it('OpenAI proper: no extra fields, seed best effort, completions capped at 5 alternatives after a refusal', async () => {
    const { engine, server } = await setup({ mode: 'openai' });
    expect(engine.info().capabilities).toMatchObject({ seededSampling: false, continueAssistant: false, topLogprobs: 5, logprobs: true });
    expect(engine.server().endpoints).toMatchObject({ chat: { topLogprobs: 20 }, completions: { topLogprobs: 5 } });
    for (const r of generations(server)) expect(Object.keys(r.body!)).not.toContain('top_k');
  });

  it('vLLM with a lower --max-logprobs: asks again with the number the refusal names', async () => {
    const { engine } = await setup({ mode: 'vllm', maxLogprobs: 8 });
    expect(engine.info().capabilities.topLogprobs).toBe(8);
  });

  it('accepts the base URL with or without /v1 and trailing slashes', async () => {
    const server = await startServer({ mode: 'vllm' });
    for (const baseUrl of [server.url, `${server.url}/`, `${server.url}/v1`, `${server.url}/v1/`, `${server.url}/v1?api-version=1`]) {
      const engine = await createOpenAIEngine({ baseUrl, model: 'tiny-arith', probe: false });
      expect(engine.server().kind).toBe('vllm');
    }
    expect(server.requests.every((r) => !r.path.includes('/v1/v1'))).toBe(true);
  });

  it('refuses a base URL that is not http(s)', async () => {
    await expect(createOpenAIEngine({ baseUrl: 'localhost:8080', model: 'x' })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(createOpenAIEngine({ baseUrl: 'file:///tmp', model: 'x' })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('an unknown model fails the load with the server 404, typed', async () => {
    const server = await startServer({ mode: 'vllm' });
    const error = await createOpenAIEngine({ baseUrl: server.url, model: 'nope', retryDelayMs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteEngineError);
    expect((error as RemoteEngineError).status).toBe(404);
    expect((error as Error).message).toMatch(/does not exist/);
  });

  it('probe: false assumes the best and skips the probe requests; the server kind can be forced', async () => {
    const { engine, server } = await setup({ mode: 'llama-server' }, { probe: false, server: 'llama-server', confidenceToken: false });
    expect(generations(server)).toHaveLength(0);
    expect(engine.info().capabilities).toMatchObject({ logprobs: true, topLogprobs: 20, confidenceToken: false });
  });

  it('options override the context length and the confidence-token guess', async () => {
    const { engine } = await setup({ mode: 'vllm' }, { contextLength: 32, confidenceToken: false });
    expect(engine.info().capabilities).toMatchObject({ contextLength: 32, confidenceToken: false });
  });

  it('reports progress with the host, never a credential', async () => {
    const progress: ProgressEvent[] = [];
    const { server } = await setup({ mode: 'vllm', apiKey: 'sk-secret-123' }, { apiKey: 'sk-secret-123', onProgress: (e) => progress.push(e) });
    const host = new URL(server.url).host;
    expect(progress.at(0)).toEqual({ progress: 0, text: `Connecting to ${host}` });
    expect(progress.at(-1)).toEqual({ progress: 1, text: `tiny-arith ready on vllm at ${host}` });
    expect(JSON.stringify(progress)).not.toContain('sk-secret-123');
  });

  it('counts tokens with the server tokenizer where there is one', async () => {
    const { engine: vllm } = await setup({ mode: 'vllm' });
    expect(await vllm.countTokensDetailed({ text: '<s>12+34=' })).toEqual({ tokens: 7, exact: true });
    expect(await vllm.countTokens({ messages: [{ role: 'user', content: '12+34' }] })).toBe(7);
    const { engine: llama, server } = await setup({ mode: 'llama-server' });
    expect(await llama.countTokensDetailed({ messages: [{ role: 'user', content: '12+34' }] })).toEqual({ tokens: 7, exact: true });
    expect(server.requests.some((r) => r.path === '/apply-template')).toBe(true);
    expect(llama.server().exactTokenCounts).toBe(true);
  });

  it('the fixture answers CORS preflights for authorization and content-type (for a browser page)', async () => {
    const server = await startServer({ mode: 'llama-server', apiKey: 'k-1234' });
    const origin = 'http://localhost:5173';
    const preflight = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    const models = await fetch(`${server.url}/v1/models`, { headers: { origin, authorization: 'Bearer k-1234' } });
    expect(models.headers.get('access-control-allow-origin')).toBe(origin);
  });
});
