/**
 * Exact rational arithmetic on BigInt, so that an arithmetic verifier never rejects a right answer over a
 * floating-point rounding error (0.1 + 0.2 is exactly 0.3 here).
 */
export interface Rational {
  n: bigint;
  /** Always positive; the fraction is kept in lowest terms. */
  d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function rational(n: bigint, d: bigint = 1n): Rational {
  if (d === 0n) throw new RangeError('division by zero');
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

export const add = (a: Rational, b: Rational) => rational(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Rational, b: Rational) => rational(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Rational, b: Rational) => rational(a.n * b.n, a.d * b.d);
export const div = (a: Rational, b: Rational) => rational(a.n * b.d, a.d * b.n);
export const neg = (a: Rational): Rational => ({ n: -a.n, d: a.d });
export const equals = (a: Rational, b: Rational) => a.n === b.n && a.d === b.d;

/** Parses "12", "-3.25", ".5"; null for anything else. */
export function parseDecimal(text: string): Rational | null {
  const match = /^(-)?(\d*)(?:\.(\d+))?$/.exec(text.trim());
  if (!match || (match[2] === '' && match[3] === undefined)) return null;
  const digits = `${match[2] || '0'}${match[3] ?? ''}`;
  const scale = 10n ** BigInt(match[3]?.length ?? 0);
  const value = rational(BigInt(digits), scale);
  return match[1] ? neg(value) : value;
}

/** Whether the value has a finite decimal expansion (its denominator has no prime factors but 2 and 5). */
export function terminates(value: Rational): boolean {
  let d = value.d;
  while (d % 2n === 0n) d /= 2n;
  while (d % 5n === 0n) d /= 5n;
  return d === 1n;
}

/** |a - b| <= bound, exactly. */
export function within(a: Rational, b: Rational, bound: Rational): boolean {
  const diff = sub(a, b);
  const abs = diff.n < 0n ? neg(diff) : diff;
  return abs.n * bound.d <= bound.n * abs.d;
}
