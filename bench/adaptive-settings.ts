/**
 * `npm run bench:adaptive`: the Beta stopping rule's threshold for adaptive consistency on tiny-reasoner,
 * chosen on its validation questions and measured on the held-out set against SC@16 (settings-study.ts).
 * Issue 9's target: within 1 point of SC@16 at ≤ 40% of its samples. The paper's default, 0.95, is the
 * held-out bench's row; lower thresholds stop sooner (0.9 stops on 3 agreeing samples, 0.85 on 2).
 */
import type { AdaptiveConsistencySpec } from '../src/strategies/adaptive-consistency.js';
import { ADAPTIVE_TARGET } from './reasoner-targets.js';
import { runSettingsStudy } from './settings-study.js';

await runSettingsStudy<AdaptiveConsistencySpec>({
  id: 'adaptive',
  title: 'Adaptive-consistency settings on tiny-reasoner',
  grid: [0.95, 0.9, 0.85, 0.8].map((threshold) => ({ kind: 'adaptive-consistency', maxSamples: 16, criterion: 'beta', threshold })),
  nameOf: (s) => `adaptive-consistency beta ≤${s.maxSamples}, threshold ${s.threshold}`,
  target: ADAPTIVE_TARGET,
});
