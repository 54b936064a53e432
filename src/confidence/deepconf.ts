import type { TokenStep } from '../engine/engine.js';

/**
 * DeepConf's confidence measures (Fu et al., 2025, "Deep Think with Confidence"). A token's confidence is
 * C = −(1/k)·Σ log P(j) over its top-k alternatives: high when the model's mass sits on one token (the others
 * are then very unlikely), low when it hesitates between several. A group is a sliding window of tokens;
 * a trace is judged by its groups.
 */
export type TraceScore = 'mean' | 'lowest' | 'bottom10' | 'tail';

/** C of one step; null when the engine reported no alternatives for it. */
export function tokenConfidence(step: TokenStep, k: number): number | null {
  const top = step.top;
  if (!top || top.length === 0) return null;
  const used = top.slice(0, k);
  let sum = 0;
  for (const alternative of used) sum += Math.max(alternative.logprob, -1e4);
  return -sum / used.length;
}

export function tokenConfidences(steps: readonly TokenStep[], k: number): number[] {
  const out: number[] = [];
  for (const step of steps) {
    const c = tokenConfidence(step, k);
    if (c !== null) out.push(c);
  }
  return out;
}

/** Mean confidence of each full window; a trace shorter than a window is one group (all of it). */
export function groupConfidences(confidences: readonly number[], window: number): number[] {
  if (confidences.length === 0) return [];
  if (confidences.length <= window) return [mean(confidences)];
  const groups: number[] = [];
  let sum = 0;
  for (let i = 0; i < confidences.length; i++) {
    sum += confidences[i]!;
    if (i >= window) sum -= confidences[i - window]!;
    if (i >= window - 1) groups.push(sum / window);
  }
  return groups;
}

/** A trace's confidence by one of the paper's measures; null without any token confidence. */
export function traceConfidence(confidences: readonly number[], window: number, score: TraceScore): number | null {
  if (confidences.length === 0) return null;
  switch (score) {
    case 'mean':
      return mean(confidences);
    case 'tail':
      return mean(confidences.slice(-window));
    case 'lowest':
      return Math.min(...groupConfidences(confidences, window));
    case 'bottom10': {
      const groups = [...groupConfidences(confidences, window)].sort((a, b) => a - b);
      return mean(groups.slice(0, Math.max(1, Math.ceil(groups.length * 0.1))));
    }
  }
}

/** The value below which `p` percent of `values` lie (linear interpolation between order statistics). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const at = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/**
 * The online early stop: true once the latest full window's mean confidence falls below `threshold`.
 * Kept per row as a running sum, so each token costs O(1).
 */
export function createGroupWatch(k: number, window: number, threshold: number) {
  const confidences: number[] = [];
  let sum = 0;
  let lowest = Infinity;
  return {
    /** Feeds the newest step; returns true when the trace should stop. */
    push(step: TokenStep): boolean {
      const c = tokenConfidence(step, k);
      if (c === null) return false;
      confidences.push(c);
      sum += c;
      if (confidences.length > window) sum -= confidences[confidences.length - 1 - window]!;
      if (confidences.length < window) return false;
      const group = sum / window;
      lowest = Math.min(lowest, group);
      return group < threshold;
    },
    lowest: () => lowest,
  };
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
