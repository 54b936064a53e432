import type { TraceEvent } from '../types.js';

/** At most one batch per display frame: the page cannot show events faster than it paints. */
export const BATCH_MS = 16;

/**
 * Collects a request's events and hands them on in batches: at most every `BATCH_MS` and once at the end.
 * Consecutive tokens of one row become one token event, so a streamed sample costs one entry per batch.
 */
export function createEventBatcher(send: (events: TraceEvent[]) => void, ms = BATCH_MS) {
  let pending: TraceEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  function flush(): void {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    send(batch);
  }

  function push(event: TraceEvent): void {
    const last = pending.at(-1);
    if (event.type === 'token' && last?.type === 'token' && last.index === event.index) {
      pending[pending.length - 1] = { ...last, token: last.token + event.token, t: event.t };
    } else {
      pending.push(event);
    }
    timer ??= setTimeout(flush, ms);
  }

  return { push, flush };
}
