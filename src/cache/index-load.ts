import { checkEnvelope, type StoredEntry } from './entry-schema.js';
import type { FaultLog } from './faults.js';

/** key → what eviction and stats need, least recently used first. */
export type Index = Map<string, { lastUsed: number; bytes: number }>;

export interface IndexSources {
  /** Entries in memory: servable even when their store write failed, and more recently used than stored. */
  recent: Map<string, StoredEntry>;
  maxEntries: number;
  faults: FaultLog;
}

/**
 * The index from every stored entry. Entries with a bad envelope or another cache version are counted and
 * listed for deletion (their results are checked only when served: checking a thousand results at start-up
 * would cost more than the hits they save). Entries beyond `maxEntries` (written while the index could not
 * be read) are listed for deletion too. Never throws: a store that returns something odd is a failed read.
 */
export function buildIndex(all: unknown, { recent, maxEntries, faults }: IndexSources): { index: Index; remove: string[] } {
  const remove: string[] = [];
  const kept: Array<[string, { lastUsed: number; bytes: number }]> = [];
  if (!Array.isArray(all)) {
    faults.record('reads', new TypeError('the store listed its entries as something other than an array'));
    return { index: fromRecent(recent), remove };
  }
  for (const pair of all as unknown[]) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string') continue;
    const key = pair[0];
    const checked = checkEnvelope(pair[1]);
    if (checked.kind === 'ok') {
      const entry = checked.entry;
      kept.push([key, { lastUsed: recent.get(key)?.lastUsed ?? entry.lastUsed, bytes: entry.bytes }]);
    } else {
      if (checked.kind === 'version') faults.record('versionMismatches');
      else faults.record('invalidEntries', checked.kind === 'invalid' ? checked.why : 'an undefined value');
      recent.delete(key);
      remove.push(key);
    }
  }
  const stored = new Set(kept.map(([key]) => key));
  for (const [key, entry] of recent) if (!stored.has(key)) kept.push([key, { lastUsed: entry.lastUsed, bytes: entry.bytes }]);
  kept.sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
  const excess = Math.max(0, kept.length - maxEntries);
  for (const [key] of kept.splice(0, excess)) {
    recent.delete(key);
    remove.push(key);
  }
  return { index: new Map(kept), remove };
}

function fromRecent(recent: Map<string, StoredEntry>): Index {
  return new Map([...recent].map(([key, e]) => [key, { lastUsed: e.lastUsed, bytes: e.bytes }]));
}
