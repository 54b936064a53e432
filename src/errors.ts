/**
 * Every failure the runtime reports is one of these named classes. They are part of the public API and
 * survive the worker boundary (see `serializeError` / `deserializeError`): a page can `instanceof` them.
 */

export type ErrorDetails = Record<string, string | number | boolean | string[] | null>;

export class SecondThoughtError extends Error {
  // Spelled out per class: minifiers rename classes, and `name` is what survives postMessage.
  override name = 'SecondThoughtError';
  readonly details: ErrorDetails;
  constructor(message: string, details: ErrorDetails = {}) {
    super(message);
    this.details = details;
  }
}

/**
 * A short, safe quote of any value for an error message: a string cut to `max` characters (saying how long
 * it was), anything else described without calling its own code (no getters, no `toString`), so quoting a
 * hostile value can neither throw nor echo a megabyte.
 */
export function excerpt(value: unknown, max = 60): string {
  if (typeof value === 'string') return value.length <= max ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, max))}… (${value.length} characters)`;
  if (typeof value === 'bigint') return `${String(value).slice(0, max)}n`;
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? `an array of ${value.length}` : 'an object';
}

/** Cuts long keys in a path, and long paths: a path names a place, it need not carry a megabyte key with it. */
function boundPath(path: string): string {
  const steps = path.split('.').map((step) => (step.length > 40 ? `${step.slice(0, 40)}…` : step));
  const joined = steps.join('.');
  return joined.length > 300 ? `${joined.slice(0, 300)}…` : joined;
}

/** A request or spec failed validation; `path` names the offending field, e.g. `strategy.then.n`. */
export class InvalidRequestError extends SecondThoughtError {
  override name = 'InvalidRequestError';
  readonly path: string;
  constructor(path: string, problem: string) {
    const bounded = boundPath(path);
    const said = problem.length > 300 ? `${problem.slice(0, 300)}…` : problem;
    super(`Invalid request at "${bounded || '(root)'}": ${said}`, { path: bounded, problem: said });
    this.path = bounded;
  }
}

export class ModelNotFoundError extends SecondThoughtError {
  override name = 'ModelNotFoundError';
  readonly model: string;
  readonly known: string[];
  constructor(model: string, known: string[]) {
    super(`Unknown model ${excerpt(model, 100)}. Known models: ${known.join(', ')}`, { model: model.slice(0, 300), known });
    this.model = model;
    this.known = known;
  }
}

export class ContextLengthError extends SecondThoughtError {
  override name = 'ContextLengthError';
  constructor(promptTokens: number, contextLength: number) {
    super(
      `Prompt is ${promptTokens} tokens but the model's context holds ${contextLength} (with room for at least one new token)`,
      { promptTokens, contextLength },
    );
  }
}

/** Thrown when the caller's AbortSignal fires. Named like the DOM's, so `err.name === 'AbortError'` checks work. */
export class AbortError extends SecondThoughtError {
  override name = 'AbortError';
  constructor(message = 'The operation was aborted') {
    super(message);
  }
}

/** The requested device cannot be used (e.g. `device: 'webgpu'` where there is no adapter). */
export class DeviceUnavailableError extends SecondThoughtError {
  override name = 'DeviceUnavailableError';
}

/** The engine failed to load a model or to generate. */
export class EngineError extends SecondThoughtError {
  override name = 'EngineError';
}

/** The runtime was used after `dispose()`. */
export class RuntimeDisposedError extends SecondThoughtError {
  override name = 'RuntimeDisposedError';
  constructor() {
    super('This runtime has been disposed');
  }
}

/**
 * The runtime's worker died or failed to start. Every pending call settles with this; the next call starts
 * a fresh worker, unless that restart failed too, in which case every call fails at once with this error.
 */
export class WorkerCrashedError extends SecondThoughtError {
  override name = 'WorkerCrashedError';
}

/**
 * The result store (IndexedDB) failed: it could not open, was blocked, timed out or is missing its store.
 * The cache answers a miss and counts it (`cache.stats().faults`); callers of `solve()` never see this.
 * `kind` is the DOM's name for the failure where there is one (`NotFoundError`, `TimeoutError`, …).
 */
export class StorageError extends SecondThoughtError {
  override name = 'StorageError';
  readonly kind: string;
  constructor(message: string, kind: string, options?: { cause?: unknown }) {
    super(message, { kind });
    this.kind = kind;
    if (options?.cause !== undefined) Object.assign(this, { cause: options.cause });
  }
}

type ErrorClass = new (...args: never[]) => SecondThoughtError;

const errorClasses: Record<string, ErrorClass> = {
  SecondThoughtError,
  InvalidRequestError,
  ModelNotFoundError,
  ContextLengthError,
  AbortError,
  DeviceUnavailableError,
  EngineError,
  RuntimeDisposedError,
  WorkerCrashedError,
  StorageError,
};

export interface SerializedError {
  name: string;
  message: string;
  details: ErrorDetails;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof SecondThoughtError) {
    return { name: error.name, message: error.message, details: error.details, stack: error.stack };
  }
  if (error instanceof Error) {
    return { name: error.name, message: error.message, details: {}, stack: error.stack };
  }
  return { name: 'Error', message: String(error), details: {} };
}

/** Rebuilds the named class on the receiving side, so `instanceof` and `name` both hold after a postMessage. */
export function deserializeError(data: SerializedError): Error {
  const Known = errorClasses[data.name];
  let error: Error;
  if (Known) {
    error = Object.create(Known.prototype) as SecondThoughtError;
    Object.assign(error, { details: data.details });
    if ('path' in data.details) Object.assign(error, { path: data.details.path });
    if ('model' in data.details) Object.assign(error, { model: data.details.model, known: data.details.known });
  } else {
    error = new Error();
  }
  Object.defineProperty(error, 'message', { value: data.message, writable: true, configurable: true });
  Object.defineProperty(error, 'name', { value: data.name, writable: true, configurable: true });
  if (data.stack) Object.defineProperty(error, 'stack', { value: data.stack, writable: true, configurable: true });
  return error;
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError();
}

/**
 * A remote engine (an OpenAI-compatible server) failed: an error status, a refused or dropped connection,
 * a timeout, or a reply we cannot read. `status` is the HTTP status, or null when no response came. The
 * message carries a short excerpt of the server's own error text, never a credential (see
 * `engine/openai-http.ts`). `status` and `retryable` are read from `details`, so both survive the worker
 * boundary without a special case in `deserializeError`.
 */
export class RemoteEngineError extends EngineError {
  override name = 'RemoteEngineError';
  get status(): number | null {
    const status = this.details.status;
    return typeof status === 'number' ? status : null;
  }
  /** Whether the failure is of a kind a retry may fix (429, 5xx, network, timeout), whether or not retries are left. */
  get retryable(): boolean {
    return this.details.retryable === true;
  }
}

/**
 * The request needs token log-probabilities (watched tokens, top-k alternatives) that this engine cannot
 * report, e.g. an Ollama `/v1` endpoint that drops `logprobs`. Thrown rather than returning numbers that
 * are not there: a confidence must never be made up.
 */
export class LogprobsUnavailableError extends EngineError {
  override name = 'LogprobsUnavailableError';
}

/**
 * The GPU device the model ran on was lost mid-call (WebGPU `device.lost`: a driver reset, a GPU process
 * crash, memory pressure on mobile, or `GPUDevice.destroy()`). The runtime reloads the model on WASM where it
 * can run there and retries once (`info().fallback` then says why); where it cannot, this reaches the caller.
 * `reason` is WebGPU's (`'destroyed'` or `'unknown'`).
 */
export class DeviceLostError extends EngineError {
  override name = 'DeviceLostError';
  get reason(): string {
    return typeof this.details.reason === 'string' ? this.details.reason : 'unknown';
  }
}

// Registered here rather than in the table above: class declarations are not hoisted, and these come last.
Object.assign(errorClasses, { RemoteEngineError, LogprobsUnavailableError, DeviceLostError });
