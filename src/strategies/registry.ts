import { z } from 'zod';
import { InvalidRequestError } from '../errors.js';
import { adaptiveConsistencyStrategy } from './adaptive-consistency.js';
import { bestOfNStrategy } from './best-of-n.js';
import { cascadeStrategy } from './cascade.js';
import { deepConfStrategy } from './deepconf.js';
import type { StrategyContext } from './context.js';
import type { FieldForm, RunNested, StrategyDefinition } from './define.js';
import { greedy } from './greedy.js';
import type { StrategyOutcome } from './outcome.js';
import { selfConsistency } from './self-consistency.js';
import { selfRefineStrategy } from './self-refine.js';
import { setNestedSpecSchema, type ResolvedStrategySpec, type SpecSchema } from './spec-union.js';
import { verifyCorrectStrategy } from './verify-correct.js';
import { waitStrategy } from './wait.js';

/** Every strategy the package ships: adding one is a new file and a line here. */
export const BUILTIN_STRATEGIES = [
  greedy,
  selfConsistency,
  bestOfNStrategy,
  adaptiveConsistencyStrategy,
  verifyCorrectStrategy,
  selfRefineStrategy,
  waitStrategy,
  cascadeStrategy,
  deepConfStrategy,
] as const;

/** A definition with its spec types erased, as the registry holds it. */
export interface RegisteredStrategy {
  kind: string;
  label: string;
  describe: string;
  schema: z.ZodType;
  form: Record<string, FieldForm>;
  nested?: readonly string[];
  run(spec: unknown, ctx: StrategyContext, runNested: RunNested, path: string): Promise<StrategyOutcome>;
}

const registered = new Map<string, RegisteredStrategy>();
let union: SpecSchema | null = null;

/** Adds a strategy (the built-ins register themselves; tests register toys the same way). */
export function registerStrategy<K extends string, S extends { kind: K }, R>(definition: StrategyDefinition<K, S, R>): void {
  registered.set(definition.kind, definition as unknown as RegisteredStrategy);
  union = null;
  setNestedSpecSchema(z.lazy(specSchema));
}

for (const definition of BUILTIN_STRATEGIES) registerStrategy(definition as StrategyDefinition<string, { kind: string }, unknown>);

export function strategyDefinitions(): readonly RegisteredStrategy[] {
  return [...registered.values()];
}

export function findStrategy(kind: string): RegisteredStrategy | undefined {
  return registered.get(kind);
}

/** The union of every registered strategy's schema, discriminated by `kind`. */
export function specSchema(): SpecSchema {
  if (!union) {
    const schemas = strategyDefinitions().map((d) => d.schema) as unknown as [z.ZodObject, ...z.ZodObject[]];
    union = z.discriminatedUnion('kind', schemas) as unknown as SpecSchema;
  }
  return union;
}

/**
 * Runs a validated spec. Nested specs come back through here with the same context, so budgets, the abort
 * signal and remembered greedy calls span the whole request. `path` names the spec in errors.
 */
export function runStrategy(spec: ResolvedStrategySpec | { kind: string; model?: string }, ctx: StrategyContext, path = 'strategy'): Promise<StrategyOutcome> {
  const definition = registered.get(spec.kind);
  if (!definition) throw new InvalidRequestError(`${path}.kind`, `unknown strategy kind ${JSON.stringify(spec.kind).slice(0, 40)}`);
  const target = 'model' in spec ? spec.model : undefined;
  if (target === undefined || target === ctx.model) return definition.run(spec, ctx, runStrategy, path);
  const routed = ctx.withModel(target, `${path}.model`);
  ctx.emit({ type: 'route', from: ctx.model, to: target, reason: `${path} (${spec.kind}) runs on "${target}"` });
  return definition.run(spec, routed, runStrategy, path);
}
