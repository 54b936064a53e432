import { z } from 'zod';
import type { JsonSchema, VerifierSpec } from '../types.js';
import { compileJsonSchema } from './json-schema.js';

export function isValidRegex(pattern: string, flags?: string): boolean {
  try {
    new RegExp(pattern, flags);
    return true;
  } catch {
    return false;
  }
}

/** Flags that change what matches; `g` and `y` would make `test()` stateful across calls. */
export const regexFlags = () => z.string().regex(/^[imsu]*$/, 'flags may only use i, m, s, u');

const jsonSchemaField = z.custom<JsonSchema>(
  (value) => typeof value === 'boolean' || (typeof value === 'object' && value !== null && !Array.isArray(value)),
  'expected a JSON Schema (an object or a boolean)',
);

/** `{ kind: 'regex', pattern, flags? }`, for answers and verifiers alike: the pattern must compile with its flags. */
export const regexRule = z
  .object({
    kind: z.literal('regex'),
    pattern: z.string().min(1).refine((p) => isValidRegex(p), 'not a valid regular expression'),
    flags: regexFlags().optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (!isValidRegex(spec.pattern, spec.flags)) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'not a valid regular expression with these flags' });
  });

export const verifierSchema: z.ZodType<VerifierSpec, VerifierSpec> = z.discriminatedUnion('kind', [
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
  regexRule,
  z.object({ kind: z.literal('callback') }).strict(),
]);
