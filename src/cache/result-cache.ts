import type { CacheStats, SolveResult } from '../types.js';
import { checkEntry, type StoredEntry } from './entry-schema.js';
import { createFaultLog, withTimeout } from './faults.js';
import { buildIndex, type Index } from './index-load.js';
import { CACHE_VERSION } from './key.js';
import type { KeyValueStore } from './kv.js';

export interface ResultCacheOptions {
  /** Entries older than this are misses (and are removed). Default 30 days. */
  ttlMs?: number;
  /** Beyond this many entries the least recently used go. Default 1,000. */
  maxEntries?: number;
  /** A store call that has not settled by then counts as failed (a read is a miss). Default 5,000 ms. */
  storeTimeoutMs?: number;
  now?: () => number;
  /** Where fault warnings go (each kind once). Default `console.warn`. */
  warn?: (message: string, error?: unknown) => void;
}

export interface ResultCache {
  /** Never rejects: a store that fails, or an entry that is invalid, is a miss (and counted). */
  get(key: string): Promise<SolveResult | undefined>;
  /** Returns once the entry is servable; it reaches the store in the background. Never rejects. */
  set(key: string, result: SolveResult): Promise<void>;
  /** Never rejects. */
  stats(): Promise<CacheStats>;
  /** Forgets every entry; rejects when the store could not be cleared (memory is cleared regardless). */
  clear(): Promise<void>;
  /** Resolves when every write so far has reached the store (or failed and been counted). */
  flush(): Promise<void>;
}

/** Entries kept in memory in front of the store: hits on them cost no IndexedDB read (results are a few KB). */
const RECENT = 512;
/** A hit rewrites the stored entry's `lastUsed` (for LRU across sessions) at most this often. */
const TOUCH_PERSIST_MS = 60_000;

export function createResultCache(store: KeyValueStore, options: ResultCacheOptions = {}): ResultCache {
  const ttlMs = options.ttlMs ?? 30 * 24 * 3600 * 1000;
  const maxEntries = options.maxEntries ?? 1000;
  const storeTimeoutMs = options.storeTimeoutMs ?? 5000;
  const now = options.now ?? Date.now;
  const faults = createFaultLog(options.warn);
  let hits = 0;
  let misses = 0;
  // key → (lastUsed, bytes) of what can be served, least recently used first (a Map keeps insertion order; a
  // touch re-inserts), so eviction takes the first keys without sorting. Undefined until the store has been
  // read: a failed read leaves it so, and the next call reads again.
  let index: Index | undefined;
  let loading: Promise<Index | undefined> | undefined;
  // Bumped by clear(): an index read that started before it must not bring the old entries back.
  let epoch = 0;
  // Most recently used entries, oldest first; these are served without a store read or a check.
  const recent = new Map<string, StoredEntry>();
  // Store writes run in order behind the caller's back; each failure is counted, and the chain goes on.
  let writes: Promise<void> = Promise.resolve();

  const call = <T>(op: () => Promise<T>, what: string) => withTimeout(op, storeTimeoutMs, what);

  function loadIndex(): Promise<Index | undefined> {
    if (index) return Promise.resolve(index);
    if (loading) return loading;
    const started = epoch;
    // Behind the queued writes, so the index sees them.
    const attempt = writes
      .then(() => call(() => store.entries(), 'reading the result cache'))
      .then(
        (all) => {
          if (epoch !== started) return index;
          const built = buildIndex(all, { recent, maxEntries, faults });
          for (const key of built.remove) persist(() => store.del(key));
          index = built.index;
          return index;
        },
        (error: unknown) => {
          faults.record('reads', error);
          return undefined;
        },
      )
      .finally(() => {
        if (loading === attempt) loading = undefined;
      });
    loading = attempt;
    return attempt;
  }

  function remember(key: string, entry: StoredEntry): void {
    recent.delete(key);
    recent.set(key, entry);
    if (recent.size > RECENT) recent.delete(recent.keys().next().value!);
  }

  function drop(key: string, map: Index | undefined): void {
    recent.delete(key);
    map?.delete(key);
    persist(() => store.del(key));
  }

  function persist(task: () => Promise<void>, onFailure?: (error: unknown) => void): void {
    // A failed write (quota, a closed database) costs a future cache miss, never the answer.
    writes = writes
      .then(() => call(task, 'writing the result cache'))
      .catch((error: unknown) => {
        faults.record('writes', error);
        onFailure?.(error);
      });
  }

  function miss(): undefined {
    misses++;
    return undefined;
  }

  function hit(key: string, entry: StoredEntry, map: Index | undefined): SolveResult {
    hits++;
    const touched: StoredEntry = { ...entry, lastUsed: now() };
    if (map) {
      map.delete(key);
      map.set(key, { lastUsed: touched.lastUsed, bytes: touched.bytes });
    }
    remember(key, touched);
    if (touched.lastUsed - entry.lastUsed > TOUCH_PERSIST_MS) persist(() => store.set(key, touched));
    // Frozen when stored: safe to hand out without a copy (a copy would cost more than the rest of a hit).
    return entry.result;
  }

  const expired = (entry: { createdAt: number }) => now() - entry.createdAt > ttlMs;

  async function lookup(key: string): Promise<SolveResult | undefined> {
    const map = await loadIndex();
    const inMemory = recent.get(key);
    // Without an index (the store is unreadable now) memory is all there is; with one, the index is the
    // truth: the store may still hold an entry whose deletion is queued.
    if (!map ? !inMemory : !map.has(key)) return miss();
    if (inMemory) {
      if (!expired(inMemory)) return hit(key, inMemory, map);
      drop(key, map);
      return miss();
    }
    let value: unknown;
    try {
      value = await call(() => store.get(key), 'reading a result cache entry');
    } catch (error) {
      // The entry stays indexed: the next call reads it again.
      faults.record('reads', error);
      return miss();
    }
    const checked = checkEntry(value);
    if (checked.kind === 'ok') {
      if (!expired(checked.entry)) return hit(key, { ...checked.entry, result: deepFreeze(checked.entry.result) }, map);
      drop(key, map);
    } else if (checked.kind === 'missing') {
      // Deleted behind our back (another tab cleared the cache): nothing to delete.
      map?.delete(key);
    } else {
      faults.record(checked.kind === 'version' ? 'versionMismatches' : 'invalidEntries', checked.kind === 'invalid' ? checked.why : undefined);
      drop(key, map);
    }
    return miss();
  }

  async function get(key: string): Promise<SolveResult | undefined> {
    try {
      return await lookup(key);
    } catch (error) {
      // Nothing above should throw; if something does, the solve still runs.
      faults.record('reads', error);
      return miss();
    }
  }

  async function set(key: string, result: SolveResult): Promise<void> {
    try {
      const map = await loadIndex();
      const t = now();
      const entry: StoredEntry = {
        version: CACHE_VERSION,
        result: deepFreeze(structuredClone(result)),
        createdAt: t,
        lastUsed: t,
        bytes: JSON.stringify(result).length * 2,
      };
      remember(key, entry);
      const evicted: string[] = [];
      if (map) {
        map.delete(key);
        map.set(key, { lastUsed: t, bytes: entry.bytes });
        for (const old of map.keys()) {
          if (map.size - evicted.length <= maxEntries) break;
          evicted.push(old);
        }
      }
      for (const old of evicted) {
        map?.delete(old);
        recent.delete(old);
      }
      persist(() => store.set(key, entry));
      for (const old of evicted) persist(() => store.del(old));
    } catch (error) {
      // A result that cannot be cloned or measured is not cached; the answer is already on its way.
      faults.record('writes', error);
    }
  }

  async function stats(): Promise<CacheStats> {
    await writes;
    // Unreadable store: report what memory can serve.
    const map = (await loadIndex()) ?? new Map([...recent].map(([key, e]) => [key, { lastUsed: e.lastUsed, bytes: e.bytes }]));
    let bytes = 0;
    for (const entry of map.values()) bytes += entry.bytes;
    let opens = 0;
    try {
      opens = store.openFailures?.() ?? 0;
    } catch {
      // A count we cannot read is reported as none rather than failing stats().
    }
    return { entries: map.size, bytes, hits, misses, faults: faults.snapshot(opens) };
  }

  async function clear(): Promise<void> {
    epoch++;
    recent.clear();
    index = new Map();
    hits = 0;
    misses = 0;
    let failure: { error: unknown } | undefined;
    // In the write queue, so writes queued before it land first and later ones after.
    persist(
      () => store.clear(),
      (error) => (failure = { error }),
    );
    await writes;
    if (failure) {
      // What the store still holds is unknown: read it again next time.
      index = undefined;
      throw failure.error;
    }
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
