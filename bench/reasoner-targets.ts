/**
 * Issue 9's targets that compare a strategy with SC@16 on the same questions, defined once: the full bench
 * judges its rows by them, and the settings studies choose and judge by them.
 */
import { formatPercent } from '../src/ui/format.js';
import type { StrategyRow } from './solve-items.js';

export interface Sc16Target {
  words: string;
  met(row: StrategyRow, sc16: StrategyRow): boolean;
}

/** What a row saves against SC@16: tokens and time as the share saved, samples as the share used. */
export const saving = (row: StrategyRow, against: StrategyRow) => ({
  tokens: 1 - row.meanTokens / against.meanTokens,
  samples: row.meanSamples / against.meanSamples,
  time: 1 - row.meanMs / against.meanMs,
});

/** A row against SC@16 in words, as the study pages and the benchmarks page state a verdict's figure. */
export function againstSc16(row: StrategyRow, sc16: StrategyRow): string {
  const s = saving(row, sc16);
  const pct = (x: number) => formatPercent(x, 1);
  return `${pct(row.accuracy)} against ${pct(sc16.accuracy)}; ${pct(s.tokens)} fewer tokens, ${pct(s.samples)} of its samples, ${pct(s.time)} less time`;
}

export const ADAPTIVE_TARGET: Sc16Target = {
  words: 'adaptive consistency (Beta) ≥ SC@16 − 1 point at ≤ 40% of its samples',
  met: (row, sc16) => row.accuracy >= sc16.accuracy - 0.01 - 1e-9 && saving(row, sc16).samples <= 0.4,
};

export const DEEPCONF_TARGET: Sc16Target = {
  words: 'DeepConf online ≥ SC@16 accuracy with ≥ 40% fewer generated tokens',
  met: (row, sc16) => row.accuracy >= sc16.accuracy && saving(row, sc16).tokens >= 0.4,
};
