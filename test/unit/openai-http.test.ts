import { describe, expect, it } from 'vitest';
import { createHttp, createLane, type HttpSettings } from '../../src/engine/openai-http.js';
import { createOpenAIEngine } from '../../src/engine/openai.js';
import { AbortError, deserializeError, RemoteEngineError, serializeError } from '../../src/errors.js';
import { startOpenAIServer } from '../helpers/openai-server.js';
import { params, useOpenAIFixtures } from '../helpers/openai-engine.js';

/** Retries, timeouts, abort, concurrency, typed errors, and an API key that never shows. */

const { setup, startServer } = useOpenAIFixtures();


describe('OpenAI engine: retries', () => {
  it('429 waits as long as retry-after says, then succeeds', async () => {
    const { engine, server, calls } = await setup({ mode: 'vllm' });
    server.inject({ kind: 'status', status: 429, retryAfter: '0.3' });
    const started = Date.now();
    const out = await engine.generate(params());
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(out.generations[0]!.text).toBe('936');
    expect(calls()).toHaveLength(2);
  });

  it('a retry-after longer than the longest wait fails at once, with the status and the wait asked for', async () => {
    const { engine, server, calls } = await setup({ mode: 'vllm' }, { maxRetryDelayMs: 1000 });
    server.inject({ kind: 'status', status: 429, retryAfter: '120' });
    const error = await engine.generate(params()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteEngineError);
    expect((error as RemoteEngineError).status).toBe(429);
    expect((error as RemoteEngineError).details.retryAfterMs).toBe(120_000);
    expect(calls()).toHaveLength(1);
  });

  it('5xx then success; 5xx past maxRetries fails saying how many attempts', async () => {
    const { engine, server, calls } = await setup({ mode: 'vllm' });
    server.inject({ kind: 'status', status: 503 }, { times: 2 });
    expect((await engine.generate(params())).generations[0]!.text).toBe('936');
    expect(calls()).toHaveLength(3);
    server.inject({ kind: 'status', status: 502, message: 'bad gateway' }, { times: 3 });
    const error = await engine.generate(params()).catch((e: unknown) => e);
    expect((error as RemoteEngineError).status).toBe(502);
    expect((error as Error).message).toMatch(/502.*bad gateway.*after 3 attempts/);
    expect(calls()).toHaveLength(6);
  });

  it('never retries another 4xx', async () => {
    for (const status of [400, 401, 403, 404, 422]) {
      const { engine, server, calls } = await setup({ mode: 'vllm' });
      server.inject({ kind: 'status', status, message: 'no' });
      const error = await engine.generate(params()).catch((e: unknown) => e);
      expect((error as RemoteEngineError).status).toBe(status);
      expect((error as RemoteEngineError).retryable).toBe(false);
      expect(calls()).toHaveLength(1);
    }
  });

  it('retries a refused or dropped connection', async () => {
    const { engine, server, calls } = await setup({ mode: 'vllm' });
    server.inject({ kind: 'drop', afterChunks: 0 });
    expect((await engine.generate(params())).generations[0]!.text).toBe('936');
    expect(calls()).toHaveLength(2);
  });

  it('a load against a closed port fails with a network error, status null', async () => {
    const server = await startOpenAIServer({ mode: 'vllm' });
    await server.close();
    const error = await createOpenAIEngine({ baseUrl: server.url, model: 'tiny-arith', retryDelayMs: 1, maxRetries: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteEngineError);
    expect((error as RemoteEngineError).status).toBeNull();
    expect((error as Error).message).toMatch(/GET \/v1\/models failed.*after 2 attempts/);
  });

  it('an abort during the backoff rejects at once and sends nothing more', async () => {
    const { engine, server, calls } = await setup({ mode: 'vllm' }, { retryDelayMs: 5000 });
    server.inject({ kind: 'status', status: 503 }, { times: 5 });
    const control = new AbortController();
    setTimeout(() => control.abort(), 100);
    const started = Date.now();
    await expect(engine.generate(params({ signal: control.signal }))).rejects.toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(calls()).toHaveLength(1);
  });

  it('a per-request timeout, retried like a network failure', async () => {
    const { engine, server, calls } = await setup({ mode: 'vllm' }, { timeoutMs: 150, maxRetries: 1 });
    server.inject({ kind: 'hang' });
    expect((await engine.generate(params())).generations[0]!.text).toBe('936');
    expect(calls()).toHaveLength(2);
  });

  it('backs off exponentially with jitter (at least half of each doubled step)', async () => {
    const times: number[] = [];
    const settings: HttpSettings = {
      root: 'http://test.invalid',
      fetch: async () => {
        times.push(Date.now());
        return new Response('{"error":{"message":"busy"}}', { status: 503 });
      },
      timeoutMs: 1000,
      maxRetries: 3,
      retryDelayMs: 40,
      maxRetryDelayMs: 10_000,
      random: () => 0,
    };
    await expect(createHttp(settings).json('GET', '/x')).rejects.toBeInstanceOf(RemoteEngineError);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps).toHaveLength(3);
    // With the jitter at its lowest, each wait is half of a step that doubles: 20, 40, 80 ms.
    [20, 40, 80].forEach((least, i) => expect(gaps[i]!).toBeGreaterThanOrEqual(least - 2));
  });

  it('honours retry-after-ms and an HTTP date', async () => {
    let calls = 0;
    const replies = [
      new Response('{}', { status: 429, headers: { 'retry-after-ms': '30' } }),
      new Response('{}', { status: 429, headers: { 'retry-after': new Date(Date.now() + 1500).toUTCString() } }),
      new Response('{"ok":true}', { status: 200 }),
    ];
    const http = createHttp({ root: 'http://t.invalid', fetch: async () => replies[calls++]!, timeoutMs: 5000, maxRetries: 3, retryDelayMs: 1, maxRetryDelayMs: 10_000 });
    const started = Date.now();
    expect(await http.json('GET', '/x')).toEqual({ ok: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });
});

describe('OpenAI engine: concurrency', () => {
  it('the lane runs at most maxConcurrency tasks, and a waiter whose signal aborts leaves the queue', async () => {
    const run = createLane(2);
    let active = 0;
    let peak = 0;
    let ran = 0;
    const task = async () => {
      active++;
      ran++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 20));
      active--;
    };
    const first = [run(task), run(task)];
    const control = new AbortController();
    const waiting = run(task, control.signal);
    const later = [run(task), run(task)];
    control.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    await Promise.all([...first, ...later]);
    expect(peak).toBe(2);
    expect(ran).toBe(4);
  });

  it('split n requests run in parallel, never more than maxConcurrency at once', async () => {
    const { engine, calls } = await setup({ mode: 'llama-server', legacyN: true, tokenDelayMs: 15 }, { maxConcurrency: 2 });
    const rows = new Set<number>();
    await engine.generate(params({ n: 5, temperature: 1, seed: 1, onToken: (row) => rows.add(row) }));
    expect(rows.size).toBe(5);
    const spans = calls().map((c) => [c.receivedAt, c.finishedAt!] as const);
    const overlap = (t: number) => spans.filter(([a, b]) => a <= t && t < b).length;
    const peak = Math.max(...spans.map(([a]) => overlap(a)));
    expect(peak).toBe(2);
  });
});

describe('OpenAI engine: errors and secrets', () => {
  const KEY = 'sk-test-0123456789abcdef';

  it('a wrong key is a 401, not retried, and the key the server echoes back is redacted everywhere', async () => {
    const server = await startServer({ mode: 'openai', apiKey: 'sk-the-right-one' });
    const error = await createOpenAIEngine({ baseUrl: server.url, model: 'tiny-arith', apiKey: KEY, retryDelayMs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteEngineError);
    expect((error as RemoteEngineError).status).toBe(401);
    expect(server.requests).toHaveLength(1);
    // It was sent, where it belongs.
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    const serialized = serializeError(error);
    const everything = JSON.stringify([serialized, (error as Error).message, (error as Error).stack, (error as RemoteEngineError).details]);
    expect(everything).not.toContain(KEY);
    expect((error as Error).message).toContain('Incorrect API key provided: [redacted]');
  });

  it('the key is in no info(), server report, output, progress or error text of a working engine', async () => {
    const progress: string[] = [];
    const headers = { 'x-proxy-token': 'proxy-secret-xyz' };
    const { engine, server } = await setup({ mode: 'vllm', apiKey: KEY }, { apiKey: KEY, headers, onProgress: (e) => progress.push(e.text) });
    const out = await engine.generate(params({ watchTokens: ['<CN>', '<UN>'] }));
    server.inject({ kind: 'status', status: 400, message: `bad request from ${KEY} via proxy-secret-xyz` });
    const error = await engine.generate(params()).catch((e: unknown) => e);
    const seen = JSON.stringify([engine.info(), engine.server(), out, progress, serializeError(error), Object.keys(engine)]);
    expect(seen).not.toContain(KEY);
    expect(seen).not.toContain('proxy-secret-xyz');
    expect(server.requests.every((r) => r.headers.authorization === `Bearer ${KEY}` && r.headers['x-proxy-token'] === 'proxy-secret-xyz')).toBe(true);
  });

  it('refuses credentials inside the base URL (fetch would quote the URL in its error)', async () => {
    await expect(createOpenAIEngine({ baseUrl: 'http://user:sk-pass@127.0.0.1:1/v1', model: 'x' })).rejects.toThrow(/must not carry credentials/);
  });

  it('errors carry a short excerpt of the server message, and their status survives the worker boundary', async () => {
    const { engine, server } = await setup({ mode: 'llama-server' });
    server.inject({ kind: 'status', status: 400, message: 'x'.repeat(5000) });
    const error = (await engine.generate(params()).catch((e: unknown) => e)) as RemoteEngineError;
    expect(error.message.length).toBeLessThan(320);
    expect(error.message).toMatch(/^The server answered 400 .* to POST \/v1\/chat\/completions: x+…$/);
    const back = deserializeError(structuredClone(serializeError(error)));
    expect(back).toBeInstanceOf(RemoteEngineError);
    expect((back as RemoteEngineError).status).toBe(400);
    expect((back as RemoteEngineError).retryable).toBe(false);
  });
});
