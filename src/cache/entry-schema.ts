import { z } from 'zod';
import type { SolveResult, TraceEvent } from '../types.js';
import { CACHE_VERSION } from './key.js';

/**
 * What a stored cache entry must look like before it is served. The store is outside our control: another
 * version of this code, another tab, a browser extension or a corrupted database can leave anything there,
 * and a result of the right outline but the wrong field types would reach the page and break the view.
 */

// Any JS number, NaN and ±Infinity included: a mean log-prob or a score can be -Infinity, structured clone
// keeps it, and the TS type is `number`; z.number() would refuse those and turn a good entry into a miss.
const num = z.custom<number>((v) => typeof v === 'number', 'expected a number');
const nullableNum = num.nullable();
const nullableStr = z.string().nullable();

// z.record skips an own "__proto__" key without checking its value, and vote counts are keyed by answers,
// which are model text: check plain objects by hand.
const numberRecord = z.custom<Record<string, number>>(isNumberRecord, 'expected a record of numbers');

function isNumberRecord(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((v) => typeof v === 'number');
}

const modelUsageSchema = z.object({ promptTokens: num, completionTokens: num, samples: num, engineCalls: num });
const usageSchema = modelUsageSchema.extend({ ms: num, byModel: z.record(z.string(), modelUsageSchema) });

// The strategy spec schema is being refactored (request/schema.ts owns it); an object naming its kind is
// all a served result needs. Tighten this to the request schema's strategy once that settles.
const strategySchema = z.looseObject({ kind: z.string() });

const t = num;
const traceEventSchema = z.discriminatedUnion('type', [
  z.object({ t, type: z.literal('draft'), text: z.string(), answer: nullableStr, tokens: num }),
  z.object({
    t,
    type: z.literal('sample'),
    index: num,
    text: z.string(),
    answer: nullableStr,
    meanLogprob: nullableNum,
    confidence: nullableNum,
  }),
  z.object({ t, type: z.literal('vote'), counts: numberRecord, leader: nullableStr, share: num }),
  z.object({
    t,
    type: z.literal('verify'),
    answer: nullableStr,
    verdict: z.boolean().nullable(),
    score: nullableNum,
    by: z.string(),
    reason: z.string().optional(),
    replies: num.optional(),
  }),
  z.object({ t, type: z.literal('critique'), text: z.string(), says: z.enum(['correct', 'incorrect', 'unclear']) }),
  z.object({ t, type: z.literal('revise'), from: nullableStr, to: nullableStr, text: z.string() }),
  z.object({ t, type: z.literal('decision'), choice: z.string(), reason: z.string() }),
  z.object({ t, type: z.literal('confidence'), signal: z.string(), value: nullableNum, threshold: num.optional() }),
  z.object({ t, type: z.literal('stop'), rule: z.string(), reason: z.string(), numbers: numberRecord }),
  z.object({ t, type: z.literal('token'), index: num, token: z.string() }),
  z.object({ t, type: z.literal('trace-score'), index: num, score: nullableNum, tokens: num, stopped: z.boolean(), threshold: nullableNum }),
  z.object({ t, type: z.literal('route'), from: z.string(), to: z.string(), reason: z.string() }),
  z.object({ t, type: z.literal('error'), model: z.string(), name: z.string(), message: z.string(), status: nullableNum }),
  z.object({
    t,
    type: z.literal('result'),
    // A result event carries a whole result (recursion through a getter, as zod 4 wants it).
    get result() {
      return resultSchema;
    },
  }),
]);

const resultSchema = z.object({
  answer: nullableStr,
  text: z.string(),
  confidence: nullableNum,
  strategy: strategySchema,
  usage: usageSchema,
  cached: z.boolean(),
  budgetExhausted: z.boolean(),
  escalation: z.literal('failed').optional(),
  get trace(): z.ZodArray<typeof traceEventSchema> {
    return z.array(traceEventSchema);
  },
});

/** The bookkeeping around a stored result; checked for every entry when the index is built. */
const envelopeSchema = z.object({
  version: z.number(),
  createdAt: z.number(),
  lastUsed: z.number(),
  bytes: z.number().nonnegative(),
  result: z.unknown(),
});

export interface StoredEntry {
  version: number;
  result: SolveResult;
  createdAt: number;
  lastUsed: number;
  bytes: number;
}

export type EntryCheck<T> = { kind: 'ok'; entry: T } | { kind: 'missing' } | { kind: 'invalid'; why: string } | { kind: 'version' };

/** The envelope only (cheap: no result validation), for building the index from every stored entry. */
export function checkEnvelope(value: unknown): EntryCheck<{ createdAt: number; lastUsed: number; bytes: number }> {
  if (value === undefined) return { kind: 'missing' };
  if (typeof value !== 'object' || value === null) return { kind: 'invalid', why: `a ${value === null ? 'null' : typeof value}` };
  const version: unknown = safeGet(value, 'version');
  // Entries written before the version was stored carry no version field but have the old envelope.
  if (version === undefined && safeGet(value, 'result') !== undefined) return { kind: 'version' };
  if (typeof version === 'number' && version !== CACHE_VERSION) return { kind: 'version' };
  const parsed = safeParse(envelopeSchema, value);
  return parsed.ok ? { kind: 'ok', entry: parsed.value } : { kind: 'invalid', why: parsed.why };
}

/** The envelope and the result, before an entry is served. Never throws. */
export function checkEntry(value: unknown): EntryCheck<StoredEntry> {
  const envelope = checkEnvelope(value);
  if (envelope.kind !== 'ok') return envelope;
  const result = safeParse(resultSchema, safeGet(value as object, 'result'));
  if (!result.ok) return { kind: 'invalid', why: `result: ${result.why}` };
  // The parsed copy holds exactly the checked fields; its `strategy` is looser than StrategySpec (see above).
  return { kind: 'ok', entry: { ...envelope.entry, version: CACHE_VERSION, result: result.value as SolveResult } };
}

/** Whether a result has the shape a stored one must have (for tests and diagnostics). */
export function isServableResult(value: unknown): boolean {
  return safeParse(resultSchema, value).ok;
}

function safeParse<T>(schema: z.ZodType<T>, value: unknown): { ok: true; value: T } | { ok: false; why: string } {
  try {
    const parsed = schema.safeParse(value);
    if (parsed.success) return { ok: true, value: parsed.data };
    const issue = parsed.error.issues[0];
    return { ok: false, why: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid' };
  } catch (error) {
    // A value nested deeper than the stack, or a getter or proxy that throws: not servable either way.
    return { ok: false, why: error instanceof Error ? error.name : 'threw' };
  }
}

function safeGet(value: object, key: string): unknown {
  try {
    return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  } catch {
    return undefined;
  }
}

// Compile-time checks that the schema covers the public types: a new SolveResult field, trace event type or
// trace event field that is not added here fails `tsc` (zod would strip the field, or refuse the event and
// turn every such result into a miss).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type Parsed = z.output<typeof resultSchema>;
type ParsedEvent = z.output<typeof traceEventSchema>;
type KeysByType<U> = U extends { type: infer K } ? [K, keyof U] : never;
type Plain<U> = U extends { type: 'result' } ? never : U;
export type SchemaCoversTypes = [
  Assert<Same<keyof Parsed, keyof SolveResult>>,
  Assert<Same<Omit<Parsed, 'strategy' | 'trace'>, Omit<SolveResult, 'strategy' | 'trace'>>>,
  Assert<Same<KeysByType<ParsedEvent>, KeysByType<TraceEvent>>>,
  Assert<Same<Plain<ParsedEvent>, Plain<TraceEvent>>>,
];
