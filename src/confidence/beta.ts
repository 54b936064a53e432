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

/** num / den as the nearest double (to within an ulp): a 64-bit quotient, converted, then scaled by 2^-shift. */
function ratio(num: bigint, den: bigint): number {
  if (num === 0n) return 0;
  const shift = 64 - (num.toString(2).length - den.toString(2).length);
  const quotient = shift >= 0 ? (num << BigInt(shift)) / den : num / (den << BigInt(-shift));
  return Number(quotient) * 2 ** -shift;
}
