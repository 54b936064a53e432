import type { z } from 'zod';
import type { StrategyContext } from './context.js';
import type { StrategyOutcome } from './outcome.js';

/** Runs a nested spec (a cascade's `then`) in the same context; `path` names it in errors. */
export type RunNested = (spec: { kind: string }, ctx: StrategyContext, path: string) => Promise<StrategyOutcome>;

/** Help shared by every strategy that takes an optional verifier as its evidence. */
export const VERIFIER_HELP = 'A programmatic check beats the model judging itself; “model” uses its self-verification.';

export type FormValues = Record<string, unknown>;

/**
 * What the app's form needs beyond the schema. Types, ranges, options and defaults are read from the
 * schema itself, so a limit is written once; this adds only words and layout.
 */
export interface FieldForm {
  label: string;
  help?: string;
  /** Pre-filled value for a required field (an optional field shows its schema default instead). */
  initial?: unknown;
  placeholder?: string;
  step?: number;
  /** Overrides the schema's optionality where a refinement makes the field required (best-of-n's verifier). */
  required?: boolean;
  /** A field the schema cannot describe as a plain value. */
  widget?: 'verifier' | 'strategy';
  /** Shown (and put in the spec) only when this holds for the form's current values. */
  when?: (values: FormValues) => boolean;
}

/** The `verifications` field of every strategy that can judge with the model's self-verification. */
export const verificationsForm = (when: FieldForm['when']): FieldForm => ({
  label: 'Verifications',
  help: 'Verification replies averaged into P(yes): the greedy one plus samples. More cost more, and separate right from wrong answers better.',
  placeholder: 'default 1',
  when,
});

/**
 * One technique, completely: its spec's schema (defaults written in it), how it runs, and how it is
 * described. The registry derives dispatch, validation, defaults, cache keys and the app's forms from this.
 */
export interface StrategyDefinition<Kind extends string = string, Spec extends { kind: Kind } = { kind: Kind }, Resolved = Spec> {
  kind: Kind;
  label: string;
  /** One line: what it does, and where it comes from. */
  describe: string;
  /** A strict object schema; its output is the spec with every default filled in. */
  schema: z.ZodType<Resolved, Spec>;
  /** Form metadata per schema field, in the order the form shows them. */
  form: Record<string, FieldForm>;
  /** Fields that hold nested strategy specs (counted for the nesting limit). */
  nested?: readonly string[];
  run(spec: Resolved, ctx: StrategyContext, runNested: RunNested, path: string): Promise<StrategyOutcome>;
}

/** Identity with inference: a strategy file writes `export const x = defineStrategy({...})`. */
export function defineStrategy<Kind extends string, Spec extends { kind: Kind }, Resolved>(
  definition: StrategyDefinition<Kind, Spec, Resolved>,
): StrategyDefinition<Kind, Spec, Resolved> {
  return definition;
}
