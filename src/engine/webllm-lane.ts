import type { ChatCompletionChunk, ChatCompletionFinishReason, Completion, MLCEngineInterface } from '@mlc-ai/web-llm';
import { AbortError, EngineError, throwIfAborted } from '../errors.js';

/**
 * WebLLM's interrupt lane: one request at a time, and an abort that stops only the request it was meant for.
 *
 * WebLLM's interrupt is one engine-wide flag (issue #447), and a stream left unfinished keeps its per-model
 * lock. So every call runs alone through the lane, and work a call leaves behind (winding down an aborted
 * stream) holds the lane too: the next request cannot start while the previous one is still winding down, so
 * an interrupt can only ever land on the request it was meant for. Should an interrupt still outlive its
 * stream (it was raised as that stream ended on its own), the next stream is read with suspicion: cut short as
 * "abort", it is run once more.
 */

export type Chunk = ChatCompletionChunk | Completion;
type Step = IteratorResult<Chunk, unknown>;

/** Reads one request's stream to its end, handing each chunk of the attempt that counts to `consume`. */
export type StreamReader = (open: () => Promise<AsyncIterable<Chunk>>, consume: (chunk: Chunk) => void) => Promise<void>;

/** What every stream of one task shares: its signal, its error mapping, and where its wind-downs go. */
interface ReadContext {
  signal: AbortSignal | undefined;
  mapError: (error: unknown) => Error;
  defer: (work: Promise<void>) => void;
}

const ABORTED = Symbol('aborted');
const noop = () => {};

export class InterruptLane {
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  /** An interrupt was raised but the stream it targeted ended without seeing it; it may stop the next one. */
  private interruptMayLinger = false;

  constructor(private readonly engine: Pick<MLCEngineInterface, 'interruptGenerate'>) {}

  /**
   * Runs `task` alone: after every earlier task and whatever they left winding down. `mapError` turns WebLLM's
   * own errors (opening a stream, or thrown from inside one) into ours; a consumer's error passes as it is.
   */
  exclusive<T>(signal: AbortSignal | undefined, mapError: (error: unknown) => Error, task: (read: StreamReader) => Promise<T>): Promise<T> {
    const leftovers: Promise<void>[] = [];
    const context: ReadContext = { signal, mapError, defer: (work) => void leftovers.push(work) };
    const run = this.tail.then(() => {
      if (this.closed) throw new EngineError('This WebLLM engine has been disposed');
      throwIfAborted(signal);
      return task((open, consume) => this.read(open, consume, context));
    });
    this.tail = run.then(noop, noop).then(() => Promise.all(leftovers)).then(noop);
    return run;
  }

  /** Refuses new tasks and waits until the ones already queued, and their wind-downs, are over. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
  }

  private async read(open: () => Promise<AsyncIterable<Chunk>>, consume: (chunk: Chunk) => void, context: ReadContext): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const suspect = this.interruptMayLinger;
      this.interruptMayLinger = false;
      // A stream that a leftover interrupt may cut short is passed on only once it is known to be real.
      const held: Chunk[] = [];
      const finish = await this.stream(open, suspect ? (chunk) => void held.push(chunk) : consume, context);
      if (finish === 'abort') {
        if (suspect && attempt === 0) continue; // the stale interrupt is spent now
        throw new EngineError('WebLLM ended a generation as interrupted, but no abort was requested');
      }
      for (const chunk of held) consume(chunk);
      return;
    }
  }

  /** One stream to its end (returning its finish reason); on abort, hands the wind-down to `defer` and throws at once. */
  private async stream(
    open: () => Promise<AsyncIterable<Chunk>>,
    consume: (chunk: Chunk) => void,
    { signal, mapError, defer }: ReadContext,
  ): Promise<ChatCompletionFinishReason | null> {
    let iterable: AsyncIterable<Chunk>;
    try {
      iterable = await open();
    } catch (error) {
      throw mapError(error);
    }
    const it = iterable[Symbol.asyncIterator]();
    let removeListener = noop;
    const aborted = new Promise<typeof ABORTED>((resolve) => {
      if (!signal) return;
      const onAbort = () => resolve(ABORTED);
      signal.addEventListener('abort', onAbort, { once: true });
      removeListener = () => signal.removeEventListener('abort', onAbort);
      if (signal.aborted) resolve(ABORTED);
    });
    let finish: ChatCompletionFinishReason | null = null;
    let ended = false;
    try {
      for (;;) {
        const pending = it.next();
        let step: Step | typeof ABORTED;
        try {
          step = await Promise.race([pending, aborted]);
        } catch (error) {
          ended = true; // a generator that throws is finished, and its own `finally` released the lock
          throw mapError(error);
        }
        if (step === ABORTED) {
          this.engine.interruptGenerate();
          ended = true;
          defer(this.windDown(it, pending));
          throw new AbortError();
        }
        if (step.done) {
          ended = true;
          return finish;
        }
        finish = finishOf(step.value) ?? finish;
        consume(step.value);
      }
    } finally {
      removeListener();
      // Leaving early (a consumer threw) would leave the generator suspended with WebLLM's lock held:
      // return() runs its `finally`, which stops the pipeline and releases the lock.
      if (!ended) defer(closeQuietly(it));
    }
  }

  /**
   * After an abort: let the step in flight finish, then give the generator one more step, in which it checks
   * the interrupt flag before decoding and stops ("abort"). If it ended some other way the flag was never seen
   * and may stop the next request (WebLLM #447), which `read` then tolerates once. Either way return()
   * finishes the generator so its lock is released.
   */
  private async windDown(it: AsyncIterator<Chunk>, pending: Promise<Step>): Promise<void> {
    const settle = (p: Promise<Step>): Promise<Step> => p.catch(() => ({ done: true, value: undefined }));
    let step = await settle(pending);
    if (!step.done && finishOf(step.value) === null) step = await settle(it.next());
    if (step.done || finishOf(step.value) !== 'abort') this.interruptMayLinger = true;
    await closeQuietly(it);
  }
}

function finishOf(chunk: Chunk): ChatCompletionFinishReason | null {
  return chunk.choices[0]?.finish_reason ?? null;
}

async function closeQuietly(it: AsyncIterator<Chunk>): Promise<void> {
  try {
    await it.return?.();
  } catch {
    // The stream is being abandoned; its error has no one left to go to.
  }
}
