export interface LabelledSignal {
  /** The signal's value on one item (confidence token, P(yes), vote share…); null when it had none. */
  signal: number | null;
  /** Whether the cheap answer on that item was right. */
  correct: boolean;
}

export interface CalibrateOptions {
  /** Accuracy the accepted answers must reach, 0..1. */
  targetAccuracy: number;
  /** The fewest items a threshold must accept to count (guards against "1 of 1 right"). Default 1. */
  minAccepted?: number;
}

export interface Calibration {
  /** The lowest threshold meeting the target; null when none does (then skip the cheap step). */
  threshold: number | null;
  /** Share of items accepted at that threshold (0 when none). */
  coverage: number;
  /** Accuracy of the accepted items (null when none). */
  accuracy: number | null;
  accepted: number;
}

/**
 * Picks a cascade threshold from labelled items: the lowest one whose accepted set (signal >= threshold)
 * meets the target accuracy, which accepts the most items among those that do. Items without a signal are
 * never accepted, as in the cascade.
 */
export function calibrate(items: readonly LabelledSignal[], options: CalibrateOptions): Calibration {
  const { targetAccuracy } = options;
  const minAccepted = options.minAccepted ?? 1;
  if (!(targetAccuracy >= 0 && targetAccuracy <= 1)) throw new RangeError('targetAccuracy must be within 0..1');
  const scored = items
    .filter((item): item is { signal: number; correct: boolean } => item.signal !== null && Number.isFinite(item.signal))
    .sort((a, b) => b.signal - a.signal);
  // Walk from the highest signal down, accumulating; the best threshold is the lowest that still meets it.
  let best: Calibration = { threshold: null, coverage: 0, accuracy: null, accepted: 0 };
  let accepted = 0;
  let right = 0;
  for (let i = 0; i < scored.length; i++) {
    accepted++;
    if (scored[i]!.correct) right++;
    // Ties accept together: only a cut below the last of equal signals is a real threshold.
    if (i + 1 < scored.length && scored[i + 1]!.signal === scored[i]!.signal) continue;
    const accuracy = right / accepted;
    if (accepted >= minAccepted && accuracy >= targetAccuracy) {
      best = { threshold: scored[i]!.signal, coverage: accepted / items.length, accuracy, accepted };
    }
  }
  return best;
}
