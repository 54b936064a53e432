import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/cache/store.js';
import { InvalidRequestError } from '../../src/errors.js';
import { findModel } from '../../src/models/catalog.js';
import { validateStrategy } from '../../src/request/schema.js';
import { createLocalRuntime } from '../../src/runtime/local.js';
import { recordFigure } from '../e2e/fixtures/reliability-figures.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { badFlags, badPatterns, lookalikeSignals, brokenInput, FUZZ_TIMEOUT, fuzzParams, hostile, MAX_MESSAGE, quotesExcerptOnly, MEGABYTE, outcomeOf, Tally, validRequests, validSpecs, within, withUnhandledDetector } from './fuzz-support.js';

/**
 * Requests, strategy specs and messages from hostile callers, through `solve()` on a runtime of two scripted
 * models (so `model` fields and cascades escalate for real, and the result cache computes keys): every input
 * is answered or refused with a typed error — an InvalidRequestError naming a path the input has — and
 * nothing else escapes, nothing hangs, no rejection goes unhandled, and no message quotes more than an
 * excerpt of what it was given.
 */

const answerAll = () => scriptedEngine(() => '42');
const runtime = createLocalRuntime({
  models: [
    { name: 'main', entry: findModel('tiny-arith'), engine: answerAll() },
    { name: 'big', entry: findModel('tiny-arith'), engine: answerAll() },
  ],
  store: memoryStore(),
});
const requests = new Tally();
const specs = new Tally();

afterAll(async () => {
  await runtime.dispose();
  recordFigure('fuzz:requests', requests.counts);
  recordFigure('fuzz:strategy specs', specs.counts);
});

/**
 * Whether `path` leads into `input` (its last step may name a field that is missing: "required"). Keys may
 * hold dots, and a long key is quoted as an excerpt ending in "…".
 */
function pathIn(node: unknown, path: string): boolean {
  if (path === '' || !path.includes('.')) return true;
  if (node === null || typeof node !== 'object') return false;
  return Object.keys(node).some((key) => {
    const step = key.length > 40 ? `${key.slice(0, 40)}…` : key;
    return path === step || (path.startsWith(`${step}.`) && pathIn((node as Record<string, unknown>)[key], path.slice(step.length + 1)));
  });
}

/** One input through solve(); returns its outcome or throws what the property forbids. */
async function solveOne(input: unknown): Promise<string> {
  const withVerify = input !== null && typeof input === 'object' && !Array.isArray(input) && !('verify' in input) ? { ...input, verify: async () => true } : input;
  const outcome = await within(runtime.solve(withVerify as never), 5_000);
  if (!outcome.settled) throw new Error(`solve() still pending after 5 s: ${String(JSON.stringify(input)).slice(0, 200)}`);
  if (!('error' in outcome) || outcome.error === undefined) return 'answered';
  const error = outcome.error;
  const name = outcomeOf(error);
  if (name.startsWith('ESCAPED')) throw new Error(`${name} escaped: ${String(error).slice(0, 300)}`);
  expect(quotesExcerptOnly((error as Error).message), (error as Error).message.slice(0, 200)).toBe(true);
  if (error instanceof InvalidRequestError) {
    expect(error.path.length).toBeLessThanOrEqual(MAX_MESSAGE);
    expect(pathIn(withVerify, error.path), `path "${error.path}" is not in the input`).toBe(true);
  }
  return name;
}

describe('hostile requests', () => {
  it('valid requests broken in one place: answered or refused with a typed error naming its path', async () => {
    const { unhandled } = await withUnhandledDetector(() =>
      fc.assert(
        fc.asyncProperty(brokenInput(validRequests), async (input) => {
          requests.add(await solveOne(input));
        }),
        fuzzParams,
      ),
    );
    expect(unhandled).toEqual([]);
  }, FUZZ_TIMEOUT);

  it('arbitrary values as the whole request', async () => {
    const { unhandled } = await withUnhandledDetector(() =>
      fc.assert(
        fc.asyncProperty(fc.oneof(hostile, fc.dictionary(fc.constantFrom('prompt', 'messages', 'strategy', 'answer', 'sampling', 'budget', 'cache', 'signal'), hostile)), async (input) => {
          requests.add(await solveOne(input));
        }),
        fuzzParams,
      ),
    );
    expect(unhandled).toEqual([]);
  }, FUZZ_TIMEOUT);

  it('the extremes: a 1 MB prompt, 10,000 messages, 10,000-deep specs, a 1 MB key, cyclic messages', async () => {
    let deepSpec: unknown = { kind: 'greedy' };
    for (let i = 0; i < 10_000; i++) deepSpec = { kind: 'cascade', signal: 'vote', threshold: 0.5, then: deepSpec };
    let deepJunk: unknown = 1;
    for (let i = 0; i < 100_000; i++) deepJunk = { a: deepJunk };
    const cyclicMessages: unknown[] = [];
    cyclicMessages.push(cyclicMessages);
    const tenThousand = Array.from({ length: 10_000 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `${i}+1` }));
    const cases: Array<[string, unknown, string]> = [
      ['1 MB prompt', { prompt: MEGABYTE }, 'answered'],
      ['10,000 messages', { messages: tenThousand }, 'answered'],
      ['10,000-deep cascade', { prompt: 'x', strategy: deepSpec }, 'InvalidRequestError'],
      ['100,000-deep junk in a spec', { prompt: 'x', strategy: { kind: 'greedy', extra: deepJunk } }, 'InvalidRequestError'],
      ['100,000-deep junk as the answer', { prompt: 'x', answer: deepJunk }, 'InvalidRequestError'],
      ['1 MB unknown key', { prompt: 'x', [MEGABYTE]: 1 }, 'InvalidRequestError'],
      ['1 MB strategy kind', { prompt: 'x', strategy: { kind: MEGABYTE } }, 'InvalidRequestError'],
      ['1 MB answer kind', { prompt: 'x', answer: { kind: MEGABYTE } }, 'InvalidRequestError'],
      ['1 MB model name', { prompt: 'x', strategy: { kind: 'greedy', model: MEGABYTE.slice(0, 100) } }, 'InvalidRequestError'],
      ['1 MB JSON Schema type', { prompt: 'x', strategy: { kind: 'best-of-n', n: 2, scorer: 'verifier', verifier: { kind: 'json-schema', schema: { type: MEGABYTE } } } }, 'InvalidRequestError'],
      ['cyclic messages', { messages: cyclicMessages }, 'InvalidRequestError'],
    ];
    const { unhandled } = await withUnhandledDetector(async () => {
      for (const [label, input, expected] of cases) {
        const outcome = await solveOne(input);
        requests.add(outcome);
        expect(outcome, label).toBe(expected);
      }
    });
    expect(unhandled).toEqual([]);
  });

  it('a request with a 1 MB prompt answers in well under a second per megabyte', async () => {
    const started = performance.now();
    await expect(runtime.solve({ prompt: MEGABYTE, cache: 'bypass' })).resolves.toMatchObject({ answer: '42' });
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('named cases', () => {
  const refusedAt = async (input: unknown) => {
    const error = await runtime.solve(input as never).then(
      () => null,
      (e: unknown) => e,
    );
    requests.add(error ? outcomeOf(error) : 'answered');
    expect(error, String(JSON.stringify(input, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).slice(0, 200)).toBeInstanceOf(InvalidRequestError);
    return (error as InvalidRequestError).path;
  };

  it('every regex field, with patterns and flags the RegExp constructor refuses (and exponential ones)', async () => {
    const verifier = (v: object) => ({ prompt: 'x', strategy: { kind: 'best-of-n', n: 2, scorer: 'verifier', verifier: { kind: 'regex', ...v } } });
    const wait = (v: object) => ({ prompt: 'x', strategy: { kind: 'wait', verifier: { kind: 'regex', ...v } } });
    const answer = (v: object) => ({ prompt: 'x', answer: { kind: 'regex', ...v } });
    for (const [make, prefix] of [[answer, 'answer'], [verifier, 'strategy.verifier'], [wait, 'strategy.verifier']] as const) {
      for (const pattern of [...badPatterns, '(a+)+$', '(\\w*\\s?)*!']) expect(await refusedAt(make({ pattern }))).toBe(`${prefix}.pattern`);
      for (const flags of badFlags) expect(await refusedAt(make({ pattern: 'a', flags }))).toBe(`${prefix}.flags`);
      // Valid alone, refused with the flag: the pattern, read with that flag.
      expect(await refusedAt(make({ pattern: '\\p', flags: 'u' }))).toBe(`${prefix}.pattern`);
    }
  });

  it('objects that only look like an AbortSignal, and values JSON cannot carry, are refused where they are', async () => {
    for (const signal of lookalikeSignals()) expect(await refusedAt({ prompt: 'x', signal })).toBe('signal');
    const schema = (value: unknown) => ({ prompt: 'x', strategy: { kind: 'best-of-n', n: 2, scorer: 'verifier', verifier: { kind: 'json-schema', schema: { type: 'object', properties: { a: { type: 'number' } }, default: value } } } });
    for (const value of [() => 1, 10n, Symbol('s'), new Map(), NaN, new Date(0)]) expect(await refusedAt(schema(value))).toMatch(/^strategy\.verifier\.schema/);
    // A real signal from another realm's constructor still passes the brand check.
    await expect(runtime.solve({ prompt: 'x', signal: AbortSignal.timeout(10_000) })).resolves.toMatchObject({ answer: '42' });
  });
});

describe('hostile strategy specs', () => {
  it('validateStrategy: a valid spec with its defaults, or an InvalidRequestError naming the field', () => {
    fc.assert(
      fc.property(fc.oneof(brokenInput(validSpecs), hostile), (spec) => {
        try {
          const resolved = validateStrategy(spec);
          // What it accepted, it accepts again as it wrote it out (defaults are idempotent).
          expect(validateStrategy(resolved)).toEqual(resolved);
          specs.add('valid');
        } catch (error) {
          const name = outcomeOf(error);
          if (name.startsWith('ESCAPED')) throw new Error(`${name} escaped validateStrategy: ${String(error).slice(0, 300)}`);
          expect(error).toBeInstanceOf(InvalidRequestError);
          expect(quotesExcerptOnly((error as Error).message), (error as Error).message.slice(0, 200)).toBe(true);
          expect((error as InvalidRequestError).path.startsWith('strategy')).toBe(true);
          specs.add(name);
        }
      }),
      fuzzParams,
    );
  }, FUZZ_TIMEOUT);
});
