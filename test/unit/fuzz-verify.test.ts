import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.js';
import type { StrategySpec, VerifyCallback } from '../../src/types.js';
import { recordFigure } from '../e2e/fixtures/reliability-figures.js';
import { scriptedRuntime } from '../helpers/runtime.js';
import { honestCheck, tinyScript } from '../helpers/tiny-script.js';
import { FUZZ_TIMEOUT, fuzzParams, hostile, MEGABYTE, outcomeOf, Tally, within, withUnhandledDetector } from './fuzz-support.js';

/**
 * The page's `verify` callback is the caller's code: it may throw anything, return anything, or never
 * answer. The documented behaviour (src/verifiers/index.ts): a throw or a non-boolean is "cannot judge"
 * (verdict null), and the request answers; a callback that outlives `budget.deadlineMs` ends the request with
 * its best answer so far (`budgetExhausted`); without a deadline, the caller's abort ends it with AbortError.
 */

const callbackStrategies: StrategySpec[] = [
  { kind: 'best-of-n', n: 3, scorer: 'verifier', verifier: { kind: 'callback' } },
  { kind: 'verify-correct', verifier: { kind: 'callback' } },
  { kind: 'wait', verifier: { kind: 'callback' } },
  { kind: 'cascade', signal: 'vote', threshold: 1, n: 2, then: { kind: 'best-of-n', n: 2, scorer: 'verifier', verifier: { kind: 'callback' } } },
];

const throwingGetter = Object.defineProperty(new Error('x'), 'message', {
  get() {
    throw new Error('the message getter throws');
  },
});
const unprintable = { toString: () => { throw new Error('toString throws'); } };

type Behaviour = { kind: 'returns' | 'resolves' | 'throws' | 'rejects'; value: unknown } | { kind: 'hangs' } | { kind: 'late'; ms: number };

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constantFrom('returns' as const, 'resolves' as const, 'throws' as const, 'rejects' as const), value: fc.oneof(hostile, fc.constantFrom(throwingGetter, unprintable, new Error(MEGABYTE), Object.create(null) as object)) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'hangs' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('late' as const), ms: fc.integer({ min: 40, max: 120 }) }) },
);

function callback(b: Behaviour): VerifyCallback {
  switch (b.kind) {
    case 'returns':
      return (() => b.value) as unknown as VerifyCallback;
    case 'resolves':
      return (async () => b.value) as unknown as VerifyCallback;
    case 'throws':
      return () => {
        throw b.value;
      };
    case 'rejects':
      return () => Promise.reject(b.value);
    case 'hangs':
      return () => new Promise<boolean>(() => {});
    case 'late':
      return () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), b.ms));
  }
}

const tally = new Tally();
afterAll(() => recordFigure('fuzz:verify callbacks', tally.counts));

describe('hostile verify callbacks', () => {
  it('throwing, returning non-booleans, hanging past the deadline: the request answers, as documented', async () => {
    const { unhandled } = await withUnhandledDetector(() =>
      fc.assert(
        fc.asyncProperty(fc.constantFrom(...callbackStrategies), behaviour, async (strategy, b) => {
          const { runtime } = scriptedRuntime(tinyScript({ draft: ({ row }) => ['5', '4', '6'][row % 3]!, check: honestCheck('4') }), { cache: false });
          // A short deadline where the callback outlives it; room to finish otherwise (a slow machine must not cut it).
          const deadlineMs = b.kind === 'hangs' || b.kind === 'late' ? 30 : 2_000;
          const outcome = await within(runtime.solve({ prompt: '2+2', answer: { kind: 'number' }, strategy, verify: callback(b), budget: { deadlineMs } }), 5_000);
          expect(outcome.settled, `pending with ${b.kind}`).toBe(true);
          if (!outcome.settled) return;
          if ('error' in outcome && outcome.error !== undefined) throw new Error(`${outcomeOf(outcome.error)} from a ${b.kind} callback: ${String(outcome.error).slice(0, 200)}`);
          const result = outcome.value!;
          for (const event of result.trace) {
            if (event.type === 'verify') expect(event.reason?.length ?? 0).toBeLessThanOrEqual(300);
          }
          const judged = result.trace.filter((e) => e.type === 'verify' && e.by === 'verifier:callback');
          if (b.kind === 'throws' || b.kind === 'rejects' || ((b.kind === 'returns' || b.kind === 'resolves') && typeof b.value !== 'boolean')) {
            expect(judged.every((e) => e.type === 'verify' && e.verdict === null)).toBe(true);
          }
          tally.add(result.budgetExhausted ? 'answered at the deadline (callback too slow)' : judged.some((e) => e.type === 'verify' && e.verdict === null) ? 'answered, callback could not judge' : 'answered, callback judged');
        }),
        fuzzParams,
      ),
    );
    expect(unhandled).toEqual([]);
  }, FUZZ_TIMEOUT);

  it('a callback that never answers, with no deadline: the caller’s abort ends the request with AbortError', async () => {
    for (const strategy of callbackStrategies) {
      const { runtime } = scriptedRuntime(tinyScript({ draft: ({ row }) => ['5', '4', '6'][row % 3]!, check: honestCheck('4') }), { cache: false });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 20);
      const outcome = await within(runtime.solve({ prompt: '2+2', answer: { kind: 'number' }, strategy, verify: () => new Promise<boolean>(() => {}), signal: controller.signal }), 2_000);
      expect(outcome).toMatchObject({ settled: true });
      expect((outcome as { error?: unknown }).error).toBeInstanceOf(AbortError);
      tally.add('aborted while the callback hung');
    }
  });
});
