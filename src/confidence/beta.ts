/**
 * P(p > 1/2) for p ~ Beta(a + 1, b + 1): the posterior that the leading answer beats the runner-up, after
 * a votes to b, under a uniform prior (Adaptive-Consistency's Beta rule). Exact: for integer parameters
 * the regularized incomplete beta is a binomial sum,
 *   P(X <= 1/2) = P(Binomial(a + b + 1, 1/2) >= a + 1),
 * so P(X > 1/2) = sum_{j=0..a} C(a+b+1, j) / 2^(a+b+1), computed in BigInt.
 */
export function betaAboveHalf(a: number, b: number): number {
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0) {
    throw new RangeError(`counts must be non-negative integers, got ${a} and ${b}`);
  }
  const n = a + b + 1;
  let term = 1n; // C(n, 0)
  let sum = 0n;
  for (let j = 0; j <= a; j++) {
    sum += term;
    term = (term * BigInt(n - j)) / BigInt(j + 1);
  }
  return ratio(sum, 1n << BigInt(n));
}

/** num / den as a double, exact to ~1e-18 whatever their size. */
function ratio(num: bigint, den: bigint): number {
  const SCALE = 10n ** 18n;
  return Number((num * SCALE) / den) / 1e18;
}
