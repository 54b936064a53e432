import { z } from 'zod';
import './zod-config.js';
import { excerpt, InvalidRequestError, SecondThoughtError } from '../errors.js';
import { specSchema } from '../strategies/registry.js';
import type { ResolvedStrategySpec, StrategySpec } from '../strategies/spec-union.js';
import { checkSpecShape, usesCallback } from '../strategies/spec-walk.js';
import { checkPlainData } from './plain-data.js';
import type { AnswerSpec, BudgetOptions, CacheMode, ChatMessage, SamplingOptions, VerifyCallback } from '../types.js';
import { regexRule } from '../verifiers/schema.js';

const messageSchema = z
  .object({
    role: z.enum(['system', 'user', 'assistant']),
    content: z.string(),
  })
  .strict();

const answerSchema: z.ZodType<AnswerSpec> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('number') }).strict(),
  z.object({ kind: z.literal('choice'), choices: z.array(z.string().min(1)).min(2) }).strict(),
  regexRule,
  z.object({ kind: z.literal('text') }).strict(),
]);

const samplingSchema: z.ZodType<SamplingOptions> = z
  .object({
    temperature: z.number().min(0).max(5).optional(),
    topK: z.number().int().min(1).optional(),
    topP: z.number().gt(0).max(1).optional(),
    maxTokens: z.number().int().min(1).max(32_768).optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  })
  .strict();

const budgetSchema: z.ZodType<BudgetOptions> = z
  .object({
    maxTokens: z.number().int().min(1).optional(),
    maxSamples: z.number().int().min(1).optional(),
    deadlineMs: z.number().positive().optional(),
  })
  .strict();

const cacheModeSchema: z.ZodType<CacheMode> = z.enum(['use', 'bypass', 'refresh']);

const requestSchema = z
  .object({
    messages: z.array(messageSchema).optional(),
    prompt: z.string().optional(),
    strategy: z.lazy(specSchema).optional(),
    answer: answerSchema.optional(),
    sampling: samplingSchema.optional(),
    budget: budgetSchema.optional(),
    cache: cacheModeSchema.optional(),
    // Not cloneable data; checked for type only, then handled by the runtime.
    signal: z.custom<AbortSignal>(isAbortSignalLike, 'expected an AbortSignal (an object that only looks like one is not accepted)').optional(),
    onEvent: z.custom<(e: unknown) => void>((v) => typeof v === 'function', 'expected a function').optional(),
    verify: z.custom<VerifyCallback>((v) => typeof v === 'function', 'expected a function').optional(),
  })
  .strict();

/** A request after validation and defaulting: what strategies, the cache and the worker see. */
export interface NormalizedRequest {
  messages: ChatMessage[];
  strategy: ResolvedStrategySpec;
  answer: AnswerSpec;
  sampling: SamplingOptions;
  budget: BudgetOptions;
  cache: CacheMode;
}

export function normalizeRequest(input: unknown): NormalizedRequest {
  const parsed = readingSafely('', () => {
    if (input !== null && typeof input === 'object' && 'strategy' in input) checkSpecShape(input.strategy, 'strategy');
    const read = parseOrThrow(requestSchema, input);
    const { signal: _signal, onEvent: _onEvent, verify: _verify, ...data } = read;
    checkPlainData(data, '');
    return read;
  });
  if (parsed.strategy && usesCallback(parsed.strategy) && !parsed.verify) {
    throw new InvalidRequestError('verify', "the strategy uses a { kind: 'callback' } verifier but the request has no verify function");
  }
  if (parsed.messages !== undefined && parsed.prompt !== undefined) {
    throw new InvalidRequestError('prompt', 'give either "messages" or "prompt", not both');
  }
  const messages: ChatMessage[] =
    parsed.messages ?? (parsed.prompt !== undefined ? [{ role: 'user', content: parsed.prompt }] : []);
  if (messages.length === 0) {
    throw new InvalidRequestError(parsed.messages ? 'messages' : 'prompt', 'the request has no messages');
  }
  const lastUser = messages.findLastIndex((m) => m.role === 'user');
  if (lastUser === -1) throw new InvalidRequestError('messages', 'there is no user message');
  if (messages[lastUser]!.content.trim() === '') {
    throw new InvalidRequestError(parsed.messages ? `messages.${lastUser}.content` : 'prompt', 'the user message is empty');
  }
  return {
    messages,
    strategy: parsed.strategy ?? { kind: 'greedy' },
    answer: parsed.answer ?? { kind: 'text' },
    sampling: parsed.sampling ?? {},
    budget: parsed.budget ?? {},
    cache: parsed.cache ?? 'use',
  };
}

/** A spec checked and with its defaults written out, or an `InvalidRequestError` naming the field. */
export function validateStrategy(spec: unknown, path = 'strategy'): StrategySpec {
  return readingSafely(path, () => {
    checkSpecShape(spec, path);
    const read = parseOrThrow(specSchema(), spec, path);
    checkPlainData(read, path);
    return read;
  });
}

/**
 * Validation reads the caller's objects, and a hostile one can throw as it is read (a getter, a Proxy) or be
 * too deep for the stack: that is a bad request too, not a TypeError or RangeError from inside zod.
 */
function readingSafely<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof SecondThoughtError) throw error;
    const what = error instanceof RangeError ? 'is nested too deeply to read' : `could not be read (${error instanceof Error ? error.name : typeof error})`;
    throw new InvalidRequestError(path, `the value ${what}`);
  }
}

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, prefix = ''): T {
  if (input === null || typeof input !== 'object') {
    throw new InvalidRequestError(prefix, `expected an object, received ${input === null ? 'null' : typeof input}`);
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
  let problem = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const where = path ? `${path}.${keys[0]}` : keys[0]!;
    const named = keys.slice(0, 5).map((k) => excerpt(k, 40));
    throw new InvalidRequestError(where, `unknown field${keys.length > 1 ? 's' : ''} ${named.join(', ')}${keys.length > 5 ? ` and ${keys.length - 5} more` : ''}`);
  }
  if (issue.code === 'invalid_union' && 'options' in issue) {
    // Quoted as an excerpt: the value is the caller's, of any size or type (JSON.stringify throws on BigInt).
    const received = lookup(input, issue.path);
    problem = `unknown kind ${excerpt(received)}; expected one of ${(issue.options as unknown[]).map((o) => excerpt(o)).join(', ')}`;
  }
  throw new InvalidRequestError(path, problem);
}

function lookup(root: unknown, path: PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

const abortedGetter = typeof AbortSignal === 'undefined' ? undefined : Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')?.get;

/**
 * A real AbortSignal, by the platform's own brand check (its `aborted` getter refuses anything else, from
 * any realm): an object that only looks like one can lack `removeEventListener` or never fire, and would fail
 * deep in the runtime, after validation, or hang.
 */
function isAbortSignalLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (!abortedGetter) return typeof (value as AbortSignal).aborted === 'boolean' && typeof (value as AbortSignal).removeEventListener === 'function';
  try {
    abortedGetter.call(value);
    return true;
  } catch {
    return false;
  }
}
