import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import { AbortError, RuntimeDisposedError, WorkerCrashedError, throwIfAborted } from '../errors.js';
import { normalizeRequest } from '../request/schema.js';
import type { CacheStats, ProgressEvent, RuntimeInfo, SolveRequest, SolveResult, TraceEvent, VerifyInput } from '../types.js';
import { streamFrom } from './event-stream.js';
import type { Runtime } from './runtime.js';
import { installErrorTransfer } from './wire-errors.js';
import { isWorkerNotice, type RuntimeHost, type WireOptions, type WireResult } from './wire.js';

/** How the page starts the worker; called again for a fresh worker after one dies. */
export interface WorkerSource {
  spawn(): Worker;
  /** Added to the error when the worker cannot start (e.g. the CORS headers a cross-origin script needs). */
  startHint?: string;
}

interface Listening {
  onEvent?: (event: TraceEvent) => void;
  trace: TraceEvent[];
}

interface Connection {
  worker: Worker;
  host: Remote<RuntimeHost>;
  /** Settles every call in flight on this worker when it dies. */
  crashed: Promise<never>;
  kill(error: WorkerCrashedError): void;
}

let nextId = 0;

/**
 * A worker can die without an event: the browser terminates it (memory, a crashed GPU process) and the page
 * hears nothing. Both sides ask for one Web Lock: the worker holds it for life; the page's request is
 * granted only when the worker is gone. Where there are no Web Locks, the error event and the worker's
 * 'closing' notice are what tell.
 */
function watchLife(connection: Connection, die: (why: string) => void): void {
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
  if (!locks) return;
  const name = `second-thought-worker-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  void Promise.race([connection.host.hold(name), connection.crashed])
    .then((held) => {
      if (!held) return;
      // Granted once the worker's lock is released: when it has ended, however it ended.
      return locks.request(name, () => die("The runtime's worker ended"));
    })
    .catch(() => undefined);
}

/**
 * The page side of a worker-hosted runtime. Requests are validated and normalised here, once (errors are
 * immediate and need no round trip); the worker trusts them. Events arrive in batches beside comlink's
 * replies; the result arrives once. Signals and the verify callback are bridged, since neither can be
 * posted to a worker. If the worker dies, every pending call rejects with `WorkerCrashedError`, and the next
 * call starts a fresh worker.
 */
export async function createWorkerRuntime(source: WorkerSource, options: WireOptions, onProgress?: (event: ProgressEvent) => void): Promise<Runtime> {
  installErrorTransfer();
  const listening = new Map<string, Listening>();
  let info!: RuntimeInfo;
  let disposed = false;
  let broken: WorkerCrashedError | null = null;

  function connect(): Connection {
    const worker = source.spawn();
    let kill!: (error: WorkerCrashedError) => void;
    const crashed = new Promise<never>((_, reject) => (kill = reject));
    crashed.catch(() => undefined);
    const die = (why: string) => {
      if (current === connection) current = null;
      worker.terminate();
      kill(new WorkerCrashedError(why));
    };
    worker.addEventListener('message', (event: MessageEvent) => {
      const data: unknown = event.data;
      if (!isWorkerNotice(data)) return;
      if (data.secondThought === 'progress') return onProgress?.(data.event);
      if (data.secondThought === 'closing') return die("The runtime's worker closed itself");
      if (data.secondThought === 'info') return void (info = data.info);
      const target = listening.get(data.request);
      if (!target) return;
      for (const e of data.events) {
        if (e.type !== 'token') target.trace.push(e);
        target.onEvent?.(e);
      }
    });
    const connection: Connection = { worker, host: wrap<RuntimeHost>(worker), crashed, kill: (error) => kill(error) };
    worker.addEventListener('error', (event: ErrorEvent) => {
      event.preventDefault();
      die(`The runtime's worker failed${event.message ? `: ${event.message.slice(0, 200)}` : ''}`);
    });
    worker.addEventListener('messageerror', () => die("A message from the runtime's worker could not be read"));
    watchLife(connection, die);
    return connection;
  }

  /** Runs a host call on a live worker, racing it against that worker's death. */
  async function call<T>(task: (host: Remote<RuntimeHost>) => Promise<T>): Promise<T> {
    if (disposed) throw new RuntimeDisposedError();
    if (broken) throw broken;
    const connection = current ?? (await restart());
    return Promise.race([task(connection.host), connection.crashed]);
  }

  let current: Connection | null = null;
  async function start(): Promise<Connection> {
    const connection = connect();
    try {
      info = await Promise.race([connection.host.init(options), connection.crashed]);
    } catch (error) {
      connection.worker.terminate();
      if (error instanceof WorkerCrashedError && source.startHint) throw new WorkerCrashedError(`${error.message}. ${source.startHint}`);
      throw error;
    }
    current = connection;
    return connection;
  }
  let restarting: Promise<Connection> | null = null;
  function restart(): Promise<Connection> {
    restarting ??= start()
      .catch((error: unknown) => {
        broken = error instanceof WorkerCrashedError ? error : new WorkerCrashedError(`The runtime's worker could not restart: ${String(error).slice(0, 200)}`);
        throw broken;
      })
      .finally(() => (restarting = null));
    return restarting;
  }

  await start();

  async function solve(request: SolveRequest): Promise<SolveResult> {
    if (disposed) throw new RuntimeDisposedError();
    const normalized = normalizeRequest(request);
    const { signal, onEvent, verify } = request;
    // Ours, not the DOM's: callers can rely on `instanceof AbortError`.
    throwIfAborted(signal);
    const id = `r${nextId++}`;
    const target: Listening = { onEvent, trace: [] };
    listening.set(id, target);
    // The page's verify callback runs here, on the page; the worker calls it through this proxy.
    const verifier = verify ? proxy(async (input: VerifyInput) => verify(input)) : undefined;
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        void current?.host.abort(id).catch(() => undefined);
        reject(new AbortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const wire: WireResult = await Promise.race([call((host) => host.solve(id, normalized, onEvent !== undefined, verifier)), aborted]);
      const result: SolveResult = { ...wire, trace: wire.trace === 'streamed' ? target.trace : wire.trace };
      onEvent?.({ type: 'result', t: Math.round(result.usage.ms), result });
      return result;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      listening.delete(id);
      (verifier as unknown as { [releaseProxy]?: () => void } | undefined)?.[releaseProxy]?.();
    }
  }

  return {
    solve,
    stream: streamFrom(solve),
    info: () => info,
    cache: {
      stats: (): Promise<CacheStats> => call((host) => host.cacheStats()),
      clear: () => call((host) => host.cacheClear()),
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      const connection = current;
      current = null;
      if (!connection) return;
      try {
        await Promise.race([connection.host.dispose(), connection.crashed]);
      } catch {
        // A dead worker has nothing left to release.
      } finally {
        connection.host[releaseProxy]();
        connection.worker.terminate();
        connection.kill(new WorkerCrashedError('The runtime was disposed'));
      }
    },
  };
}
