/** Bump when the cached result format or a strategy's behaviour changes, so old entries are not served. */
export const CACHE_VERSION = 1;

/** JSON with object keys sorted at every depth: equal values always give equal text. */
export function stableStringify(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface CacheKeyParts {
  model: string;
  revision: string;
  engine: string;
  strategy: unknown;
  answer: unknown;
  sampling: unknown;
  messages: unknown;
}

export function cacheKey(parts: CacheKeyParts): Promise<string> {
  return sha256Hex(stableStringify({ ...parts, version: CACHE_VERSION }));
}
