import { AbortError } from '../errors.js';
import type { TraceEvent } from '../types.js';

type Listener = (event: TraceEvent) => void;

interface Shared<T> {
  promise: Promise<T>;
  controller: AbortController;
  events: TraceEvent[];
  listeners: Set<Listener>;
  subscribers: number;
}

/**
 * Identical requests in flight share one computation. Each caller gets every event (those before it
 * joined are replayed) and can abort on its own; the computation stops only when every caller has left.
 */
export function createInflight<T>() {
  const running = new Map<string, Shared<T>>();

  function join(
    key: string,
    start: (signal: AbortSignal, emit: Listener) => Promise<T>,
    signal: AbortSignal | undefined,
    onEvent: Listener,
  ): Promise<T> {
    let shared = running.get(key);
    if (!shared) {
      const controller = new AbortController();
      const events: TraceEvent[] = [];
      // The first caller listens before the computation starts: it may emit synchronously.
      const listeners = new Set<Listener>([onEvent]);
      const emit: Listener = (event) => {
        if (event.type !== 'token') events.push(event);
        for (const listener of listeners) listener(event);
      };
      const created: Shared<T> = { promise: Promise.resolve() as Promise<T>, controller, events, listeners, subscribers: 0 };
      created.promise = start(controller.signal, emit).finally(() => {
        if (running.get(key) === created) running.delete(key);
      });
      running.set(key, created);
      shared = created;
    } else {
      for (const event of shared.events) onEvent(event);
    }
    return subscribe(key, shared, signal, onEvent);
  }

  function subscribe(key: string, shared: Shared<T>, signal: AbortSignal | undefined, onEvent: Listener): Promise<T> {
    shared.subscribers++;
    shared.listeners.add(onEvent);
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        shared.listeners.delete(onEvent);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        leave();
        if (--shared.subscribers === 0) {
          shared.controller.abort();
          if (running.get(key) === shared) running.delete(key);
        }
        reject(new AbortError());
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      shared.promise.then(
        (value) => {
          leave();
          resolve(value);
        },
        (error: unknown) => {
          leave();
          reject(error);
        },
      );
    });
  }

  return { join, size: () => running.size };
}
