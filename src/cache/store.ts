import { clear, createStore, del, entries, get, set, type UseStore } from 'idb-keyval';

/** Where cached results live: IndexedDB in browsers (through idb-keyval), a Map in Node. */
export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  entries(): Promise<Array<[string, unknown]>>;
  clear(): Promise<void>;
}

export function memoryStore(): KeyValueStore {
  const map = new Map<string, unknown>();
  return {
    get: async (key) => structuredClone(map.get(key)),
    set: async (key, value) => void map.set(key, structuredClone(value)),
    del: async (key) => void map.delete(key),
    entries: async () => [...map].map(([k, v]) => [k, structuredClone(v)] as [string, unknown]),
    clear: async () => map.clear(),
  };
}

export function indexedDbStore(dbName = 'second-thought', storeName = 'results'): KeyValueStore {
  const store: UseStore = createStore(dbName, storeName);
  return {
    get: (key) => get(key, store),
    set: (key, value) => set(key, value, store),
    del: (key) => del(key, store),
    entries: async () => (await entries<string, unknown>(store)).map(([k, v]) => [String(k), v] as [string, unknown]),
    clear: () => clear(store),
  };
}
