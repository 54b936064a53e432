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

export function loadHeldOut(): HeldOutItem[] {
  return readFileSync(join(ROOT, 'public/data/tiny-arith-heldout.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as HeldOutItem);
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
  return readFileSync(join(ROOT, 'public/data/tiny-reasoner-heldout.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ReasonerItem);
}
