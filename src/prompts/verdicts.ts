/**
 * Reading an instruct model's verdict out of free text. Negative words are checked first because
 * "incorrect" contains "correct" and "not right" contains "right".
 */
const POSITIVE = new Set(['yes', 'correct', 'right', 'true', 'valid']);
const WORD = '(yes|no|correct|incorrect|right|wrong|true|false|valid|invalid)';

export function parseVerdict(text: string): boolean | null {
  const t = text.toLowerCase().replace(/[*_#`"'>]/g, ' ').replace(/\s+/g, ' ').trim();
  const labelled = [...t.matchAll(new RegExp(`\\b(?:verdict|judg(?:e)?ment|assessment)\\s*[:=-]\\s*${WORD}\\b`, 'g'))].pop();
  if (labelled) return POSITIVE.has(labelled[1]!);
  const first = new RegExp(`^[\\s.,:;!-]*${WORD}\\b`).exec(t);
  if (first) return POSITIVE.has(first[1]!);
  if (/\b(incorrect|not correct|isn't correct|not right|wrong|invalid|mistaken)\b/.test(t)) return false;
  if (/\b(correct|right|valid)\b/.test(t)) return true;
  return null;
}

export function saysFromVerdict(verdict: boolean | null): 'correct' | 'incorrect' | 'unclear' {
  return verdict === null ? 'unclear' : verdict ? 'correct' : 'incorrect';
}
