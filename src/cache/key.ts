/** Bump when the cached result format or a strategy's behaviour changes, so old entries are not served. */
export const CACHE_VERSION = 2;

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

/**
 * A 128-bit hash of a string: four 32-bit lanes of a multiply-xorshift mix (cyrb-style), each seeded
 * differently. Synchronous and a few microseconds for a request, where SHA-256 through crypto.subtle costs
 * an async hop that would dominate a cache hit; the keys are not secrets, only names.
 */
export function hash128(text: string): string {
  let h1 = 0x9e3779b9 ^ text.length;
  let h2 = 0x85ebca6b ^ text.length;
  let h3 = 0xc2b2ae35 ^ text.length;
  let h4 = 0x27d4eb2f ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x85ebca77);
    h2 = Math.imul(h2 ^ c, 0xc2b2ae3d);
    h3 = Math.imul(h3 ^ c, 0x27d4eb2f);
    h4 = Math.imul(h4 ^ c, 0x165667b1);
    h1 = (h1 << 13) | (h1 >>> 19);
    h2 = (h2 << 17) | (h2 >>> 15);
    h3 = (h3 << 11) | (h3 >>> 21);
    h4 = (h4 << 19) | (h4 >>> 13);
  }
  const lanes = [h1, h2, h3, h4].map((h, i) => {
    let x = h ^ Math.imul([h2, h3, h4, h1][i]!, 0x9e3779b1);
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    return ((x ^ (x >>> 16)) >>> 0).toString(16).padStart(8, '0');
  });
  return lanes.join('');
}

export interface CacheKeyParts {
  model: string;
  revision: string;
  engine: string;
  /** Present where the model id does not say which weights ran (see EngineInfo.weights). */
  weights?: string;
  strategy: unknown;
  answer: unknown;
  sampling: unknown;
  messages: unknown;
}

export function cacheKey(parts: CacheKeyParts): string {
  return hash128(stableStringify({ ...parts, version: CACHE_VERSION }));
}
