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

/**
 * Whether a pattern repeats, without bound, a group that itself repeats without bound (`(a+)+`, `(\\w*\\s?)*`):
 * the shape whose backtracking is exponential in the text's length. JavaScript cannot stop a running match,
 * so such a pattern over a model's answer could hold the worker for minutes; we refuse it instead.
 */
export function hasNestedQuantifier(pattern: string): boolean {
  const groups: boolean[] = [];
  let inner = false;
  let inClass = false;
  const unboundedAt = (i: number) => pattern[i] === '*' || pattern[i] === '+' || (pattern[i] === '{' && /^\{\d+,\}/.test(pattern.slice(i)));
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') {
      groups.push(inner);
      inner = false;
    } else if (c === ')') {
      const repeatsInside: boolean = inner;
      inner = (groups.pop() ?? false) || repeatsInside;
      if (repeatsInside && unboundedAt(i + 1)) return true;
    } else if (unboundedAt(i)) inner = true;
  }
  return false;
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
    pattern: z
      .string()
      .min(1)
      .max(1000)
      .refine((p) => isValidRegex(p), 'not a valid regular expression')
      .refine((p) => !hasNestedQuantifier(p), 'a repeated group that itself repeats without bound (like "(a+)+") can take exponential time; write it without the nesting'),
    flags: regexFlags().optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (isValidRegex(spec.pattern, spec.flags)) return;
    // Flags the constructor refuses whatever the pattern ("ii") are the flags' fault; otherwise the pattern's.
    if (!isValidRegex('', spec.flags)) ctx.addIssue({ code: 'custom', path: ['flags'], message: 'flags may use each of i, m, s, u once' });
    else ctx.addIssue({ code: 'custom', path: ['pattern'], message: `not a valid regular expression with flags "${spec.flags}"` });
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
        const said = error instanceof Error ? error.message : 'it could not be read';
        ctx.addIssue({ code: 'custom', path: ['schema'], message: `unsupported JSON Schema: ${said.length > 80 ? `${said.slice(0, 80)}…` : said}` });
      }
    }),
  regexRule,
  z.object({ kind: z.literal('callback') }).strict(),
]);
