/** Labelled questions for the evaluation: the bundled held-out set or a JSONL file the user picks. */
import { EngineError } from '../browser.js';

export interface EvalItem {
  prompt: string;
  answer: string;
}

export interface ParsedSet {
  items: EvalItem[];
  /** Lines that were not `{ "prompt": string, "answer": string | number }`, with their line numbers. */
  problems: string[];
}


export function parseJsonl(text: string): ParsedSet {
  const items: EvalItem[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push(`line ${i + 1}: not JSON`);
      return;
    }
    const record = value as { prompt?: unknown; answer?: unknown };
    if (typeof record?.prompt !== 'string' || record.prompt.trim() === '' || (typeof record.answer !== 'string' && typeof record.answer !== 'number')) {
      problems.push(`line ${i + 1}: needs "prompt" (text) and "answer" (text or number)`);
      return;
    }
    items.push({ prompt: record.prompt, answer: String(record.answer) });
  });
  return { items, problems };
}

/** `n` items spread evenly over the set (the held-out set is ordered by operator, so the head is not a sample). */
export function spread<T>(items: readonly T[], n: number): T[] {
  if (n >= items.length) return [...items];
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)]!);
}

/** A bundled model's own held-out set (its catalogue entry says where). */
export async function loadBundledSet(set: { path: string }, signal?: AbortSignal): Promise<ParsedSet> {
  const response = await fetch(new URL(set.path, document.baseURI), { signal });
  if (!response.ok) throw new EngineError(`Could not load the bundled set (HTTP ${response.status})`);
  return parseJsonl(await response.text());
}
