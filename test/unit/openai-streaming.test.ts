import { describe, expect, it } from 'vitest';
import { AbortError, RemoteEngineError } from '../../src/errors.js';
import { params, useOpenAIFixtures } from '../helpers/openai-engine.js';

/** Streaming over SSE (onToken), abort, and what a broken stream does. */

const { setup } = useOpenAIFixtures();


function collector() {
  const seen: [number, string][] = [];
  return { seen, onToken: (row: number, token: string) => void seen.push([row, token]), text: (row: number) => seen.filter(([r]) => r === row).map(([, t]) => t).join('') };
}

describe('OpenAI engine: streaming', () => {
  it('streams with onToken; the result equals the unstreamed one, prompt tokens from the usage chunk', async () => {
    for (const mode of ['vllm', 'openai'] as const) {
      const { engine, calls } = await setup({ mode });
      const plain = await engine.generate(params({ watchTokens: ['<CN>', '<UN>'], topLogprobs: 3 }));
      const tokens = collector();
      const streamed = await engine.generate(params({ watchTokens: ['<CN>', '<UN>'], topLogprobs: 3, onToken: tokens.onToken }));
      expect(streamed).toEqual(plain);
      expect(tokens.seen).toEqual([[0, '9'], [0, '3'], [0, '6']]);
      expect(calls()[1]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    }
  });

  it('streams n rows of one request and of split requests, each under its own row number', async () => {
    const { engine } = await setup({ mode: 'vllm' });
    const tokens = collector();
    const out = await engine.generate(params({ n: 3, temperature: 1, seed: 4, onToken: tokens.onToken }));
    out.generations.forEach((g, row) => expect(tokens.text(row)).toBe(g.text));

    const { engine: single } = await setup({ mode: 'llama-server', legacyN: true });
    const split = collector();
    const out2 = await single.generate(params({ n: 3, temperature: 1, seed: 4, prompt: { text: '<s>12*12=' }, onToken: split.onToken }));
    out2.generations.forEach((g, row) => expect(split.text(row)).toBe(g.text));
    expect(new Set(split.seen.map(([row]) => row))).toEqual(new Set([0, 1, 2]));
  });

  it('an abort mid-stream rejects with AbortError and closes the HTTP request', async () => {
    const { engine, server, calls } = await setup({ mode: 'vllm', tokenDelayMs: 40 });
    const control = new AbortController();
    const started = Date.now();
    const result = engine.generate(params({ signal: control.signal, onToken: () => control.abort() }));
    await expect(result).rejects.toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 100));
    expect(calls()).toHaveLength(1);
    expect(calls()[0]!.closedEarly).toBe(true);
    expect(server.requests.length).toBeGreaterThan(0);
  });

  it('dispose() ends a call in flight (and its HTTP request) with an EngineError, not a caller AbortError', async () => {
    const { engine, calls } = await setup({ mode: 'vllm', tokenDelayMs: 40 });
    const result = engine.generate(params({ onToken: () => void engine.dispose() }));
    await expect(result).rejects.toThrow(/disposed during the request/);
    await new Promise((r) => setTimeout(r, 100));
    expect(calls()[0]!.closedEarly).toBe(true);
  });

  it('an abort before the call sends nothing', async () => {
    const { engine, calls } = await setup({ mode: 'vllm' });
    await expect(engine.generate(params({ signal: AbortSignal.abort() }))).rejects.toBeInstanceOf(AbortError);
    expect(calls()).toHaveLength(0);
  });

  it('a connection dropped after tokens went out is an error, not a retry (they would go out twice)', async () => {
    // Paced, so the chunks before the drop reach the client rather than die in the socket's buffer.
    const { engine, server, calls } = await setup({ mode: 'vllm', tokenDelayMs: 10 });
    server.inject({ kind: 'drop', afterChunks: 3 });
    const tokens = collector();
    const error = await engine.generate(params({ onToken: tokens.onToken })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteEngineError);
    expect((error as RemoteEngineError).status).toBeNull();
    expect((error as Error).message).toMatch(/not retried: part of the reply had already reached the caller/);
    expect(tokens.seen.length).toBeGreaterThan(0);
    expect(calls()).toHaveLength(1);
  });

  it('a connection dropped before any text is retried', async () => {
    const { engine, server, calls } = await setup({ mode: 'vllm' });
    server.inject({ kind: 'drop', afterChunks: 0 });
    server.inject({ kind: 'drop', afterChunks: 1 }); // only the role chunk got through: still no text
    const tokens = collector();
    const out = await engine.generate(params({ onToken: tokens.onToken }));
    expect(out.generations[0]!.text).toBe('936');
    expect(tokens.text(0)).toBe('936');
    expect(calls()).toHaveLength(3);
  });

  it('a stream that ends without [DONE] or finish reasons is a broken reply', async () => {
    const { engine, server } = await setup({ mode: 'vllm' }, { maxRetries: 0 });
    server.inject({ kind: 'end-early', afterChunks: 2 });
    await expect(engine.generate(params({ onToken: () => {} }))).rejects.toThrow(/ended before the server finished/);
  });

  it('an error object streamed mid-reply is a typed error with its status and message', async () => {
    const { engine, server } = await setup({ mode: 'llama-server' });
    server.inject({ kind: 'stream-error', afterChunks: 2, status: 500, message: 'slot crashed' });
    const error = await engine.generate(params({ onToken: () => {} })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteEngineError);
    expect((error as RemoteEngineError).status).toBe(500);
    expect((error as Error).message).toMatch(/slot crashed/);
  });

  it('the timeout is on silence: a slow stream that keeps talking is not cut, one that stops is', async () => {
    const { engine, server } = await setup({ mode: 'vllm', tokenDelayMs: 60 }, { timeoutMs: 250, maxRetries: 0 });
    // Eight chunks at 60 ms: longer than the timeout in all, never silent for that long.
    const out = await engine.generate(params({ onToken: () => {} }));
    expect(out.generations[0]!.text).toBe('936');
    server.inject({ kind: 'hang' });
    const error = await engine.generate(params({ onToken: () => {} })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteEngineError);
    expect((error as RemoteEngineError).details).toMatchObject({ timeout: true, status: null });
  });

  it('llama-server sends no chunk for a token without text, so a call watching tokens is not streamed there', async () => {
    const { engine, calls } = await setup({ mode: 'llama-server' });
    const tokens = collector();
    const out = await engine.generate(params({ watchTokens: ['<CN>', '<UN>'], onToken: tokens.onToken }));
    expect(calls()[0]!.body!.stream).toBeUndefined();
    expect(out.generations[0]!.steps.map((s) => s.token)).toEqual(['9', '3', '6', '<CN>']);
    expect(tokens.seen).toEqual([[0, '9'], [0, '3'], [0, '6']]);
    // Unwatched, it streams, and the special token's step is missing as the server sent it.
    const streamed = await engine.generate(params({ onToken: () => {} }));
    expect(calls()[1]!.body!.stream).toBe(true);
    expect(streamed.generations[0]!.steps.map((s) => s.token)).toEqual(['9', '3', '6']);
  });
});
