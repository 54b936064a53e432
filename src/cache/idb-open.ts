import { StorageError } from '../errors.js';
import type { UseStore } from 'idb-keyval';

/** A connection-holding store that can be let go of: the reconnecting store closes the ones it gives up on. */
export type ClosableStore = UseStore & { close?: () => void };

/**
 * idb-keyval's `createStore`, with the faults it leaves open handled:
 * - a failed open is forgotten, so the next call opens again (idb-keyval does that too, but we rely on it);
 * - `onblocked` rejects at once instead of waiting for other tabs that may never close;
 * - an open that completes after we gave up on it is closed, not held;
 * - on `versionchange` (another tab upgrading or deleting the database) the connection closes and the
 *   next call reopens, instead of blocking that tab;
 * - a database that exists without our object store (created by other code) is upgraded to add it.
 * `indexedDB` is read per attempt, as reading it can throw (SecurityError in sandboxed frames).
 */
export function createResilientStore(
  dbName: string,
  storeName: string,
  factory: () => IDBFactory = () => globalThis.indexedDB,
): ClosableStore {
  let connection: Promise<IDBDatabase> | undefined;
  let closed = false;

  function connect(): Promise<IDBDatabase> {
    if (connection) return connection;
    const attempt = openDatabase(factory, dbName, storeName);
    connection = attempt;
    const forget = () => {
      if (connection === attempt) connection = undefined;
    };
    attempt.then((db) => {
      if (closed) return db.close();
      db.onclose = forget; // WebKit closes connections on its own now and then.
      db.onversionchange = () => {
        db.close();
        forget();
      };
    }, forget);
    return attempt;
  }

  const store: ClosableStore = (mode, callback) =>
    connect().then((db) => callback(db.transaction(storeName, mode).objectStore(storeName)));
  store.close = () => {
    closed = true;
    void connection?.then((db) => db.close(), () => {});
    connection = undefined;
  };
  return store;
}

function openDatabase(factory: () => IDBFactory, dbName: string, storeName: string, version?: number): Promise<IDBDatabase> {
  return new Promise<IDBDatabase>((resolve, reject) => {
    let request: IDBOpenDBRequest;
    try {
      const idb = factory();
      if (!idb) throw new StorageError('IndexedDB is not available here', 'NotSupportedError');
      request = version === undefined ? idb.open(dbName) : idb.open(dbName, version);
    } catch (error) {
      reject(error);
      return;
    }
    let gaveUp = false;
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(storeName)) db.createObjectStore(storeName);
    };
    request.onsuccess = () => {
      const db = request.result;
      if (gaveUp) return db.close();
      if (db.objectStoreNames.contains(storeName)) return resolve(db);
      db.close();
      // One upgrade to add the store; if that still lacks it, something else owns this database.
      if (version !== undefined) return reject(new StorageError(`"${dbName}" has no "${storeName}" store`, 'NotFoundError'));
      openDatabase(factory, dbName, storeName, db.version + 1).then(resolve, reject);
    };
    request.onerror = (event) => {
      // Handled here: without this Firefox also reports it as an uncaught error on the page.
      event.preventDefault();
      gaveUp = true;
      reject(request.error ?? new StorageError(`could not open "${dbName}"`, 'UnknownError'));
    };
    request.onblocked = () => {
      // Another connection holds an older version and has not closed; it may never. The request stays
      // queued and may still complete: `gaveUp` closes that late connection.
      gaveUp = true;
      reject(new StorageError(`opening "${dbName}" is blocked by another open connection`, 'BlockedError'));
    };
  });
}
