import { z } from 'zod';
import type { JsonSchema } from '../types.js';
import type { VerifierInput, VerifierResult } from './verifier.js';

const compiled = new WeakMap<object, z.ZodType>();

/**
 * Compiles a JSON Schema with zod's `fromJSONSchema` (already a dependency; it throws on what it does not
 * support, such as if/then/else or external $refs, rather than ignoring it). Throws on a bad schema:
 * request validation calls this so the error names the field.
 */
export function compileJsonSchema(schema: JsonSchema): z.ZodType {
  if (typeof schema === 'boolean') return schema ? z.any() : z.never();
  let validator = compiled.get(schema);
  if (!validator) {
    validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    compiled.set(schema, validator);
  }
  return validator;
}

/** Accepts when the answer (or, failing that, the first JSON value in the text) parses and matches. */
export function verifyJsonSchema(schema: JsonSchema, input: VerifierInput): VerifierResult {
  const value = parseJsonFrom(input.answer) ?? parseJsonFrom(input.text);
  if (value === undefined) return { verdict: false, reason: 'no JSON value in the answer' };
  const result = compileJsonSchema(schema).safeParse(value.parsed);
  if (result.success) return { verdict: true, reason: 'the JSON matches the schema' };
  const issue = result.error.issues[0]!;
  const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return { verdict: false, reason: `schema mismatch at ${where}: ${issue.message}` };
}

/** The whole text as JSON, else the span from the first "{" or "[" to the last "}" or "]". */
function parseJsonFrom(text: string | null): { parsed: unknown } | undefined {
  if (text === null) return undefined;
  const attempts = [text.trim()];
  const start = text.search(/[{[]/);
  const end = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'));
  if (start !== -1 && end > start) attempts.push(text.slice(start, end + 1));
  for (const attempt of attempts) {
    try {
      return { parsed: JSON.parse(attempt) as unknown };
    } catch {
      // try the next span
    }
  }
  return undefined;
}
