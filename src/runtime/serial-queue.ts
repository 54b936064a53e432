import { AbortError } from '../errors.js';
import type { Serialize } from '../strategies/context.js';

/**
 * Runs tasks one at a time in arrival order (the engine holds one model and one KV cache). A task whose
 * signal fires while it waits leaves the queue at once instead of holding up the rest.
 */
export function createSerialQueue(): Serialize {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> => {
    const previous = tail;
    let release!: () => void;
    tail = new Promise<void>((resolve) => (release = resolve));
    return new Promise<T>((resolve, reject) => {
      let started = false;
      const onAbort = () => {
        if (!started) reject(new AbortError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      void previous.then(async () => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) {
          release();
          return reject(new AbortError());
        }
        started = true;
        try {
          resolve(await task(signal));
        } catch (error) {
          reject(error);
        } finally {
          release();
        }
      });
    });
  };
}
