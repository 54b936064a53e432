/**
 * `npm run bench:deepconf`: DeepConf-online's settings for tiny-reasoner, chosen on its validation questions
 * and measured on the held-out set against SC@16 (settings-study.ts). Issue 9's target: SC@16's accuracy with
 * ≥ 40% fewer generated tokens. The grid is the held-out bench's DeepConf-high row, the settings around it
 * that stop sooner, and the sooner-stopping ones with room for more traces where the votes stay split.
 */
import type { DeepConfSpec } from '../src/strategies/deepconf.js';
import { DEEPCONF_TARGET } from './reasoner-targets.js';
import { runSettingsStudy } from './settings-study.js';

const base: DeepConfSpec = { kind: 'deepconf', maxTraces: 16, keepPercent: 90, batch: 4, warmup: 6, consensus: 0.95 };

await runSettingsStudy({
  id: 'deepconf',
  title: 'DeepConf settings on tiny-reasoner',
  grid: [
    ...[6, 5, 4].flatMap((warmup) => [0.95, 0.9].map((consensus) => ({ ...base, warmup, consensus }))),
    // a larger cap: easy questions still stop at the consensus, hard ones get up to 32 voters
    ...[0.95, 0.9].map((consensus) => ({ ...base, maxTraces: 32, warmup: 4, consensus })),
  ],
  nameOf: (s) => `deepconf online η ${s.keepPercent}% ≤${s.maxTraces}, warm-up ${s.warmup}, τ ${s.consensus}`,
  target: DEEPCONF_TARGET,
});
