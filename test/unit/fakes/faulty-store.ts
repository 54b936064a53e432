import { memoryStore, type KeyValueStore } from '../../../src/cache/store.js';

export type StoreOp = 'get' | 'set' | 'del' | 'entries' | 'clear';

/** What the next calls of one operation do: fail with an error, or never settle. */
type Fault = { kind: 'fail'; error: unknown } | { kind: 'hang' };

/**
 * A `KeyValueStore` over a Map whose operations fail on request: `failNext('set', quota(), 2)` makes the
 * next two writes throw a QuotaExceededError, `down(error)` fails everything until `up()`. Counts calls,
 * so tests can tell that a dead store is not called again and again.
 */
export function faultyStore(inner: KeyValueStore = memoryStore()) {
  const queued = new Map<StoreOp, Fault[]>();
  let outage: unknown;
  let opensFailed = 0;
  const calls: Record<StoreOp, number> = { get: 0, set: 0, del: 0, entries: 0, clear: 0 };

  function guard<T>(op: StoreOp, run: () => Promise<T>): Promise<T> {
    calls[op]++;
    if (outage !== undefined) return Promise.reject(outage);
    const fault = queued.get(op)?.shift();
    if (fault?.kind === 'fail') return Promise.reject(fault.error);
    if (fault?.kind === 'hang') return new Promise<T>(() => {});
    return run();
  }

  const store: KeyValueStore = {
    get: (key) => guard('get', () => inner.get(key)),
    set: (key, value) => guard('set', () => inner.set(key, value)),
    del: (key) => guard('del', () => inner.del(key)),
    entries: () => guard('entries', () => inner.entries()),
    clear: () => guard('clear', () => inner.clear()),
    openFailures: () => opensFailed,
  };

  return {
    store,
    /** The store underneath, without faults: what a later session would find. */
    inner,
    calls,
    failNext(op: StoreOp, error: unknown, times = 1) {
      const list = queued.get(op) ?? [];
      for (let i = 0; i < times; i++) list.push({ kind: 'fail', error });
      queued.set(op, list);
    },
    hangNext(op: StoreOp) {
      const list = queued.get(op) ?? [];
      list.push({ kind: 'hang' });
      queued.set(op, list);
    },
    /** Every operation fails with `error` (and counts as a failed open) until `up()`. */
    down(error: unknown) {
      outage = error;
      opensFailed++;
    },
    up() {
      outage = undefined;
    },
  };
}

export const quotaError = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');
export const privateModeError = () => new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
export const readError = () => new DOMException('The operation failed for reasons unrelated to the database itself.', 'UnknownError');
