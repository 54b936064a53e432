/**
 * What the strategy picker shows for each strategy kind: one table row per kind, listing its parameters.
 * Adding a strategy kind to the library means adding one entry here (TypeScript insists, through the
 * `Record<StrategyKind, …>` type); the picker, the evaluation list and the spec builder follow.
 */
import { DEFAULTS } from '../strategies/defaults.js';
import type { StrategyKind, StrategySpec, VerifierKind, VerifierSpec } from '../types.js';

export type Values = Record<string, unknown>;

interface FieldBase {
  key: string;
  label: string;
  help?: string;
  /** Shown (and included in the spec) only when this holds for the form's current values. */
  when?: (values: Values) => boolean;
}

export type FieldSpec = FieldBase &
  (
    | {
        type: 'integer' | 'number';
        min: number;
        max: number;
        step?: number;
        /** Pre-filled value; without one the field may be left empty, and the library default applies. */
        initial?: number;
        /** Shown in an empty optional field. */
        placeholder?: string;
        required?: boolean;
      }
    | { type: 'select'; options: readonly string[]; initial: string; optional?: false }
    | { type: 'select'; options: readonly string[]; initial?: undefined; optional: true; placeholder: string }
    | { type: 'verifier'; required?: boolean }
    | { type: 'strategy'; initial: StrategyKind }
  );

export interface StrategyForm {
  label: string;
  /** One line: what it does, and where it comes from. */
  summary: string;
  fields: FieldSpec[];
}

const VERIFIER_HELP = 'A programmatic check beats the model judging itself; “model” uses its self-verification.';

export const STRATEGY_FORMS: Record<StrategyKind, StrategyForm> = {
  greedy: {
    label: 'Greedy',
    summary: 'One answer at temperature 0: the baseline, one engine call.',
    fields: [],
  },
  'self-consistency': {
    label: 'Self-consistency',
    summary: 'Sample n answers in one batched call and take the majority (Wang et al.).',
    fields: [{ key: 'n', label: 'Samples (n)', type: 'integer', min: 1, max: 64, initial: 8, required: true }],
  },
  'best-of-n': {
    label: 'Best-of-n',
    summary: 'Sample n answers and keep the one a scorer ranks highest.',
    fields: [
      { key: 'n', label: 'Samples (n)', type: 'integer', min: 1, max: 64, initial: 8, required: true },
      { key: 'scorer', label: 'Scorer', type: 'select', options: ['logprob', 'confidence', 'self-verify', 'verifier'], initial: 'confidence' },
      { key: 'verifier', label: 'Verifier', type: 'verifier', required: true, when: (v) => v.scorer === 'verifier' },
    ],
  },
  'adaptive-consistency': {
    label: 'Adaptive-consistency',
    summary: 'Sample one at a time; stop as soon as the vote is settled (Aggarwal et al.).',
    fields: [
      {
        key: 'maxSamples',
        label: 'At most samples',
        type: 'integer',
        min: 1,
        max: 64,
        placeholder: `default ${DEFAULTS.adaptiveConsistency.maxSamples}`,
      },
      {
        key: 'criterion',
        label: 'Stopping rule',
        type: 'select',
        options: ['beta', 'dirichlet', 'entropy', 'majority'],
        initial: DEFAULTS.adaptiveConsistency.criterion,
      },
      {
        key: 'threshold',
        label: 'Threshold',
        type: 'number',
        min: 0,
        max: 1,
        step: 0.01,
        placeholder: 'rule default',
        help: `Defaults: ${Object.entries(DEFAULTS.thresholds)
          .map(([rule, value]) => `${rule} ${value}`)
          .join(', ')}.`,
      },
    ],
  },
  'verify-correct': {
    label: 'Verify and correct (SETS)',
    summary: 'Sample, verify each answer, correct the failures for a few rounds, vote among the verified.',
    fields: [
      { key: 'samples', label: 'Samples', type: 'integer', min: 1, max: 64, placeholder: `default ${DEFAULTS.verifyCorrect.samples}` },
      { key: 'rounds', label: 'Correction rounds', type: 'integer', min: 0, max: 8, placeholder: `default ${DEFAULTS.verifyCorrect.rounds}` },
      { key: 'verifier', label: 'Judge', type: 'verifier', help: VERIFIER_HELP },
    ],
  },
  'self-refine': {
    label: 'Self-refine',
    summary: 'Draft, feedback, refinement; a refinement replaces the draft only with evidence.',
    fields: [
      { key: 'maxRounds', label: 'At most rounds', type: 'integer', min: 1, max: 8, placeholder: `default ${DEFAULTS.selfRefine.maxRounds}` },
      { key: 'prompts', label: 'Prompts', type: 'select', options: ['critique', 'ioe'], initial: DEFAULTS.selfRefine.prompts },
      { key: 'verifier', label: 'Evidence', type: 'verifier', help: VERIFIER_HELP },
    ],
  },
  wait: {
    label: '“Wait” nudge',
    summary: 'Append the model’s “Wait” to its draft and let it continue (Self-Correction Bench).',
    fields: [
      { key: 'maxNudges', label: 'At most nudges', type: 'integer', min: 1, max: 8, placeholder: `default ${DEFAULTS.wait.maxNudges}` },
      { key: 'verifier', label: 'Evidence', type: 'verifier', help: VERIFIER_HELP },
    ],
  },
  cascade: {
    label: 'Cascade',
    summary: 'Answer cheaply; accept when the signal reaches the threshold, otherwise escalate.',
    fields: [
      { key: 'signal', label: 'Signal', type: 'select', options: ['confidence-token', 'logprob', 'self-verify', 'vote'], initial: 'confidence-token' },
      { key: 'threshold', label: 'Threshold', type: 'number', min: 0, max: 1, step: 0.01, initial: 0.7, required: true },
      {
        key: 'n',
        label: 'Votes',
        type: 'integer',
        min: 1,
        max: 64,
        placeholder: `default ${DEFAULTS.cascade.votes}`,
        when: (v) => v.signal === 'vote',
      },
      { key: 'then', label: 'Otherwise', type: 'strategy', initial: 'self-consistency' },
    ],
  },
};

export const STRATEGY_KINDS = Object.keys(STRATEGY_FORMS) as StrategyKind[];

/** Verifiers a person can configure in a form (a `callback` verifier needs code, not a form). */
export const VERIFIER_FORMS: Partial<Record<VerifierKind, { label: string; fields: Array<{ key: string; label: string; placeholder: string; json?: boolean }> }>> = {
  arithmetic: { label: 'arithmetic check', fields: [] },
  regex: { label: 'regular expression', fields: [{ key: 'pattern', label: 'Pattern', placeholder: '^-?\\d+$' }] },
  'json-schema': { label: 'JSON Schema', fields: [{ key: 'schema', label: 'Schema (JSON)', placeholder: '{"type":"integer"}', json: true }] },
};

export function isShown(field: FieldSpec, values: Values): boolean {
  return field.when ? field.when(values) : true;
}

/**
 * The spec for a kind from form values: hidden fields and empty optional ones are left out (so the
 * library's defaults apply and equal choices give equal cache keys). Validation is the library's job
 * (`validateStrategy`); this only assembles.
 */
export function buildSpec(kind: StrategyKind, values: Values): StrategySpec {
  const spec: Record<string, unknown> = { kind };
  for (const field of STRATEGY_FORMS[kind].fields) {
    if (!isShown(field, values)) continue;
    const value = values[field.key];
    if (value === undefined || value === null || value === '') continue;
    spec[field.key] = value;
  }
  return spec as unknown as StrategySpec;
}

/** Form values that reproduce a spec (for presets and for showing a spec back). */
export function valuesOf(spec: StrategySpec): Values {
  const { kind: _kind, ...rest } = spec as unknown as Record<string, unknown>;
  return rest;
}

export function initialValues(kind: StrategyKind): Values {
  const values: Values = {};
  for (const field of STRATEGY_FORMS[kind].fields) {
    if (field.type === 'strategy') values[field.key] = buildSpec(field.initial, initialValues(field.initial));
    else if ('initial' in field && field.initial !== undefined) values[field.key] = field.initial;
  }
  return values;
}

/** A short human name for a spec, e.g. "self-consistency n=8" or "cascade(vote ≥ 0.7 → greedy)". */
export function describeSpec(spec: StrategySpec): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(spec)) {
    if (key === 'kind' || key === 'then') continue;
    parts.push(`${key}=${describeValue(value)}`);
  }
  const head = parts.length ? `${spec.kind} ${parts.join(' ')}` : spec.kind;
  return spec.kind === 'cascade' ? `${head} → ${describeSpec(spec.then)}` : head;
}

function describeValue(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'kind' in value) {
    const verifier = value as VerifierSpec;
    return verifier.kind === 'regex' ? `regex(${verifier.pattern})` : verifier.kind;
  }
  return String(value);
}
