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
  /** Returns once the entry is servable; it reaches the store in the background. */
  set(key: string, result: SolveResult): Promise<void>;
  stats(): Promise<CacheStats>;
  clear(): Promise<void>;
  /** Resolves when every write so far has reached the store. */
  flush(): Promise<void>;
}

/** Entries kept in memory in front of the store: hits on them cost no IndexedDB read (results are a few KB). */
const RECENT = 512;
/** A hit rewrites the stored entry's `lastUsed` (for LRU across sessions) at most this often. */
const TOUCH_PERSIST_MS = 60_000;

export function createResultCache(store: KeyValueStore, options: ResultCacheOptions = {}): ResultCache {
  const ttlMs = options.ttlMs ?? 30 * 24 * 3600 * 1000;
  const maxEntries = options.maxEntries ?? 1000;
  const now = options.now ?? Date.now;
  let hits = 0;
  let misses = 0;
  // key → (lastUsed, bytes), read once from the store and kept in least-recently-used-first order (a Map
  // keeps insertion order; a touch re-inserts), so eviction takes the first keys without sorting.
  let index: Promise<Map<string, { lastUsed: number; bytes: number }>> | undefined;
  // Most recently used entries, oldest first (a Map keeps insertion order).
  const recent = new Map<string, StoredEntry>();
  // Store writes run in order behind the caller's back; stats() and clear() wait for them.
  let writes: Promise<void> = Promise.resolve();

  function loadIndex() {
    index ??= store.entries().then((all) => {
      const stored = all.filter((pair): pair is [string, StoredEntry] => isEntry(pair[1]));
      stored.sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
      return new Map(stored.map(([key, value]) => [key, { lastUsed: value.lastUsed, bytes: value.bytes }]));
    });
    return index;
  }

  function remember(key: string, entry: StoredEntry): void {
    recent.delete(key);
    recent.set(key, entry);
    if (recent.size > RECENT) recent.delete(recent.keys().next().value!);
  }

  function persist(task: () => Promise<void>): void {
    writes = writes.then(task).catch((error: unknown) => {
      // A failed write (quota, a closed database) costs a future cache miss, never the answer.
      console.warn('second-thought: could not write the result cache:', error);
    });
  }

  async function get(key: string): Promise<SolveResult | undefined> {
    const map = await loadIndex();
    // The index is the truth: the store may still hold an entry whose deletion is queued.
    const value = map.has(key) ? (recent.get(key) ?? (await store.get(key))) : undefined;
    if (!isEntry(value) || now() - value.createdAt > ttlMs) {
      if (value !== undefined) {
        recent.delete(key);
        map.delete(key);
        persist(() => store.del(key));
      }
      misses++;
      return undefined;
    }
    hits++;
    const touched: StoredEntry = { ...value, result: deepFreeze(value.result), lastUsed: now() };
    map.delete(key);
    map.set(key, { lastUsed: touched.lastUsed, bytes: touched.bytes });
    remember(key, touched);
    if (touched.lastUsed - value.lastUsed > TOUCH_PERSIST_MS) persist(() => store.set(key, touched));
    // Frozen when stored: safe to hand out without a copy (a copy would cost more than the rest of a hit).
    return value.result;
  }

  async function set(key: string, result: SolveResult): Promise<void> {
    const map = await loadIndex();
    const t = now();
    const entry: StoredEntry = { result: deepFreeze(structuredClone(result)), createdAt: t, lastUsed: t, bytes: JSON.stringify(result).length * 2 };
    remember(key, entry);
    map.delete(key);
    map.set(key, { lastUsed: t, bytes: entry.bytes });
    const evicted: string[] = [];
    for (const old of map.keys()) {
      if (map.size - evicted.length <= maxEntries) break;
      evicted.push(old);
    }
    for (const old of evicted) {
      map.delete(old);
      recent.delete(old);
    }
    persist(async () => {
      await store.set(key, entry);
      for (const old of evicted) await store.del(old);
    });
  }

  async function stats(): Promise<CacheStats> {
    await writes;
    const map = await loadIndex();
    let bytes = 0;
    for (const entry of map.values()) bytes += entry.bytes;
    return { entries: map.size, bytes, hits, misses };
  }

  async function clear(): Promise<void> {
    await writes;
    recent.clear();
    await store.clear();
    (await loadIndex()).clear();
    hits = 0;
    misses = 0;
  }

  return { get, set, stats, clear, flush: () => writes };
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
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
