import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The model card's machine-readable figures (written by tools/tiny-model when the model is trained). */
export interface ModelReference {
  temperature: number;
  greedy: { accuracy: Record<'+' | '-' | '*' | 'overall', number> };
  fixedPrompts: Array<{ prompt: string; completion: string; answer: string; confidence: number }>;
}

export interface HeldOutItem {
  prompt: string;
  answer: string;
  op: '+' | '-' | '*';
}

const ROOT = join(import.meta.dirname, '..', '..');

export function loadReference(): ModelReference {
  return JSON.parse(readFileSync(join(ROOT, 'public/models/tiny-arith/reference.json'), 'utf8')) as ModelReference;
}

/** One JSON object per line of a file, its path from the repository root. */
export function readJsonl<T>(path: string): T[] {
  return readFileSync(join(ROOT, path), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

export function loadHeldOut(): HeldOutItem[] {
  return readJsonl<HeldOutItem>('public/data/tiny-arith-heldout.jsonl');
}

/** A deterministic slice mixing the operators as the held-out set does (it is stored grouped by operator). */
export function heldOutSample(count: number): HeldOutItem[] {
  const all = loadHeldOut();
  const step = Math.floor(all.length / count);
  return Array.from({ length: count }, (_, i) => all[i * step]!);
}

/** tiny-reasoner's card figures and reference outputs (written by tools/tiny-model/reasoner). */
export interface ReasonerReference {
  greedy: { accuracy: number };
  sampleAccuracy: number;
  fixedPrompts: Array<{
    messages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>;
    completion: string;
    answer: string;
    correctAnswer: string;
    /** The 4-bit build's greedy completion (PyTorch on the dequantised weights; onnxruntime-node gives the same). */
    q4Completion: string;
  }>;
}

export interface ReasonerItem {
  prompt: string;
  answer: string;
  op: string;
  template: string;
}

export function loadReasonerReference(): ReasonerReference {
  return JSON.parse(readFileSync(join(ROOT, 'public/models/tiny-reasoner/reference.json'), 'utf8')) as ReasonerReference;
}

export function loadReasonerHeldOut(): ReasonerItem[] {
  return readJsonl<ReasonerItem>('public/data/tiny-reasoner-heldout.jsonl');
}

/** The training run's checkpoint slice (300 questions, none of them held out), for choosing settings. */
export function loadReasonerValidation(): ReasonerItem[] {
  return readJsonl<ReasonerItem>('bench/data/tiny-reasoner-validation.jsonl');
}
