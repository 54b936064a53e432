import { StorageError } from '../errors.js';
import { clear, del, entries, get, set, type UseStore } from 'idb-keyval';
import { createResilientStore, type ClosableStore } from './idb-open.js';
import type { KeyValueStore } from './kv.js';

export interface IndexedDbStoreOptions {
  dbName?: string;
  storeName?: string;
  /**
   * Makes a store for one connection's life (idb-keyval's `createStore` has this signature). A store whose
   * open fails is dropped and a new one made after the backoff: idb-keyval-style stores may hold on to a
   * rejected open. Default: `createResilientStore`. Tests inject fakes here.
   */
  createStore?: (dbName: string, storeName: string) => ClosableStore;
  /** An open that has neither succeeded nor failed by then counts as failed. Default 3,000 ms. */
  openTimeoutMs?: number;
  /** After a failed open, calls fail at once for this long, doubling per failure up to `retryMaxMs`. Default 250 ms. */
  retryAfterMs?: number;
  /** Default 30,000 ms. */
  retryMaxMs?: number;
  now?: () => number;
}

/** Calls made while a failed database waits out its backoff get this, without an open attempt. */
export class StoreUnavailableError extends StorageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'UnavailableError', options);
  }
}

// Errors that mean the connection itself is unusable (closing, or our object store gone), not the call.
const CONNECTION_LOST = new Set(['InvalidStateError', 'NotFoundError', 'TransactionInactiveError']);

/**
 * The browser's store: IndexedDB through idb-keyval, reconnecting. Nothing is remembered as broken: a
 * failed, blocked or hung open, or a connection that dies, drops the store, and a later call opens a new
 * one, after a backoff that keeps a dead database (private mode) from being reopened on every call.
 */
export function indexedDbStore(options: IndexedDbStoreOptions = {}): KeyValueStore {
  const dbName = options.dbName ?? 'second-thought';
  const storeName = options.storeName ?? 'results';
  const make = options.createStore ?? ((db: string, name: string) => createResilientStore(db, name));
  const openTimeoutMs = options.openTimeoutMs ?? 3000;
  const retryAfterMs = options.retryAfterMs ?? 250;
  const retryMaxMs = options.retryMaxMs ?? 30_000;
  const now = options.now ?? Date.now;

  let current: ClosableStore | undefined;
  let failures = 0;
  let delay = retryAfterMs;
  let retryAt = -Infinity;
  let lastError: unknown;

  function acquire(): ClosableStore {
    if (current) return current;
    if (now() < retryAt) {
      throw new StoreUnavailableError(`"${dbName}" could not be opened; retrying after the backoff`, { cause: lastError });
    }
    current = make(dbName, storeName);
    return current;
  }

  function openFailed(store: ClosableStore, error: unknown): void {
    // Several calls may be waiting on the same attempt: it counts, and backs off, once.
    if (current !== store) return;
    failures++;
    lastError = error;
    retryAt = now() + delay;
    delay = Math.min(delay * 2, retryMaxMs);
    discard(store);
  }

  function discard(store: ClosableStore): void {
    current = undefined;
    try {
      store.close?.();
    } catch {
      // Closing a store we are giving up on is best effort.
    }
  }

  const use: UseStore = <T>(mode: IDBTransactionMode, callback: (s: IDBObjectStore) => T | PromiseLike<T>) =>
    new Promise<T>((resolve, reject) => {
      let store: ClosableStore;
      try {
        store = acquire();
      } catch (error) {
        reject(error);
        return;
      }
      let reached = false;
      const timer = setTimeout(() => {
        if (reached) return;
        const error = new StorageError(`opening "${dbName}" did not complete within ${openTimeoutMs} ms`, 'TimeoutError');
        openFailed(store, error);
        reject(error);
      }, openTimeoutMs);
      let op: Promise<T>;
      try {
        op = Promise.resolve(
          store(mode, (objectStore) => {
            // The connection and a transaction exist: the open worked, whatever the call does next.
            reached = true;
            delay = retryAfterMs;
            return callback(objectStore);
          }),
        );
      } catch (error) {
        op = Promise.reject(error);
      }
      op.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (!reached) openFailed(store, error);
          // A connection lost after it opened is reopened by the next call, with no backoff: it did open.
          else if (CONNECTION_LOST.has(errorName(error)) && current === store) discard(store);
          reject(error);
        },
      );
    });

  return {
    get: (key) => get(key, use),
    set: (key, value) => set(key, value, use),
    del: (key) => del(key, use),
    entries: async () => (await entries<IDBValidKey, unknown>(use)).map(([k, v]) => [String(k), v] as [string, unknown]),
    clear: () => clear(use),
    openFailures: () => failures,
  };
}

function errorName(error: unknown): string {
  if (error instanceof StorageError) return error.kind;
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : '';
}
