/** Numbers as people read them. */

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

export function formatMB(mb: number): string {
  return mb >= 1000 ? `${(mb / 1000).toFixed(1)} GB` : `${mb} MB`;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatPercent(value: number, digits = 0): string {
  return `${(value * 100).toFixed(digits)}%`;
}

/**
 * Rounded down, for a value shown against a threshold it fell short of: rounding 0.9995 up to "1.00" (or
 * "100%") against a threshold of 1 would read as if it had reached it. The epsilon undoes binary fractions
 * (0.29 * 100 is 28.999…).
 */
export function formatShortOf(value: number, digits: number): string {
  const scale = 10 ** digits;
  return (Math.floor(value * scale + 1e-9) / scale).toFixed(digits);
}

/**
 * A confidence judged against a threshold, or without one against certainty: rounded down where it fell
 * short (see `formatShortOf`), so 0.9995 reads "99%" beside its threshold and beside the same reading shown
 * with none — "100%" only for a certain answer.
 */
export function formatPercentAgainst(value: number, threshold: number | undefined): string {
  return value < (threshold ?? 1) ? `${formatShortOf(value * 100, 0)}%` : formatPercent(value);
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
