import { StorageError } from '../errors.js';
import type { CacheStats } from '../types.js';

export type CacheFaults = NonNullable<CacheStats['faults']>;
type CountedFault = Exclude<keyof CacheFaults, 'opens' | 'quotaExceeded'>;

/** Counts storage faults, and says each kind once on the console: a dead database fails every call. */
export function createFaultLog(warn: (message: string, error?: unknown) => void = defaultWarn) {
  const counts: Omit<CacheFaults, 'opens'> = { reads: 0, writes: 0, quotaExceeded: 0, invalidEntries: 0, versionMismatches: 0 };
  const said = new Set<string>();

  function record(kind: CountedFault, error?: unknown): void {
    counts[kind]++;
    const quota = kind === 'writes' && isQuotaError(error);
    if (quota) counts.quotaExceeded++;
    const topic = quota ? 'quotaExceeded' : kind;
    if (said.has(topic)) return;
    said.add(topic);
    warn(MESSAGES[topic], error);
  }

  return {
    record,
    /** `opens` is counted by the store, which alone sees its connection attempts. */
    snapshot: (opens: number): CacheFaults => ({ ...counts, opens }),
  };
}

export type FaultLog = ReturnType<typeof createFaultLog>;

const MESSAGES: Record<CountedFault | 'quotaExceeded', string> = {
  reads: 'second-thought: could not read the result cache (answering as a miss; later calls retry):',
  writes: 'second-thought: could not write the result cache (the write is dropped; the answer is not affected):',
  quotaExceeded: 'second-thought: the storage quota is full; result cache writes are dropped until there is room:',
  invalidEntries: 'second-thought: deleted a result cache entry that does not match the result schema:',
  versionMismatches: 'second-thought: deleted result cache entries written by another cache version',
};

function defaultWarn(message: string, error?: unknown): void {
  if (error === undefined) console.warn(message);
  else console.warn(message, error);
}

/** QuotaExceededError everywhere; Firefox has also used its own name, and old WebKit only the legacy code. */
export function isQuotaError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22;
}

/** A store operation that neither settles nor fails (WebKit has left IndexedDB requests pending for good). */
export class StoreTimeoutError extends StorageError {
  constructor(message: string) {
    super(message, 'TimeoutError');
  }
}

/** Runs `op`, failing it after `ms`: a hung store call must not hang a solve or the write queue behind it. */
export function withTimeout<T>(op: () => Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StoreTimeoutError(`${what} did not settle within ${ms} ms`)), ms);
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(op());
    } catch (error) {
      // A store that throws instead of rejecting is handled the same way.
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
