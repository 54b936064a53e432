import { extractNumber } from '../answers/extract.js';
import { add, div, equals, mul, neg, parseDecimal, rational, sub, terminates, within, type Rational } from './rational.js';
import type { VerifierInput, VerifierResult } from './verifier.js';

/** Longer inputs are not arithmetic questions; the bound also keeps BigInt work small. */
const MAX_EXPRESSION = 200;

/**
 * A recursive-descent parser and evaluator for + - * / (also × ÷ −), parentheses, integers, decimals and
 * unary minus. It never calls eval or Function: the question is untrusted text.
 */
export function evaluateExpression(source: string): Rational {
  const text = source.replace(/−/g, '-').replace(/×/g, '*').replace(/÷/g, '/');
  if (text.length > MAX_EXPRESSION) throw new SyntaxError('expression too long');
  let at = 0;
  const skip = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const peek = () => {
    skip();
    return text[at];
  };

  function expression(): Rational {
    let value = term();
    for (let op = peek(); op === '+' || op === '-'; op = peek()) {
      at++;
      value = op === '+' ? add(value, term()) : sub(value, term());
    }
    return value;
  }
  function term(): Rational {
    let value = unary();
    for (let op = peek(); op === '*' || op === '/'; op = peek()) {
      at++;
      const right = unary();
      value = op === '*' ? mul(value, right) : div(value, right);
    }
    return value;
  }
  function unary(): Rational {
    const c = peek();
    if (c === '-') {
      at++;
      return neg(unary());
    }
    if (c === '+') {
      at++;
      return unary();
    }
    return primary();
  }
  function primary(): Rational {
    if (peek() === '(') {
      at++;
      const value = expression();
      if (peek() !== ')') throw new SyntaxError(`expected ")" at ${at}`);
      at++;
      return value;
    }
    const match = /^\d*\.?\d+|^\d+/.exec(text.slice(at));
    if (!match) throw new SyntaxError(`expected a number at ${at}`);
    at += match[0].length;
    return parseDecimal(match[0])!;
  }

  const value = expression();
  if (peek() !== undefined) throw new SyntaxError(`unexpected "${text[at]}" at ${at}`);
  return value;
}

/**
 * The arithmetic expression a question asks about: the longest run of number/operator characters that
 * has a binary operator and parses ("What is 12 * (3 + 4)?" → "12 * (3 + 4)"; "347+589=" → "347+589").
 */
export function findExpression(question: string): string | null {
  const runs = question.match(/[-−+*/×÷().\d\s]+/g) ?? [];
  const candidates = runs
    .map((run) => run.trim().replace(/[.\s]+$/, ''))
    .filter((run) => /\d/.test(run) && /\d\s*\)*\s*[-−+*/×÷]\s*[-(.\d]/.test(run))
    .sort((a, b) => b.length - a.length);
  for (const candidate of candidates) {
    try {
      evaluateExpression(candidate);
      return candidate;
    } catch (error) {
      // Division by zero still names the expression: the verdict is then "no answer is right".
      if (error instanceof RangeError) return candidate;
    }
  }
  return null;
}

/**
 * Accepts the answer when it equals the expression's value. A value with a finite decimal expansion must
 * match exactly; one without (1/3) must be given to at least two decimals and be right to the last one.
 */
export function verifyArithmetic(input: VerifierInput): VerifierResult {
  const expression = findExpression(input.question);
  if (expression === null) return { verdict: null, reason: 'no arithmetic expression in the question' };
  let value: Rational;
  try {
    value = evaluateExpression(expression);
  } catch {
    return { verdict: false, reason: `${expression} is undefined (division by zero)` };
  }
  const raw = extractNumber(input.answer ?? input.text);
  const answer = raw === null ? null : parseDecimal(raw);
  if (raw === null || answer === null) return { verdict: false, reason: 'the answer is not a number' };
  const shown = formatValue(value);
  if (terminates(value)) {
    const ok = equals(answer, value);
    return { verdict: ok, reason: `${expression} = ${shown}${ok ? '' : `, not ${raw}`}` };
  }
  const places = raw.split('.')[1]?.length ?? 0;
  const ok = places >= 2 && within(answer, value, rational(1n, 2n * 10n ** BigInt(places)));
  return { verdict: ok, reason: `${expression} ≈ ${shown}${ok ? '' : `, not ${raw}`}` };
}

function formatValue(value: Rational): string {
  if (value.d === 1n) return value.n.toString();
  return (Number(value.n) / Number(value.d)).toPrecision(12).replace(/\.?0+$/, '');
}
