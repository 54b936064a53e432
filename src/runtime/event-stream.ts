import type { SolveRequest, SolveResult, TraceEvent } from '../types.js';

/**
 * Turns a callback-driven solve into an async iterable of its events, ending with the `result` event.
 * Leaving the loop early aborts the solve.
 */
export function eventStream(
  run: (onEvent: (event: TraceEvent) => void, signal: AbortSignal) => Promise<SolveResult>,
  outerSignal: AbortSignal | undefined,
): AsyncIterable<TraceEvent> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<TraceEvent> {
      const controller = new AbortController();
      const onOuterAbort = () => controller.abort();
      if (outerSignal?.aborted) controller.abort();
      outerSignal?.addEventListener('abort', onOuterAbort, { once: true });
      const buffered: TraceEvent[] = [];
      let finished = false;
      let sawResult = false;
      let failure: { error: unknown } | null = null;
      let wake: (() => void) | null = null;
      const notify = () => {
        wake?.();
        wake = null;
      };
      run((event) => {
        if (event.type === 'result') sawResult = true;
        buffered.push(event);
        notify();
      }, controller.signal)
        .then(
          (result) => {
            if (!sawResult) buffered.push({ type: 'result', t: result.usage.ms, result });
          },
          (error: unknown) => {
            failure = { error };
          },
        )
        .finally(() => {
          finished = true;
          outerSignal?.removeEventListener('abort', onOuterAbort);
          notify();
        });

      return {
        async next(): Promise<IteratorResult<TraceEvent>> {
          for (;;) {
            const event = buffered.shift();
            if (event) return { value: event, done: false };
            if (failure) throw failure.error;
            if (finished) return { value: undefined, done: true };
            await new Promise<void>((resolve) => (wake = resolve));
          }
        },
        async return(): Promise<IteratorResult<TraceEvent>> {
          if (!finished) controller.abort();
          return { value: undefined, done: true };
        },
      };
    },
  };
}

/** `runtime.stream` for any `solve`: the request's events as an async iterable (shared by both runtimes). */
export function streamFrom(solve: (request: SolveRequest) => Promise<SolveResult>) {
  return (request: SolveRequest): AsyncIterable<TraceEvent> =>
    eventStream((onEvent, signal) => solve({ ...request, onEvent, signal }), request.signal);
}
