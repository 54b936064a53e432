import { describe, expect, it } from 'vitest';
import { auroc } from '../../src/confidence/auroc.js';

describe('auroc', () => {
  it('is 1 for a perfect signal, 0 for an inverted one, 0.5 for ties, and counts pairs', () => {
    expect(auroc([{ signal: 0.9, correct: true }, { signal: 0.1, correct: false }])).toBe(1);
    expect(auroc([{ signal: 0.1, correct: true }, { signal: 0.9, correct: false }])).toBe(0);
    expect(auroc([{ signal: 0.5, correct: true }, { signal: 0.5, correct: false }])).toBe(0.5);
    // Pairs (right, wrong): (0.8,0.6) yes, (0.8,0.9) no, (0.4,0.6) no, (0.4,0.9) no → 1/4.
    expect(auroc([{ signal: 0.8, correct: true }, { signal: 0.4, correct: true }, { signal: 0.6, correct: false }, { signal: 0.9, correct: false }])).toBe(0.25);
    expect(auroc([{ signal: 0.8, correct: true }, { signal: null, correct: false }])).toBeNull();
  });
});
