import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isServableResult } from '../../src/cache/entry-schema.js';
import { createResultCache } from '../../src/cache/result-cache.js';
import { memoryStore } from '../../src/cache/store.js';
import type { SolveResult, TraceEvent } from '../../src/types.js';
import { envelope, noWarn, result } from './fakes/cache-entries.js';

/** Fixed seed and a bounded count for CI; FUZZ_RUNS=20000 for a longer run. */
const params = { seed: 11, numRuns: Number(process.env.FUZZ_RUNS) || 200 };

const num = fc.double();
const nStr = fc.option(fc.string(), { nil: null });
const nNum = fc.option(num, { nil: null });
const counts = fc.dictionary(fc.string(), num);
const t = num;

function event(inner: fc.Arbitrary<SolveResult> | null): fc.Arbitrary<TraceEvent> {
  const plain: Array<fc.Arbitrary<TraceEvent>> = [
    fc.record({ t, type: fc.constant('draft' as const), text: fc.string(), answer: nStr, tokens: num }),
    fc.record({ t, type: fc.constant('sample' as const), index: num, text: fc.string(), answer: nStr, meanLogprob: nNum, confidence: nNum }),
    fc.record({ t, type: fc.constant('vote' as const), counts, leader: nStr, share: num }),
    fc.record(
      { t, type: fc.constant('verify' as const), answer: nStr, verdict: fc.option(fc.boolean(), { nil: null }), score: nNum, by: fc.string(), reason: fc.string() },
      { requiredKeys: ['t', 'type', 'answer', 'verdict', 'score', 'by'] },
    ),
    fc.record({ t, type: fc.constant('critique' as const), text: fc.string(), says: fc.constantFrom('correct' as const, 'incorrect' as const, 'unclear' as const) }),
    fc.record({ t, type: fc.constant('revise' as const), from: nStr, to: nStr, text: fc.string() }),
    fc.record({ t, type: fc.constant('decision' as const), choice: fc.string(), reason: fc.string() }),
    fc.record({ t, type: fc.constant('confidence' as const), signal: fc.string(), value: nNum, threshold: num }, { requiredKeys: ['t', 'type', 'signal', 'value'] }),
    fc.record({ t, type: fc.constant('stop' as const), rule: fc.string(), reason: fc.string(), numbers: counts }),
    fc.record({ t, type: fc.constant('token' as const), index: num, token: fc.string() }),
  ];
  if (inner) plain.push(fc.record({ t, type: fc.constant('result' as const), result: inner }));
  return fc.oneof(...plain);
}

function solveResult(inner: fc.Arbitrary<SolveResult> | null): fc.Arbitrary<SolveResult> {
  return fc.record({
    answer: nStr,
    text: fc.string(),
    confidence: nNum,
    // Any kind: the cache does not judge strategy specs (their schema lives with the strategies).
    strategy: fc.record({ kind: fc.string() }) as fc.Arbitrary<SolveResult['strategy']>,
    usage: fc.record({
      promptTokens: num,
      completionTokens: num,
      samples: num,
      engineCalls: num,
      ms: num,
      byModel: fc.dictionary(fc.constantFrom('tiny-arith', 'small', 'big'), fc.record({ promptTokens: num, completionTokens: num, samples: num, engineCalls: num }), { maxKeys: 2 }),
    }),
    cached: fc.boolean(),
    budgetExhausted: fc.boolean(),
    trace: fc.array(event(inner), { maxLength: 6 }),
  });
}

/** Valid results, with result events nesting valid results one level deep. */
const validResult = solveResult(solveResult(null));

/** Whatever structured clone can carry, and IndexedDB can hold. */
const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  maxDepth: 4,
});

async function serve(stored: unknown) {
  const store = memoryStore();
  await store.set('k', stored);
  const cache = createResultCache(store, { warn: noWarn });
  const served = await cache.get('k');
  await cache.flush();
  return { served, stats: await cache.stats(), left: await store.get('k') };
}

describe('stored values of arbitrary shape', () => {
  it('as the whole entry: never served, never thrown, deleted', async () => {
    await fc.assert(
      fc.asyncProperty(anything, async (value) => {
        const { served, stats, left } = await serve(value);
        expect(served).toBeUndefined();
        expect(left).toBeUndefined();
        expect(stats.entries).toBe(0);
      }),
      params,
    );
  });

  it('as the result in a current envelope: served only when it is a valid result', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anything, fc.record({ answer: anything, text: anything, trace: anything })), async (value) => {
        const { served, stats } = await serve(envelope(value));
        if (served !== undefined) expect(isServableResult(served)).toBe(true);
        else expect(stats.faults!.invalidEntries).toBe(1);
      }),
      params,
    );
  });

  it('valid results are served back as they were stored', async () => {
    await fc.assert(
      fc.asyncProperty(validResult, async (value) => {
        const { served, stats } = await serve(envelope(value));
        expect(served).toEqual(structuredClone(value));
        expect(stats).toMatchObject({ hits: 1, faults: { invalidEntries: 0 } });
      }),
      params,
    );
  });
});

/** Each breaks a valid result in one place, with a value of a type that place cannot hold. */
const notString = anything.filter((v) => typeof v !== 'string');
const notNumber = anything.filter((v) => typeof v !== 'number');
const breakers: Array<fc.Arbitrary<(r: Record<string, unknown>) => void>> = [
  fc.constantFrom('answer', 'text', 'confidence', 'strategy', 'usage', 'cached', 'budgetExhausted', 'trace').map((key) => (r) => void delete r[key]),
  notString.filter((v) => v !== null).map((v) => (r) => void (r.answer = v)),
  notString.map((v) => (r) => void (r.text = v)),
  notNumber.filter((v) => v !== null).map((v) => (r) => void (r.confidence = v)),
  anything.filter((v) => typeof v !== 'boolean').map((v) => (r) => void (r.cached = v)),
  anything.filter((v) => !Array.isArray(v)).map((v) => (r) => void (r.trace = v)),
  notString.map((v) => (r) => void (r.strategy = { kind: v })),
  fc.tuple(fc.constantFrom('promptTokens', 'completionTokens', 'samples', 'engineCalls', 'ms'), notNumber).map(
    ([key, v]) => (r) => void ((r.usage as Record<string, unknown>)[key] = v),
  ),
  fc.tuple(notNumber, fc.string()).map(([v, type]) => (r) => void (r.trace = [{ t: v, type: 'draft', text: type, answer: null, tokens: 1 }])),
  fc.string().filter((s) => !['draft', 'sample', 'vote', 'verify', 'critique', 'revise', 'decision', 'confidence', 'stop', 'token', 'result'].includes(s))
    .map((type) => (r) => void (r.trace = [{ t: 0, type }])),
];

describe('valid results broken in one place', () => {
  it('are never served, and are deleted and counted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(validResult, fc.constant(result('4'))), fc.oneof(...breakers), async (value, breakIt) => {
        const broken = structuredClone(value) as unknown as Record<string, unknown>;
        breakIt(broken);
        const { served, stats, left } = await serve(envelope(broken));
        expect(served).toBeUndefined();
        expect(left).toBeUndefined();
        expect(stats.faults).toMatchObject({ invalidEntries: 1 });
      }),
      params,
    );
  });
});
