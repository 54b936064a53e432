import { describe, expect, it } from 'vitest';
import { createInflight } from '../../src/cache/inflight.js';
import { cacheKey, stableStringify } from '../../src/cache/key.js';
import { createResultCache } from '../../src/cache/result-cache.js';
import { memoryStore } from '../../src/cache/store.js';
import { AbortError } from '../../src/errors.js';
import type { SolveResult } from '../../src/types.js';

const parts = {
  model: 'tiny-arith',
  revision: '1',
  engine: 'transformers',
  strategy: { kind: 'self-consistency', n: 8 },
  answer: { kind: 'number' },
  sampling: { temperature: 0.8, seed: 1 },
  messages: [{ role: 'user', content: '2+2' }],
};

function result(answer: string): SolveResult {
  return {
    answer,
    text: answer,
    confidence: 1,
    strategy: { kind: 'greedy' },
    usage: { promptTokens: 1, completionTokens: 1, samples: 1, engineCalls: 1, ms: 1, byModel: {} },
    cached: false,
    budgetExhausted: false,
    trace: [],
  };
}

describe('cache keys', () => {
  it('do not depend on key order', async () => {
    expect(stableStringify({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    const reordered = { ...parts, sampling: { seed: 1, temperature: 0.8 }, strategy: { n: 8, kind: 'self-consistency' } };
    expect(await cacheKey(reordered)).toBe(await cacheKey(parts));
  });

  it('are a fixed 128-bit hash for fixed parts (stable across releases unless CACHE_VERSION changes)', async () => {
    const key = await cacheKey(parts);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(key).toBe('4dfe16d6f581d9862d773dcc79a02519');
    expect(key).toBe(await cacheKey(structuredClone(parts)));
  });

  it('change with every part', async () => {
    const base = await cacheKey(parts);
    const variants = [
      { ...parts, model: 'other' },
      { ...parts, revision: '2' },
      { ...parts, engine: 'webllm' },
      { ...parts, strategy: { kind: 'self-consistency', n: 9 } },
      { ...parts, answer: { kind: 'text' } },
      { ...parts, sampling: { temperature: 0.8, seed: 2 } },
      { ...parts, messages: [{ role: 'user', content: '2+3' }] },
    ];
    const keys = await Promise.all(variants.map(cacheKey));
    expect(new Set([base, ...keys]).size).toBe(variants.length + 1);
  });
});

describe('result cache', () => {
  it('expires entries after the TTL', async () => {
    let now = 1000;
    const cache = createResultCache(memoryStore(), { ttlMs: 100, now: () => now });
    await cache.set('k', result('4'));
    expect((await cache.get('k'))?.answer).toBe('4');
    now += 101;
    expect(await cache.get('k')).toBeUndefined();
    expect((await cache.stats()).entries).toBe(0);
  });

  it('evicts the least recently used beyond maxEntries', async () => {
    let now = 0;
    const cache = createResultCache(memoryStore(), { maxEntries: 2, now: () => ++now });
    await cache.set('a', result('1'));
    await cache.set('b', result('2'));
    await cache.get('a');
    await cache.set('c', result('3'));
    expect(await cache.get('b')).toBeUndefined();
    expect((await cache.get('a'))?.answer).toBe('1');
    expect((await cache.get('c'))?.answer).toBe('3');
    const stats = await cache.stats();
    expect(stats.entries).toBe(2);
    expect(stats.bytes).toBeGreaterThan(0);
  });

  it('reads what an earlier session stored (LRU index rebuilt from the store)', async () => {
    const store = memoryStore();
    await createResultCache(store).set('k', result('7'));
    const reopened = createResultCache(store);
    expect((await reopened.stats()).entries).toBe(1);
    expect((await reopened.get('k'))?.answer).toBe('7');
    await reopened.clear();
    expect((await reopened.stats()).entries).toBe(0);
  });

  it('serves a fresh entry before its store write lands, and a failing store costs no answer', async () => {
    let release!: () => void;
    const slow = memoryStore();
    const gate = new Promise<void>((r) => (release = r));
    const cache = createResultCache({ ...slow, set: async (k, v) => { await gate; await slow.set(k, v); } });
    await cache.set('k', result('5'));
    expect((await cache.get('k'))?.answer).toBe('5');
    release();
    expect((await cache.stats()).entries).toBe(1);
    expect((await slow.entries()).length).toBe(1);

    const broken = createResultCache({ ...memoryStore(), set: async () => { throw new Error('QuotaExceededError'); } });
    await broken.set('k', result('6'));
    expect((await broken.get('k'))?.answer).toBe('6');
    await expect(broken.stats()).resolves.toMatchObject({ entries: 1 });
  });
});

describe('in-flight sharing', () => {
  it('runs identical requests once and replays earlier events to late joiners', async () => {
    const inflight = createInflight<string>();
    let runs = 0;
    let finish!: (v: string) => void;
    const seen: string[][] = [[], []];
    const start = async (_signal: AbortSignal, emit: (e: never) => void) => {
      runs++;
      emit({ type: 'draft', t: 0, text: 'x', answer: 'x', tokens: 1 } as never);
      return new Promise<string>((r) => (finish = r));
    };
    const a = inflight.join('k', start, undefined, (e) => seen[0]!.push(e.type));
    const b = inflight.join('k', start, undefined, (e) => seen[1]!.push(e.type));
    finish('done');
    expect(await a).toBe('done');
    expect(await b).toBe('done');
    expect(runs).toBe(1);
    expect(seen).toEqual([['draft'], ['draft']]);
    expect(inflight.size()).toBe(0);
  });

  it('keeps computing while one caller aborts, and stops when all have', async () => {
    const inflight = createInflight<string>();
    let computeSignal!: AbortSignal;
    let finish!: (v: string) => void;
    const start = async (signal: AbortSignal) => {
      computeSignal = signal;
      return new Promise<string>((r) => (finish = r));
    };
    const c1 = new AbortController();
    const c2 = new AbortController();
    const a = inflight.join('k', start, c1.signal, () => {});
    const b = inflight.join('k', start, c2.signal, () => {});
    c1.abort();
    await expect(a).rejects.toBeInstanceOf(AbortError);
    expect(computeSignal.aborted).toBe(false);
    c2.abort();
    await expect(b).rejects.toBeInstanceOf(AbortError);
    expect(computeSignal.aborted).toBe(true);
    finish('late');
  });
});
