/**
 * Hostile inputs for the fuzz tests (fast-check): valid requests, specs and options broken in one random
 * place, and values no caller should send — NaN, Infinity, huge and negative numbers, strings where numbers
 * belong, BigInt, functions, symbols, cycles, `__proto__`/`constructor` keys, objects that only look like an
 * AbortSignal, regular expressions the RegExp constructor refuses, megabyte strings.
 */
import fc from 'fast-check';
import { SecondThoughtError } from '../../src/errors.js';

/** `FUZZ_RUNS=100000 npx vitest run test/unit/fuzz` for a long run; `npm test` uses the bounded default. */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 250);
export const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
export const fuzzParams = { numRuns: RUNS, seed: SEED, endOnFailure: true } as const;
/** A test's time limit, scaled to the run count (a long run must not fail by the clock). */
export const FUZZ_TIMEOUT = Math.max(120_000, RUNS * 200);

export const MEGABYTE = 'x'.repeat(1 << 20);
/** Longest message an error may carry: it quotes an excerpt of the offending value, never all of it. */
export const MAX_MESSAGE = 1000;

/** A message quotes at most an excerpt: never 150 characters of the megabyte it may have been given. */
export function quotesExcerptOnly(message: string): boolean {
  return message.length <= MAX_MESSAGE && !message.includes('x'.repeat(150));
}

function cyclic(): object {
  const spec: Record<string, unknown> = { kind: 'cascade', signal: 'vote', threshold: 0.5 };
  spec.then = spec;
  return spec;
}

export const lookalikeSignals = () => [
  { aborted: false, addEventListener() {} },
  { aborted: false, addEventListener() {}, removeEventListener() {} },
  { aborted: 'no', addEventListener() {}, removeEventListener() {} },
  Object.assign(Object.create(EventTarget.prototype) as object, { aborted: false }),
  new EventTarget(),
];

export const badPatterns = ['(', ')', '[', '\\', '*', 'a**', '(?<', '(?<a>x)\\k<b>', '[z-a]', 'x{2,1}', '(?', ''];
export const badFlags = ['ii', 'g', 'y', 'x', 'gy', 'uv', 'v', 'mm', 'I', ' ', 'su s', MEGABYTE.slice(0, 5000)];

/** One value no field of ours accepts in that place, or accepts only by accident. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0, -1, -1e308, 1e308, 2 ** 53 + 1, Number.MIN_VALUE, 0.5, 1e-12),
  fc.constantFrom('5', '0.5', '', ' ', 'NaN', 'true', '{}', '__proto__', 'constructor', MEGABYTE),
  fc.constantFrom(null, undefined, true, false, [], {}, [[[]]], new Date(0), /x/g, new Map(), new Set([1])),
  fc.bigInt(),
  fc.constant(Symbol('s')),
  fc.constant(() => 'a function'),
  fc.constantFrom(...lookalikeSignals()),
  fc.constantFrom(...badPatterns, ...badFlags),
  fc.constant(Object.create(null) as object),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as object),
  fc.constant(cyclic()),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.anything({ maxDepth: 3, withBigInt: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true }),
);

/** A key we never defined, or one that means something to JavaScript objects. */
export const hostileKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'then', MEGABYTE), fc.string({ minLength: 1, maxLength: 20 }));

const verifiers = [{ kind: 'arithmetic' }, { kind: 'regex', pattern: '^\\d+$' }, { kind: 'regex', pattern: 'a', flags: 'i' }, { kind: 'json-schema', schema: { type: 'number' } }, { kind: 'callback' }];

/** Valid specs of every strategy, nested cascades and `model` fields among them (model names the runtime holds). */
export const validSpecs: unknown[] = [
  { kind: 'greedy' },
  { kind: 'greedy', model: 'big' },
  { kind: 'self-consistency', n: 3 },
  { kind: 'best-of-n', n: 3, scorer: 'votes' },
  ...verifiers.map((verifier) => ({ kind: 'best-of-n', n: 2, scorer: 'verifier', verifier })),
  { kind: 'adaptive-consistency', maxSamples: 6, criterion: 'beta', threshold: 0.9 },
  { kind: 'verify-correct' },
  { kind: 'verify-correct', verifier: { kind: 'regex', pattern: '\\d' } },
  { kind: 'self-refine', maxRounds: 2 },
  { kind: 'wait' },
  { kind: 'cascade', signal: 'vote', threshold: 0.8, then: { kind: 'self-consistency', n: 2, model: 'big' } },
  { kind: 'cascade', signal: 'logprob', threshold: 0.5, then: { kind: 'cascade', signal: 'vote', threshold: 0.6, n: 3, then: { kind: 'greedy' } } },
  { kind: 'deepconf', warmup: 2, maxTraces: 4, window: 2, batch: 2 },
];

export const validRequests: Array<Record<string, unknown>> = [
  { prompt: '12+7' },
  { prompt: '12+7', answer: { kind: 'number' }, strategy: validSpecs[2], sampling: { seed: 1, temperature: 0.7, topK: 5, topP: 0.9, maxTokens: 8 } },
  { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'a or b?' }], answer: { kind: 'choice', choices: ['a', 'b'] } },
  { prompt: 'x', answer: { kind: 'regex', pattern: '(\\d+)', flags: 'i' }, budget: { maxTokens: 50, maxSamples: 4, deadlineMs: 1000 }, cache: 'bypass' },
  ...validSpecs.map((strategy) => ({ prompt: '40+2', answer: { kind: 'number' }, strategy })),
];

/** Every path into a plain value: where a mutation can land. */
export function pathsOf(value: unknown, prefix: string[] = [], into: string[][] = []): string[][] {
  into.push(prefix);
  if (value !== null && typeof value === 'object' && prefix.length < 8) {
    for (const [key, child] of Object.entries(value)) pathsOf(child, [...prefix, key], into);
  }
  return into;
}

/** A deep copy of `base` with the value at `path` replaced (or, with `addKey`, a key added there). */
export function mutate(base: unknown, path: string[], value: unknown, addKey?: string): unknown {
  const copy = deepCopy(base) as Record<string, unknown>;
  if (path.length === 0) return addKey === undefined ? value : Object.assign(copy, { [addKey]: value });
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path.at(-1)!;
  if (addKey !== undefined && node[last] !== null && typeof node[last] === 'object') {
    Object.defineProperty(node[last], addKey, { value, enumerable: true, configurable: true, writable: true });
  } else {
    node[last] = value;
  }
  return copy;
}

/** Plain objects and arrays copied; anything else (functions among them) kept as it is. */
function deepCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deepCopy);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepCopy(v)]));
  }
  return value;
}

/** A valid input broken in one random place: a field replaced by a hostile value, or a hostile key added. */
export function brokenInput(bases: unknown[]): fc.Arbitrary<unknown> {
  return fc
    .constantFrom(...bases)
    .chain((base) => fc.tuple(fc.constant(base), fc.constantFrom(...pathsOf(base)), hostile, fc.option(hostileKey, { freq: 3 })))
    .map(([base, path, value, key]) => mutate(base, path, value, key ?? undefined));
}

/** Counts what happened to each input, for docs/reliability.md. */
export class Tally {
  readonly counts: Record<string, number> = {};
  add(outcome: string): void {
    this.counts[outcome] = (this.counts[outcome] ?? 0) + 1;
  }
  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
}

/** What the error is, for a tally: our typed error's name, else the foreign error that escaped. */
export function outcomeOf(error: unknown): string {
  if (error instanceof SecondThoughtError) return error.name;
  return `ESCAPED ${error instanceof Error ? error.name : typeof error}`;
}

/** Rejections nobody handled while `body` ran (and shortly after): there must be none. */
export async function withUnhandledDetector<T>(body: () => Promise<T>): Promise<{ value: T; unhandled: unknown[] }> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const value = await body();
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { value, unhandled };
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
}

/** Settles within `ms` or says it is still pending. */
export function within<T>(promise: Promise<T>, ms: number): Promise<{ settled: true; value?: T; error?: unknown } | { settled: false }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<{ settled: false }>((resolve) => (timer = setTimeout(() => resolve({ settled: false }), ms)));
  const settled = promise.then(
    (value) => ({ settled: true as const, value }),
    (error: unknown) => ({ settled: true as const, error }),
  );
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}
