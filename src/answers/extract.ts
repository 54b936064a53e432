import type { AnswerSpec } from '../types.js';

const NUMBER = /-?\d[\d,]*(?:\.\d+)?/g;

/**
 * Pulls the answer out of model text and normalises it, so that votes count "1,000", "1000" and "1000.0"
 * as one answer. Returns null when the text holds no answer of the requested kind.
 */
export function extractAnswer(spec: AnswerSpec, text: string): string | null {
  switch (spec.kind) {
    case 'number':
      return extractNumber(text);
    case 'choice':
      return extractChoice(spec.choices, text);
    case 'regex': {
      const match = new RegExp(spec.pattern, spec.flags).exec(text);
      if (!match) return null;
      return (match[1] ?? match[0]).trim();
    }
    case 'text': {
      const trimmed = text.trim().replace(/\s+/g, ' ');
      return trimmed === '' ? null : trimmed;
    }
  }
}

/** The last number in the text: models state the result after their working. */
export function extractNumber(text: string): string | null {
  const matches = text.match(NUMBER);
  if (!matches) return null;
  return normalizeNumber(matches[matches.length - 1]!);
}

export function normalizeNumber(raw: string): string | null {
  const cleaned = raw.replace(/,/g, '');
  if (!/^-?\d+(\.\d+)?$/.test(cleaned)) return null;
  const negative = cleaned.startsWith('-');
  let [whole = '0', fraction = ''] = cleaned.replace('-', '').split('.');
  whole = whole.replace(/^0+(?=\d)/, '');
  fraction = fraction.replace(/0+$/, '');
  const body = fraction ? `${whole}.${fraction}` : whole;
  return negative && body !== '0' ? `-${body}` : body;
}

/** An exact choice wins; otherwise the choice mentioned last (a model's final word is its answer). */
function extractChoice(choices: string[], text: string): string | null {
  const trimmed = text.trim().replace(/[.!]$/, '').toLowerCase();
  const exact = choices.find((c) => c.toLowerCase() === trimmed);
  if (exact) return exact;
  let best: { choice: string; at: number } | null = null;
  for (const choice of choices) {
    const pattern = new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(choice)}(?=$|[^\\p{L}\\p{N}])`, 'giu');
    for (const match of text.matchAll(pattern)) {
      if (!best || match.index > best.at) best = { choice, at: match.index };
    }
  }
  return best?.choice ?? null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
