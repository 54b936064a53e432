import type { z } from 'zod';
import { EngineError } from '../errors.js';
import type { BUILTIN_STRATEGIES } from './registry.js';

type Builtin = (typeof BUILTIN_STRATEGIES)[number];

/** A strategy spec as a user writes it: the union of every built-in strategy's schema input. */
export type StrategySpec = z.input<Builtin['schema']>;
export type StrategyKind = StrategySpec['kind'];
/** A spec after validation: every default written out (what runs, what is cached, `result.strategy`). */
export type ResolvedStrategySpec = z.output<Builtin['schema']>;

export type SpecSchema = z.ZodType<ResolvedStrategySpec, StrategySpec>;

let current: SpecSchema | null = null;

/**
 * The registry's union, for specs that hold specs (a cascade's `then`). It lives here rather than in the
 * registry so that a strategy file never imports the registry that imports it.
 */
export function nestedSpecSchema(): SpecSchema {
  if (!current) throw new EngineError('unreachable: the strategy registry sets the spec schema when it loads');
  return current;
}

export function setNestedSpecSchema(schema: SpecSchema): void {
  current = schema;
}
