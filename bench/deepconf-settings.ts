/**
 * `npm run bench:deepconf`: DeepConf-online's settings for tiny-reasoner, chosen on its validation questions
 * and measured on the held-out set against SC@16 (settings-study.ts). Issue 9's target: SC@16's accuracy with
 * ≥ 40% fewer generated tokens. The grid is the held-out bench's DeepConf-high row, the settings around it
 * that stop sooner, the sooner-stopping ones with room for more traces where the votes stay split, and other
 * group windows (the strategy's default of 16 tokens, against chains of about 50).
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
    // the group window: a chain is about 50 tokens, so 16 spans a step or two; 8 reacts to one shaky number,
    // 32 averages over most of the chain
    ...[8, 32].flatMap((window) => [5, 4].map((warmup) => ({ ...base, warmup, consensus: 0.9, window }))),
  ],
  nameOf: (s) => `deepconf online η ${s.keepPercent}% ≤${s.maxTraces}, warm-up ${s.warmup}, τ ${s.consensus}${s.window ? `, window ${s.window}` : ''}`,
  about: 'Where a row names no window, the group window is the strategy\'s default: 16 tokens.',
  target: DEEPCONF_TARGET,
});
