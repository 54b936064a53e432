import type { LabelledSignal } from './calibrate.js';

/**
 * Area under the ROC curve of a signal for "the answer is right": the chance that a right answer's signal
 * exceeds a wrong one's (ties count half). 0.5 is chance; null without both kinds of item.
 */
export function auroc(items: readonly LabelledSignal[]): number | null {
  const scored = items.filter((x): x is LabelledSignal & { signal: number } => x.signal !== null);
  const positives = scored.filter((x) => x.correct).length;
  const negatives = scored.length - positives;
  if (positives === 0 || negatives === 0) return null;
  // Rank-sum (Mann–Whitney U) with average ranks for ties: O(n log n) rather than all pairs.
  const sorted = [...scored].sort((a, b) => a.signal - b.signal);
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j]!.signal === sorted[i]!.signal) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (sorted[k]!.correct) rankSum += rank;
    i = j;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
