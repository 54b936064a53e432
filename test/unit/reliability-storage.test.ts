import { afterAll, describe, expect, it } from 'vitest';
import { CACHE_VERSION } from '../../src/cache/key.js';
import { memoryStore, type KeyValueStore } from '../../src/cache/store.js';
import { findModel } from '../../src/models/catalog.js';
import { createLocalRuntime } from '../../src/runtime/local.js';
import type { CacheStats } from '../../src/types.js';
import { recordFigure } from '../e2e/fixtures/reliability-figures.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { faultyStore, privateModeError, quotaError, readError } from './fakes/faulty-store.js';

/**
 * Storage faults at the runtime's level (the cache's own tests, cache-*.test.ts, take each fault apart):
 * whatever the store does, `solve()` answers right, and `cache.stats().faults` counts what was survived.
 */

const request = { prompt: '40+2', answer: { kind: 'number' as const }, strategy: { kind: 'self-consistency' as const, n: 3 }, sampling: { seed: 1 } };
const survived: Record<string, { solves: number; faults: NonNullable<CacheStats['faults']> }> = {};
afterAll(() => recordFigure('storage:runtime', survived));

function runtimeOver(store: KeyValueStore) {
  const engine = scriptedEngine(() => '42');
  const runtime = createLocalRuntime({ engine, model: findModel('tiny-arith'), store, cacheOptions: { storeTimeoutMs: 30, warn: () => {} } });
  return { engine, runtime };
}

async function solveTimes(runtime: ReturnType<typeof runtimeOver>['runtime'], times: number) {
  const results = [];
  for (let i = 0; i < times; i++) results.push(await runtime.solve(request));
  return results;
}

describe('solve() answers whatever the store does', () => {
  it.each([
    ['quota exceeded on every write', (f: ReturnType<typeof faultyStore>) => f.failNext('set', quotaError(), 10)],
    ['a database that cannot open (private mode)', (f: ReturnType<typeof faultyStore>) => f.down(privateModeError())],
    ['reads that fail once, then work', (f: ReturnType<typeof faultyStore>) => (f.failNext('entries', readError()), f.failNext('get', readError()))],
    ['store calls that never settle', (f: ReturnType<typeof faultyStore>) => (f.hangNext('entries'), f.hangNext('get'), f.hangNext('set'))],
  ])('%s', async (label, inject) => {
    const faulty = faultyStore();
    inject(faulty);
    const { runtime, engine } = runtimeOver(faulty.store);
    const results = await solveTimes(runtime, 3);
    expect(results.map((r) => r.answer)).toEqual(['42', '42', '42']);
    // The answer is computed once and served from the cache's memory after, whatever the store did.
    expect(engine.calls).toHaveLength(1);
    expect(results.slice(1).every((r) => r.cached)).toBe(true);
    const { faults } = await runtime.cache.stats();
    const counted = faults!.reads + faults!.writes + faults!.opens;
    expect(counted).toBeGreaterThan(0);
    survived[label] = { solves: results.length, faults: faults! };
    await runtime.dispose();
  });

  it.each([
    ['an entry that is not a result at all', () => 'not json {'],
    ['an entry of the right outline with the wrong field types', (good: Record<string, unknown>) => ({ ...good, result: { ...(good.result as object), answer: 42, trace: 'x', usage: null } })],
    ['an entry from another cache version', (good: Record<string, unknown>) => ({ ...good, version: CACHE_VERSION - 1 })],
    ['an entry missing its result', (good: Record<string, unknown>) => ({ ...good, result: undefined })],
  ])('%s: never served, deleted, counted, and the request computed again', async (label, corrupt) => {
    const inner = memoryStore();
    const first = runtimeOver(inner);
    await first.runtime.solve(request);
    await first.runtime.dispose();
    const [key, good] = ((await inner.entries()) as Array<[string, Record<string, unknown>]>)[0]!;
    await inner.set(key, corrupt(good));

    // A later session (a fresh runtime, nothing in memory) over the store as the earlier one left it.
    const later = runtimeOver(inner);
    const result = await later.runtime.solve(request);
    expect(result).toMatchObject({ answer: '42', cached: false });
    expect(later.engine.calls).toHaveLength(1);
    const { faults } = await later.runtime.cache.stats();
    expect(faults!.invalidEntries + faults!.versionMismatches).toBe(1);
    await later.runtime.dispose();
    // The bad entry is gone: what is stored now is the recomputed, valid one.
    const stored = (await inner.get(key)) as { version: number; result: { answer: string } };
    expect(stored).toMatchObject({ version: CACHE_VERSION, result: { answer: '42' } });
    survived[label] = { solves: 1, faults: faults! };
  });
});
