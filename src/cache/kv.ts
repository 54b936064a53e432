/** Where cached results live: IndexedDB in browsers (through idb-keyval), a Map in Node. */
export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  entries(): Promise<Array<[string, unknown]>>;
  clear(): Promise<void>;
  /**
   * How many attempts to open the underlying database have failed so far, for `cache.stats().faults.opens`.
   * Only a store with a connection to open has it.
   */
  openFailures?(): number;
}
