import { describe, expect, it } from 'vitest';
import { calibrate } from '../../src/public.js';

const items = [
  { signal: 0.95, correct: true },
  { signal: 0.9, correct: true },
  { signal: 0.8, correct: true },
  { signal: 0.8, correct: false },
  { signal: 0.7, correct: true },
  { signal: 0.6, correct: false },
  { signal: 0.5, correct: false },
  { signal: null, correct: true },
];

describe('calibrate', () => {
  it('picks the lowest threshold whose accepted set meets the target accuracy', () => {
    // Accepted at 0.7: 4 of 5 right (0.8); at 0.6: 4 of 6; at 0.8: 3 of 4 (0.75); at 0.9: 2 of 2.
    expect(calibrate(items, { targetAccuracy: 0.8 })).toEqual({ threshold: 0.7, coverage: 5 / 8, accuracy: 0.8, accepted: 5 });
    expect(calibrate(items, { targetAccuracy: 0.9 })).toMatchObject({ threshold: 0.9, accepted: 2, accuracy: 1 });
    expect(calibrate(items, { targetAccuracy: 0 })).toMatchObject({ threshold: 0.5, accepted: 7 });
  });

  it('equal signals are accepted together', () => {
    // A threshold of 0.8 takes both 0.8 items (one right, one wrong), never just the right one.
    const tied = [{ signal: 0.9, correct: true }, { signal: 0.8, correct: true }, { signal: 0.8, correct: false }];
    expect(calibrate(tied, { targetAccuracy: 1 })).toMatchObject({ threshold: 0.9, accepted: 1 });
    expect(calibrate([...tied].reverse(), { targetAccuracy: 1 })).toMatchObject({ threshold: 0.9, accepted: 1 });
  });

  it('minAccepted guards against tiny accepted sets; null when no threshold meets the target', () => {
    expect(calibrate(items, { targetAccuracy: 1, minAccepted: 3 })).toEqual({ threshold: null, coverage: 0, accuracy: null, accepted: 0 });
    expect(calibrate(items, { targetAccuracy: 1 })).toMatchObject({ threshold: 0.9 });
    expect(calibrate([], { targetAccuracy: 0.5 }).threshold).toBeNull();
    expect(() => calibrate(items, { targetAccuracy: 2 })).toThrow(RangeError);
  });
});
