import type { CacheStats, SolveResult } from '../types.js';
import type { KeyValueStore } from './store.js';

export interface ResultCacheOptions {
  /** Entries older than this are misses (and are removed). Default 30 days. */
  ttlMs?: number;
  /** Beyond this many entries the least recently used go. Default 1,000. */
  maxEntries?: number;
  now?: () => number;
}

interface StoredEntry {
  result: SolveResult;
  createdAt: number;
  lastUsed: number;
  bytes: number;
}

export interface ResultCache {
  get(key: string): Promise<SolveResult | undefined>;
  set(key: string, result: SolveResult): Promise<void>;
  stats(): Promise<CacheStats>;
  clear(): Promise<void>;
}

export function createResultCache(store: KeyValueStore, options: ResultCacheOptions = {}): ResultCache {
  const ttlMs = options.ttlMs ?? 30 * 24 * 3600 * 1000;
  const maxEntries = options.maxEntries ?? 1000;
  const now = options.now ?? Date.now;
  let hits = 0;
  let misses = 0;
  // key → (lastUsed, bytes), read once from the store so eviction needs no full scan per write.
  let index: Promise<Map<string, { lastUsed: number; bytes: number }>> | undefined;

  function loadIndex() {
    index ??= store.entries().then((all) => {
      const map = new Map<string, { lastUsed: number; bytes: number }>();
      for (const [key, value] of all) {
        if (isEntry(value)) map.set(key, { lastUsed: value.lastUsed, bytes: value.bytes });
      }
      return map;
    });
    return index;
  }

  async function get(key: string): Promise<SolveResult | undefined> {
    const map = await loadIndex();
    const value = await store.get(key);
    if (!isEntry(value) || now() - value.createdAt > ttlMs) {
      if (value !== undefined) {
        await store.del(key);
        map.delete(key);
      }
      misses++;
      return undefined;
    }
    hits++;
    const touched: StoredEntry = { ...value, lastUsed: now() };
    map.set(key, { lastUsed: touched.lastUsed, bytes: touched.bytes });
    await store.set(key, touched);
    return value.result;
  }

  async function set(key: string, result: SolveResult): Promise<void> {
    const map = await loadIndex();
    const bytes = JSON.stringify(result).length * 2;
    const t = now();
    await store.set(key, { result, createdAt: t, lastUsed: t, bytes } satisfies StoredEntry);
    map.set(key, { lastUsed: t, bytes });
    if (map.size > maxEntries) {
      const oldest = [...map].sort(([, a], [, b]) => a.lastUsed - b.lastUsed).slice(0, map.size - maxEntries);
      for (const [old] of oldest) {
        await store.del(old);
        map.delete(old);
      }
    }
  }

  async function stats(): Promise<CacheStats> {
    const map = await loadIndex();
    let bytes = 0;
    for (const entry of map.values()) bytes += entry.bytes;
    return { entries: map.size, bytes, hits, misses };
  }

  async function clear(): Promise<void> {
    await store.clear();
    (await loadIndex()).clear();
    hits = 0;
    misses = 0;
  }

  return { get, set, stats, clear };
}

function isEntry(value: unknown): value is StoredEntry {
  return (
    typeof value === 'object' &&
    value !== null &&
    'result' in value &&
    typeof (value as StoredEntry).createdAt === 'number' &&
    typeof (value as StoredEntry).lastUsed === 'number'
  );
}
