import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatMessage } from '../../src/types.js';
import { arithmeticModel, type FixtureModel } from './openai-fixture-models.js';
import { sampleChoice, Shapes, type SampledChoice, type ServerMode } from './openai-fixture-shapes.js';

/**
 * A test OpenAI-compatible server on loopback (random port), speaking like llama-server, vLLM, Ollama or
 * OpenAI (see `openai-fixture-shapes.ts` for the shapes and where they come from), with faults on demand.
 * It is a fixture for the client, not a product: it serves a scripted arithmetic oracle by default and the
 * bundled tiny-arith model when given `tinyArithModel()`. CORS is open, with preflights answered, for a
 * browser test.
 */
export type { ServerMode } from './openai-fixture-shapes.js';

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; message?: string }
  /** Destroy the socket after this many SSE chunks (0: before any response). */
  | { kind: 'drop'; afterChunks: number }
  /** End the response cleanly after this many chunks, without `[DONE]`. */
  | { kind: 'end-early'; afterChunks: number }
  /** Stream this many chunks, then an error object in place of the next (as llama-server and vLLM do). */
  | { kind: 'stream-error'; afterChunks: number; status: number; message: string }
  /** Never answer. */
  | { kind: 'hang' };

export interface FixtureOptions {
  mode: ServerMode;
  model?: FixtureModel;
  modelName?: string;
  /** llama-server's `-np`: more choices per request are refused. Default 4. */
  slots?: number;
  /** llama-server before `n` support: any n ≠ 1 is refused with a 500. */
  legacyN?: boolean;
  /** Require `Authorization: Bearer <apiKey>`. A wrong key is echoed in the 401, as some proxies do. */
  apiKey?: string;
  /** vLLM's `--max-logprobs`. Default 20. */
  maxLogprobs?: number;
  /** Delay between streamed chunks. */
  tokenDelayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | null;
  /** The client went away before the response was complete. */
  closedEarly: boolean;
  receivedAt: number;
  /** When the response ended (or the connection closed); null while open. */
  finishedAt: number | null;
}

export interface FixtureServer {
  url: string;
  requests: RecordedRequest[];
  /** Queue a fault for the next `times` generation requests (or requests to `path`). */
  inject(fault: Fault, options?: { times?: number; path?: string }): void;
  options: FixtureOptions;
  close(): Promise<void>;
}

const GENERATION = ['/v1/chat/completions', '/v1/completions'];
const OPENAI_FIELDS = new Set(['model', 'messages', 'prompt', 'max_tokens', 'temperature', 'top_p', 'n', 'seed', 'stop', 'stream', 'stream_options', 'logprobs', 'top_logprobs', 'user', 'presence_penalty', 'frequency_penalty']);

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly payload: unknown,
  ) {
    super(typeof payload === 'string' ? payload : JSON.stringify(payload));
  }
}

export async function startOpenAIServer(options: FixtureOptions): Promise<FixtureServer> {
  const model = options.model ?? arithmeticModel();
  const modelName = options.modelName ?? 'tiny-arith';
  const shapes = new Shapes(options.mode, model);
  const requests: RecordedRequest[] = [];
  const faults: { fault: Fault; times: number; path?: string }[] = [];
  const mode = options.mode;

  const fail = (status: number, message: string, extra: Record<string, unknown> = {}) => {
    if (mode === 'ollama') return new HttpFailure(status, { error: message });
    if (mode === 'vllm') return new HttpFailure(status, { object: 'error', message, type: 'BadRequestError', param: null, code: status });
    return new HttpFailure(status, { error: { code: status, message, type: status >= 500 ? 'server_error' : 'invalid_request_error', ...extra } });
  };

  function takeFault(path: string): Fault | null {
    const at = faults.findIndex((f) => (f.path ? f.path === path : GENERATION.includes(path)));
    if (at === -1) return null;
    const entry = faults[at]!;
    if (--entry.times <= 0) faults.splice(at, 1);
    return entry.fault;
  }

  function promptOf(body: Record<string, unknown>, endpoint: 'chat' | 'completions'): number[] {
    if (endpoint === 'completions') return model.encode(String(body.prompt ?? ''));
    const messages = body.messages as ChatMessage[];
    if (mode === 'vllm' && body.continue_final_message === true && body.add_generation_prompt !== false) {
      throw fail(400, 'Cannot set both `continue_final_message` and `add_generation_prompt` to True.');
    }
    return model.encode(model.render(messages, messages.at(-1)?.role !== 'assistant'));
  }

  async function generate(endpoint: 'chat' | 'completions', body: Record<string, unknown>) {
    if (mode !== 'llama-server' && body.model !== modelName) throw fail(404, `The model \`${String(body.model)}\` does not exist.`);
    if (mode === 'openai') {
      const unknown = Object.keys(body).find((k) => !OPENAI_FIELDS.has(k));
      if (unknown) throw fail(400, `Unrecognized request argument supplied: ${unknown}`);
    }
    const asked = endpoint === 'chat' ? body.logprobs === true : typeof body.logprobs === 'number';
    const nTop = Number(endpoint === 'chat' ? (body.top_logprobs ?? 0) : (body.logprobs ?? 0));
    const limit = mode === 'vllm' ? (options.maxLogprobs ?? 20) : mode === 'openai' ? (endpoint === 'chat' ? 20 : 5) : Infinity;
    if (asked && nTop > limit) {
      throw fail(400, mode === 'vllm' ? `Requested sample logprobs of ${nTop}, which is greater than max allowed: ${limit}` : `logprobs must be at most ${limit}`);
    }
    let n = Number(body.n ?? 1);
    if (mode === 'llama-server' && options.legacyN && n !== 1) throw fail(500, 'Only one completion choice is allowed');
    if (mode === 'llama-server' && n > (options.slots ?? 4)) throw fail(400, 'n_cmpl cannot be greater than the number of slots, please increase -np');
    if (mode === 'ollama') n = 1;
    const prompt = promptOf(body, endpoint);
    const maxTokens = Number(body.max_tokens ?? 16);
    if (mode === 'vllm' && prompt.length + maxTokens > model.contextLength) {
      throw fail(400, `This model's maximum context length is ${model.contextLength} tokens. However, you requested ${prompt.length + maxTokens} tokens (${prompt.length} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`);
    }
    if (prompt.length >= model.contextLength) {
      throw fail(400, 'the request exceeds the available context size, try increasing it', { type: 'exceed_context_size_error', n_prompt_tokens: prompt.length, n_ctx: model.contextLength });
    }
    const topK = mode === 'vllm' || mode === 'llama-server' ? Number(body.top_k ?? 0) : 0;
    const sampling = {
      temperature: Number(body.temperature ?? 1),
      topK: topK > 0 ? topK : undefined,
      topP: body.top_p === undefined ? undefined : Number(body.top_p),
      seed: body.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(body.seed),
      maxTokens,
      nTop: asked ? Math.max(nTop, 1) : 0,
      stop: body.stop === undefined ? [] : ([body.stop].flat() as string[]),
    };
    const choices: SampledChoice[] = [];
    for (let row = 0; row < n; row++) choices.push(await sampleChoice(model, prompt, sampling, row));
    return { choices, asked, promptTokens: prompt.length };
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string, body: Record<string, unknown> | null, record: RecordedRequest) {
    const json = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method === 'GET' && path === '/v1/models') {
      const owned = { vllm: 'vllm', 'llama-server': 'llamacpp', ollama: 'library', openai: 'system' }[mode];
      const extra = mode === 'vllm' ? { max_model_len: model.contextLength } : mode === 'llama-server' ? { meta: { n_ctx_train: model.contextLength, n_vocab: model.vocab.length } } : {};
      return json(200, { object: 'list', data: [{ id: modelName, object: 'model', created: 0, owned_by: owned, ...extra }] });
    }
    if (req.method === 'GET' && path === '/props' && mode === 'llama-server') {
      return json(200, { default_generation_settings: { n_ctx: model.contextLength }, total_slots: options.slots ?? 4, bos_token: '<s>', eos_token: model.vocab[model.eos], build_info: 'b6000-fixture' });
    }
    if (req.method === 'GET' && path === '/api/version' && mode === 'ollama') return json(200, { version: '0.12.10' });
    if (req.method === 'POST' && path === '/tokenize' && body && (mode === 'llama-server' || mode === 'vllm')) {
      if (mode === 'llama-server') return json(200, { tokens: model.encode(String(body.content ?? '')) });
      const text = Array.isArray(body.messages) ? model.render(body.messages as ChatMessage[], body.add_generation_prompt !== false) : String(body.prompt ?? '');
      const tokens = model.encode(text);
      return json(200, { count: tokens.length, max_model_len: model.contextLength, tokens, token_strs: null });
    }
    if (req.method === 'POST' && path === '/apply-template' && body && mode === 'llama-server') {
      return json(200, { prompt: model.render(body.messages as ChatMessage[], true) });
    }
    const endpoint = path === '/v1/chat/completions' ? 'chat' : path === '/v1/completions' ? 'completions' : null;
    if (req.method !== 'POST' || !endpoint || !body) return json(404, { error: { code: 404, message: 'File Not Found', type: 'not_found_error' } });

    const fault = takeFault(path);
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'drop' && fault.afterChunks === 0) return void res.socket?.destroy();
    if (fault?.kind === 'status') {
      const failure = fail(fault.status, fault.message ?? (fault.status === 429 ? 'Rate limit reached' : 'Internal error, try again'));
      res.writeHead(failure.status, { 'content-type': 'application/json', ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}) });
      return void res.end(JSON.stringify(failure.payload));
    }
    const { choices, asked, promptTokens } = await generate(endpoint, body);
    if (body.stream !== true) return json(200, shapes.body(endpoint, choices, asked, modelName, promptTokens));

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const completionTokens = choices.reduce((s, c) => s + c.tokens.length, 0);
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    const usage = includeUsage ? { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } : null;
    const chunks = shapes.chunks(endpoint, choices, asked, usage);
    for (let i = 0; i < chunks.length; i++) {
      if (record.closedEarly) return;
      if (fault?.kind === 'drop' && i === fault.afterChunks) return void res.socket?.destroy();
      if (fault?.kind === 'end-early' && i === fault.afterChunks) return void res.end();
      if (fault?.kind === 'stream-error' && i === fault.afterChunks) {
        return void res.end(`data: ${JSON.stringify({ error: { code: fault.status, message: fault.message, type: 'server_error' } })}\n\n`);
      }
      res.write(`data: ${JSON.stringify(chunks[i])}\n\n`);
      if (options.tokenDelayMs) await new Promise((r) => setTimeout(r, options.tokenDelayMs));
    }
    res.end('data: [DONE]\n\n');
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    res.setHeader('access-control-expose-headers', 'retry-after');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'authorization, content-type',
        'access-control-max-age': '600',
      });
      return void res.end();
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> | null = null;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
      } catch {
        body = null;
      }
      const record: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, body, closedEarly: false, receivedAt: Date.now(), finishedAt: null };
      requests.push(record);
      // 'finish' (all written) comes before the client can have read the end; 'close' covers the rest.
      res.on('finish', () => (record.finishedAt = Date.now()));
      res.on('close', () => {
        record.finishedAt ??= Date.now();
        if (!res.writableFinished) record.closedEarly = true;
      });
      if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
        const given = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        res.writeHead(401, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${given}.`, type: 'invalid_request_error', code: 'invalid_api_key' } }));
      }
      route(req, res, path, body, record).catch((error: unknown) => {
        if (res.headersSent) return void res.destroy();
        const failure = error instanceof HttpFailure ? error : fail(500, String(error));
        res.writeHead(failure.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(failure.payload));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    options,
    inject: (fault, { times = 1, path } = {}) => void faults.push({ fault, times, path }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
