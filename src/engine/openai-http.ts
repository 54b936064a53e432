/**
 * The HTTP lane of the OpenAI-compatible engine: one place that sends requests, so that retries, timeouts,
 * cancellation, concurrency and the hiding of credentials are decided once.
 *
 * - Retries: 429 (honouring `retry-after` / `retry-after-ms`), 5xx, and network failures (refused or dropped
 *   connections, our own timeout), with exponential backoff and jitter. Never another 4xx (the request itself
 *   is wrong: repeating it cannot help), never after the caller's abort, and never once a streamed reply has
 *   handed tokens to the caller (a retry would hand them out twice; `canRetry` says so).
 * - Timeout: per attempt, and for a stream per silence: it restarts whenever bytes arrive (`touch`), so a
 *   long generation that keeps streaming is not cut, but a server that stops talking is.
 * - Abort: the caller's signal aborts the fetch (and with it the stream), a backoff sleep and a wait for a
 *   lane; each rejects with our `AbortError`.
 * - Secrets: the API key travels only in the Authorization header. Messages name the path, never the base
 *   URL (it may hold credentials), and every text that came from the server is passed through `redact`,
 *   which removes the key and the values of the caller's headers (a proxy may echo them back).
 */
import { AbortError, RemoteEngineError, SecondThoughtError } from '../errors.js';

export interface HttpSettings {
  /** The server's root (no trailing slash, no `/v1`). */
  root: string;
  apiKey?: string;
  headers?: Record<string, string>;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  maxRetries: number;
  /** First backoff step; later ones double. */
  retryDelayMs: number;
  /** No wait is longer than this; a `retry-after` beyond it fails at once rather than stalling the caller. */
  maxRetryDelayMs: number;
  random?: () => number;
}

export interface ReadContext {
  /** Aborts with the caller's signal and with the timeout. */
  signal: AbortSignal;
  /** Call when bytes arrive: restarts the silence timeout. */
  touch: () => void;
}

export interface SendRequest<T> {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  signal?: AbortSignal;
  /** Overrides the engine's retry count (0 for probes of optional endpoints). */
  maxRetries?: number;
  /** Reads a 2xx response. A network failure while reading is retried like one before the response. */
  read: (response: Response, context: ReadContext) => Promise<T>;
  /** Asked before each retry; false when a retry would repeat what the caller has already seen. */
  canRetry?: () => boolean;
  /** Errors that look transient by their status but are not (older llama-server refuses `n > 1` with a 500). */
  permanent?: (error: RemoteEngineError) => boolean;
}

export type JsonOptions = Pick<SendRequest<unknown>, 'signal' | 'maxRetries' | 'permanent'>;

export interface Http {
  send<T>(request: SendRequest<T>): Promise<T>;
  /** JSON in, JSON out. */
  json(method: 'GET' | 'POST', path: string, body?: unknown, options?: JsonOptions): Promise<unknown>;
  redact(text: string): string;
}

const EXCERPT_CHARS = 200;

export function createHttp(settings: HttpSettings): Http {
  const secrets = [settings.apiKey, ...Object.values(settings.headers ?? {})].filter(
    (s): s is string => typeof s === 'string' && s.length >= 4,
  );
  const random = settings.random ?? Math.random;

  function redact(text: string): string {
    let out = text;
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  }

  function headers(hasBody: boolean): Headers {
    const h = new Headers(settings.headers);
    if (hasBody) h.set('content-type', 'application/json');
    if (settings.apiKey) h.set('authorization', `Bearer ${settings.apiKey}`);
    return h;
  }

  async function send<T>(request: SendRequest<T>): Promise<T> {
    const maxRetries = request.maxRetries ?? settings.maxRetries;
    const where = `${request.method} ${request.path}`;
    for (let attempt = 0; ; attempt++) {
      if (request.signal?.aborted) throw new AbortError();
      const attemptControl = new AbortController();
      let timedOut = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const touch = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          attemptControl.abort();
        }, settings.timeoutMs);
      };
      const onAbort = () => attemptControl.abort();
      request.signal?.addEventListener('abort', onAbort, { once: true });
      touch();
      try {
        const response = await settings.fetch(`${settings.root}${request.path}`, {
          method: request.method,
          headers: headers(request.body !== undefined),
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          signal: attemptControl.signal,
        });
        touch();
        if (!response.ok) throw await statusError(response, where, redact);
        return await request.read(response, { signal: attemptControl.signal, touch });
      } catch (cause) {
        if (request.signal?.aborted) throw new AbortError();
        const error = classify(cause, where, timedOut, settings.timeoutMs, redact);
        if (!(error instanceof RemoteEngineError) || !error.retryable || request.permanent?.(error)) throw error;
        const wait = backoff(error, attempt, settings, random);
        if (request.canRetry?.() === false) throw new RemoteEngineError(`${error.message} (not retried: part of the reply had already reached the caller)`, error.details);
        if (attempt >= maxRetries || wait === null) throw exhausted(error, attempt);
        await sleep(wait, request.signal);
      } finally {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
      }
    }
  }

  return {
    send,
    redact,
    json: (method, path, body, options = {}) =>
      send({ method, path, body, ...options, read: async (response) => parseJson(await response.text(), where(method, path)) }),
  };
}

function where(method: string, path: string): string {
  return `${method} ${path}`;
}

export function parseJson(text: string, at: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RemoteEngineError(`The server's reply to ${at} is not JSON: ${excerpt(text)}`, { status: 200, retryable: false });
  }
}

/** A non-2xx response as a typed error with the status and a short, redacted excerpt of the server's message. */
async function statusError(response: Response, at: string, redact: (s: string) => string): Promise<RemoteEngineError> {
  const text = await response.text().catch(() => '');
  const message = redact(excerpt(serverMessage(text)));
  const status = response.status;
  const retryAfterMs = parseRetryAfter(response.headers);
  const retryable = status === 429 || status >= 500;
  const details: Record<string, number | boolean | string> = { status, retryable, serverMessage: message };
  if (retryAfterMs !== null) details.retryAfterMs = retryAfterMs;
  Object.assign(details, serverNumbers(text));
  const statusText = response.statusText ? ` ${response.statusText}` : '';
  return new RemoteEngineError(`The server answered ${status}${statusText} to ${at}${message ? `: ${message}` : ''}`, details);
}

/** The error text of the usual shapes: OpenAI/llama-server `{error: {message}}`, vLLM `{message}`, Ollama `{error: "…"}`, FastAPI `{detail}`. */
export function serverMessage(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const error = body.error;
    if (typeof error === 'string') return error;
    if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
      return (error as { message: string }).message;
    }
    if (typeof body.message === 'string') return body.message;
    if (body.detail !== undefined) return typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail);
  } catch {
    // Not JSON (a proxy's HTML page, plain text): the text itself, shortened.
  }
  return text;
}

/** llama-server puts the context numbers beside its message: `{error: {n_prompt_tokens, n_ctx}}`. */
function serverNumbers(text: string): Record<string, number> {
  try {
    const error = (JSON.parse(text) as { error?: Record<string, unknown> }).error;
    const out: Record<string, number> = {};
    for (const key of ['n_prompt_tokens', 'n_ctx']) {
      const value = error?.[key];
      if (typeof value === 'number') out[key] = value;
    }
    return out;
  } catch {
    return {};
  }
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat;
}

function parseRetryAfter(headers: Headers): number | null {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (value === null) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** Anything thrown while sending or reading, as our error: ours pass through, the rest are network failures. */
function classify(cause: unknown, at: string, timedOut: boolean, timeoutMs: number, redact: (s: string) => string): Error {
  if (cause instanceof SecondThoughtError) return cause;
  if (timedOut) {
    return new RemoteEngineError(`${at} timed out after ${timeoutMs} ms without a reply`, { status: null, retryable: true, timeout: true });
  }
  const reason = cause instanceof Error ? `${cause.message}${causeOf(cause)}` : String(cause);
  return new RemoteEngineError(`${at} failed: ${redact(excerpt(reason))}`, { status: null, retryable: true });
}

function causeOf(error: Error): string {
  const inner = (error as { cause?: unknown }).cause;
  return inner instanceof Error ? ` (${inner.message})` : '';
}

/** Milliseconds to wait before the next attempt, or null when the server asks for longer than we wait. */
function backoff(error: RemoteEngineError, attempt: number, settings: HttpSettings, random: () => number): number | null {
  const asked = error.details.retryAfterMs;
  if (typeof asked === 'number') return asked > settings.maxRetryDelayMs ? null : asked;
  const step = Math.min(settings.maxRetryDelayMs, settings.retryDelayMs * 2 ** attempt);
  // "Equal jitter": at least half the step, so retries never bunch at zero, spread over the other half.
  return step / 2 + random() * (step / 2);
}

function exhausted(error: RemoteEngineError, attempt: number): RemoteEngineError {
  if (attempt === 0) return error;
  const details = { ...error.details, attempts: attempt + 1 };
  return new RemoteEngineError(`${error.message} (after ${attempt + 1} attempts)`, details);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError());
    const done = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * At most `max` tasks at a time, first come first served. A task waiting for its turn leaves the queue when
 * its signal aborts.
 */
export function createLane(max: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  // A finishing task hands its slot straight to the next in line, so a newcomer can never slip in between.
  const release = () => {
    const turn = waiting.shift();
    if (turn) turn();
    else running--;
  };
  return async function run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new AbortError();
    if (running < max) {
      running++;
    } else {
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const at = waiting.indexOf(turn);
          if (at !== -1) waiting.splice(at, 1);
          reject(new AbortError());
        };
        waiting.push(turn);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    try {
      return await task();
    } finally {
      release();
    }
  };
}
