/**
 * Token choice from a row of logits, done by us rather than the engine so that sampling is seeded
 * (reproducible, cacheable), top-p is honoured (transformers.js ignores it), and the log-probability of the
 * chosen token is known (transformers.js' generate() returns no scores).
 */

export type Rng = () => number;

/** mulberry32: small, fast, good enough for choosing tokens; the same seed gives the same stream everywhere. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Independent streams per row of one batched call, derived from the request's seed. */
export function rowSeed(seed: number, row: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(row + 1, 0xc2b2ae35)) >>> 0;
}

export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  const logZ = max + Math.log(sum);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! - logZ;
  return out;
}

export interface SamplingParams {
  temperature: number;
  topK?: number;
  topP?: number;
}

/**
 * Picks a token id. Greedy when temperature is 0 (lowest id wins ties, so the choice is stable).
 */
export function chooseToken(logprobs: Float64Array, params: SamplingParams, rng: Rng): number {
  if (params.temperature === 0) return argmax(logprobs);
  const order = Array.from(logprobs.keys()).sort((a, b) => logprobs[b]! - logprobs[a]! || a - b);
  const k = Math.min(params.topK ?? order.length, order.length);
  const candidates = order.slice(0, k);
  const scaled = candidates.map((id) => logprobs[id]! / params.temperature);
  const max = scaled[0]!;
  const weights = scaled.map((s) => Math.exp(s - max));
  let total = weights.reduce((s, w) => s + w, 0);
  if (params.topP !== undefined && params.topP < 1) {
    let kept = 0;
    let mass = 0;
    while (kept < weights.length && mass < params.topP * total) mass += weights[kept++]!;
    weights.length = Math.max(kept, 1);
    total = weights.reduce((s, w) => s + w, 0);
  }
  let r = rng() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0) return candidates[i]!;
  }
  return candidates[weights.length - 1]!;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * The `k` most probable token ids, most probable first (the lower id first on ties, like `argmax`). One pass
 * keeping a sorted list of `k`: nearly every id fails the comparison with the k-th best at once, so this is
 * about one read of the vocabulary, where sorting it (151k entries for Qwen) on every step would not be.
 */
export function topTokens(logprobs: ArrayLike<number>, k: number): number[] {
  const top: number[] = [];
  if (k <= 0) return top;
  for (let id = 0; id < logprobs.length; id++) {
    const value = logprobs[id]!;
    if (top.length === k) {
      if (!(value > logprobs[top[k - 1]!]!)) continue;
      top.pop();
    }
    let at = top.length;
    while (at > 0 && logprobs[top[at - 1]!]! < value) at--;
    top.splice(at, 0, id);
  }
  return top;
}
