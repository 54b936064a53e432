import { z } from 'zod';
import { InvalidRequestError } from '../errors.js';
import type { JsonSchema, StrategySpec, VerifierSpec } from '../types.js';
import { compileJsonSchema } from '../verifiers/json-schema.js';

/** Upper bound on samples in any one spec; more than this on an on-device model is a mistake, not a plan. */
export const MAX_SAMPLES = 64;
/** Strategies nest (a cascade's `then`) at most this deep, counting the outermost as 1. */
export const MAX_SPEC_DEPTH = 4;
/** Rounds of refinement, correction or nudging: past a few, small models only drift. */
export const MAX_ROUNDS = 8;

const sampleCount = z.number().int().min(1).max(MAX_SAMPLES);
const rounds = (min: number) => z.number().int().min(min).max(MAX_ROUNDS);
const probability = z.number().min(0).max(1);

export function isValidRegex(pattern: string, flags?: string): boolean {
  try {
    new RegExp(pattern, flags);
    return true;
  } catch {
    return false;
  }
}

const jsonSchemaField = z.custom<JsonSchema>(
  (value) => typeof value === 'boolean' || (typeof value === 'object' && value !== null && !Array.isArray(value)),
  'expected a JSON Schema (an object or a boolean)',
);

export const verifierSchema: z.ZodType<VerifierSpec> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('arithmetic') }).strict(),
  z
    .object({ kind: z.literal('json-schema'), schema: jsonSchemaField })
    .strict()
    .superRefine((spec, ctx) => {
      try {
        compileJsonSchema(spec.schema);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['schema'], message: `unsupported JSON Schema: ${error instanceof Error ? error.message : String(error)}` });
      }
    }),
  z
    .object({
      kind: z.literal('regex'),
      pattern: z.string().min(1).refine((p) => isValidRegex(p), 'not a valid regular expression'),
      flags: z.string().regex(/^[imsu]*$/, 'flags may only use i, m, s, u').optional(),
    })
    .strict(),
  z.object({ kind: z.literal('callback') }).strict(),
]);

export const strategySchema: z.ZodType<StrategySpec> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('greedy') }).strict(),
    z.object({ kind: z.literal('self-consistency'), n: sampleCount }).strict(),
    z
      .object({
        kind: z.literal('best-of-n'),
        n: sampleCount,
        scorer: z.enum(['logprob', 'confidence', 'self-verify', 'verifier']),
        verifier: verifierSchema.optional(),
      })
      .strict()
      .superRefine((spec, ctx) => {
        if (spec.scorer === 'verifier' && !spec.verifier) {
          ctx.addIssue({ code: 'custom', path: ['verifier'], message: "scorer 'verifier' needs a verifier" });
        }
        if (spec.scorer !== 'verifier' && spec.verifier) {
          ctx.addIssue({ code: 'custom', path: ['verifier'], message: `a verifier is only used with scorer 'verifier', not '${spec.scorer}'` });
        }
      }),
    z
      .object({
        kind: z.literal('adaptive-consistency'),
        maxSamples: sampleCount.optional(),
        criterion: z.enum(['beta', 'dirichlet', 'entropy', 'majority']).optional(),
        threshold: probability.optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('verify-correct'),
        samples: sampleCount.optional(),
        rounds: rounds(0).optional(),
        verifier: verifierSchema.optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('self-refine'),
        maxRounds: rounds(1).optional(),
        prompts: z.enum(['critique', 'ioe']).optional(),
        verifier: verifierSchema.optional(),
      })
      .strict(),
    z.object({ kind: z.literal('wait'), maxNudges: rounds(1).optional(), verifier: verifierSchema.optional() }).strict(),
    z
      .object({
        kind: z.literal('cascade'),
        signal: z.enum(['confidence-token', 'logprob', 'self-verify', 'vote']),
        threshold: probability,
        n: sampleCount.optional(),
        then: strategySchema,
      })
      .strict()
      .superRefine((spec, ctx) => {
        if (spec.n !== undefined && spec.signal !== 'vote') {
          ctx.addIssue({ code: 'custom', path: ['n'], message: `n is the size of the vote and only applies to signal 'vote', not '${spec.signal}'` });
        }
      }),
  ]),
);

/**
 * Checked before the schema runs, because a cyclic object would send a recursive schema into endless
 * recursion: no object may contain itself, and strategies nest at most MAX_SPEC_DEPTH deep.
 */
export function checkSpecShape(spec: unknown, path: string): void {
  const ancestors = new Set<object>();
  const walk = (value: unknown, at: string, depth: number): void => {
    if (value === null || typeof value !== 'object') return;
    if (ancestors.has(value)) throw new InvalidRequestError(at, 'the spec contains itself (a cycle)');
    if (ancestors.size > 64) throw new InvalidRequestError(at, 'the spec is nested too deeply');
    ancestors.add(value);
    for (const [key, child] of Object.entries(value)) {
      const childPath = `${at}.${key}`;
      if (key === 'then' && child !== null && typeof child === 'object' && !ancestors.has(child) && depth + 1 > MAX_SPEC_DEPTH) {
        throw new InvalidRequestError(childPath, `strategies nest at most ${MAX_SPEC_DEPTH} deep`);
      }
      walk(child, childPath, key === 'then' ? depth + 1 : depth);
    }
    ancestors.delete(value);
  };
  walk(spec, path, 1);
}

/** Whether any verifier in the spec (nested ones included) calls the request's `verify` function. */
export function usesCallback(spec: StrategySpec): boolean {
  if ('verifier' in spec && spec.verifier?.kind === 'callback') return true;
  return spec.kind === 'cascade' ? usesCallback(spec.then) : false;
}
