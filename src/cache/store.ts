import type { KeyValueStore } from './kv.js';

export type { KeyValueStore } from './kv.js';
export { indexedDbStore, type IndexedDbStoreOptions } from './idb-store.js';

/** Node's store (and tests'): a Map, with structured clones in and out like IndexedDB's. */
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
