import { describe, expect, it } from 'vitest';
import { CACHE_VERSION } from '../../src/cache/key.js';
import { createResultCache, type ResultCacheOptions } from '../../src/cache/result-cache.js';
import { memoryStore, type KeyValueStore } from '../../src/cache/store.js';
import { envelope, noWarn, result } from './fakes/cache-entries.js';
import { faultyStore, privateModeError, quotaError, readError } from './fakes/faulty-store.js';

const open = (store: KeyValueStore, options: ResultCacheOptions = {}) => createResultCache(store, { warn: noWarn, ...options });

async function seeded(entries: Record<string, unknown>) {
  const faulty = faultyStore();
  for (const [key, value] of Object.entries(entries)) await faulty.inner.set(key, value);
  return faulty;
}

describe('storage faults: writes', () => {
  it('quota exceeded: the answer is served, the write dropped and counted, and the next write lands', async () => {
    const faulty = faultyStore();
    faulty.failNext('set', quotaError());
    const cache = open(faulty.store);
    await expect(cache.set('k', result('4'))).resolves.toBeUndefined();
    expect((await cache.get('k'))?.answer).toBe('4');
    await cache.flush();
    expect(await faulty.inner.get('k')).toBeUndefined();
    expect((await cache.stats()).faults).toMatchObject({ writes: 1, quotaExceeded: 1, reads: 0 });

    await cache.set('j', result('5'));
    await cache.flush();
    expect(await open(faulty.inner).get('j')).toMatchObject({ answer: '5' });
    expect((await cache.stats()).faults).toMatchObject({ writes: 1, quotaExceeded: 1 });
  });

  it('a failing delete or clear is counted; clear() says so and the store is read again afterwards', async () => {
    const faulty = await seeded({ k: envelope(result('4')) });
    const cache = open(faulty.store);
    faulty.failNext('clear', readError());
    await expect(cache.clear()).rejects.toMatchObject({ name: 'UnknownError' });
    expect((await cache.stats()).faults).toMatchObject({ writes: 1, quotaExceeded: 0 });
    // The entry is still in the store, so it is still servable: not reported as gone.
    expect((await cache.get('k'))?.answer).toBe('4');
    await cache.clear();
    expect(await cache.get('k')).toBeUndefined();
    expect(await faulty.inner.entries()).toEqual([]);
  });

  it('a result that cannot be stored (not cloneable) does not fail set()', async () => {
    const cache = open(memoryStore());
    const bad = { ...result('1'), usage: { ...result('1').usage, ms: (() => 1) as unknown as number } };
    await expect(cache.set('k', bad)).resolves.toBeUndefined();
    expect((await cache.stats()).faults).toMatchObject({ writes: 1 });
  });

  it('says each kind of fault once, not once per call', async () => {
    const faulty = faultyStore();
    faulty.down(privateModeError());
    const said: string[] = [];
    const cache = createResultCache(faulty.store, { warn: (message) => said.push(message) });
    for (let i = 0; i < 5; i++) {
      await cache.set(`k${i}`, result(String(i)));
      await cache.get(`x${i}`);
    }
    await cache.flush();
    expect(said).toHaveLength(2);
    // Five sets and five gets, and stats() itself tried the store once more.
    expect((await cache.stats()).faults).toMatchObject({ reads: 11, writes: 5 });
  });
});

describe('storage faults: a database that cannot open', () => {
  it('private mode: gets are misses, sets and stats resolve, memory still serves, and it recovers', async () => {
    const faulty = faultyStore();
    faulty.down(privateModeError());
    const cache = open(faulty.store);
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', result('4'));
    expect((await cache.get('k'))?.answer).toBe('4');
    const down = await cache.stats();
    expect(down).toMatchObject({ entries: 1, hits: 1, misses: 1 });
    expect(down.faults).toMatchObject({ opens: 1, writes: 1 });
    expect(down.faults!.reads).toBeGreaterThanOrEqual(1);

    // Another session wrote an entry; the store comes back. Nothing was remembered as broken.
    faulty.up();
    await faulty.inner.set('other', envelope(result('9')));
    expect((await cache.get('other'))?.answer).toBe('9');
    expect((await cache.get('k'))?.answer).toBe('4');
    expect((await cache.stats()).entries).toBe(2);
  });
});

describe('storage faults: reads', () => {
  it('a failed index read is retried on the next call, not remembered', async () => {
    const faulty = await seeded({ k: envelope(result('4')) });
    faulty.failNext('entries', readError());
    const cache = open(faulty.store);
    expect(await cache.get('k')).toBeUndefined();
    expect((await cache.get('k'))?.answer).toBe('4');
    expect(await cache.stats()).toMatchObject({ hits: 1, misses: 1, faults: { reads: 1 } });
  });

  it('a failed entry read is a miss, and the entry stays: the next call reads it again', async () => {
    const faulty = await seeded({ k: envelope(result('4')) });
    const cache = open(faulty.store);
    await cache.stats();
    faulty.failNext('get', readError());
    expect(await cache.get('k')).toBeUndefined();
    expect((await cache.get('k'))?.answer).toBe('4');
    expect(await cache.stats()).toMatchObject({ entries: 1, faults: { reads: 1, invalidEntries: 0 } });
  });

  it('a store call that never settles is a failure after storeTimeoutMs, for reads and the write queue', async () => {
    const faulty = await seeded({ k: envelope(result('4')) });
    const cache = open(faulty.store, { storeTimeoutMs: 20 });
    faulty.hangNext('entries');
    expect(await cache.get('k')).toBeUndefined();
    faulty.hangNext('get');
    expect(await cache.get('k')).toBeUndefined();
    expect((await cache.get('k'))?.answer).toBe('4');
    faulty.hangNext('set');
    await cache.set('j', result('5'));
    await cache.flush();
    expect((await cache.stats()).faults).toMatchObject({ reads: 2, writes: 1 });
  });

  it('a store that lists its entries as something else is a failed read', async () => {
    const odd: KeyValueStore = { ...memoryStore(), entries: async () => 'nonsense' as never };
    const cache = open(odd);
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', result('4'));
    expect((await cache.get('k'))?.answer).toBe('4');
    expect((await cache.stats()).faults!.reads).toBeGreaterThanOrEqual(1);
  });

  it('an entry deleted behind the cache (another tab) is a plain miss', async () => {
    const faulty = await seeded({ k: envelope(result('4')) });
    const cache = open(faulty.store);
    await cache.stats();
    await faulty.inner.del('k');
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.stats()).toMatchObject({ entries: 0, faults: { reads: 0, invalidEntries: 0 } });
  });
});

const good = result('4');
const invalid: Array<[string, unknown]> = [
  ['a string that is not JSON', '{"answer": "4", oops'],
  ['a JSON string of a result (not a parsed one)', JSON.stringify(envelope(good))],
  ['a number', 42],
  ['null', null],
  ['an array', [envelope(good)]],
  ['an empty object', {}],
  ['a result with no envelope', good],
  ['a NaN timestamp (it would never expire)', envelope(good, { createdAt: Number.NaN })],
  ['negative bytes', envelope(good, { bytes: -1 })],
  ['a version that is not a number', envelope(good, { version: String(CACHE_VERSION) })],
  ['an answer of the wrong type', envelope({ ...good, answer: 4 })],
  ['a missing field', envelope({ ...good, text: undefined })],
  ['a strategy without a kind', envelope({ ...good, strategy: {} })],
  ['a confidence that is a string', envelope({ ...good, confidence: '0.9' })],
  ['usage of the wrong type', envelope({ ...good, usage: { ...good.usage, samples: '1' } })],
  ['a trace that is not an array', envelope({ ...good, trace: 'none' })],
  ['a trace event of an unknown type', envelope({ ...good, trace: [{ t: 0, type: 'html', html: '<b>' }] })],
  ['a trace event field of the wrong type', envelope({ ...good, trace: [{ t: 0, type: 'draft', text: 1, answer: null, tokens: 1 }] })],
  ['vote counts that are not numbers', envelope({ ...good, trace: [{ t: 0, type: 'vote', counts: { '4': '3' }, leader: '4', share: 1 }] })],
  ['a "__proto__" count that is not a number', envelope({ ...good, trace: [{ t: 0, type: 'vote', counts: JSON.parse('{"__proto__": "x"}'), leader: null, share: 1 }] })],
  ['a nested result event that is invalid', envelope({ ...good, trace: [{ t: 0, type: 'result', result: { ...good, cached: 'no' } }] })],
  ['a Map where a result belongs', envelope(new Map([['answer', '4']]))],
  ['undefined', undefined],
];

describe('invalid entries', () => {
  it.each(invalid)('%s: deleted, counted once, never served', async (_, value) => {
    const faulty = await seeded({ k: value, other: envelope(result('7')) });
    const cache = open(faulty.store);
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.get('k')).toBeUndefined();
    await cache.flush();
    expect(await faulty.inner.get('k')).toBeUndefined();
    expect((await faulty.inner.entries()).map(([key]) => key)).toEqual(['other']);
    const stats = await cache.stats();
    expect(stats).toMatchObject({ entries: 1, hits: 0, misses: 2 });
    expect(stats.faults).toMatchObject({ invalidEntries: 1, versionMismatches: 0, reads: 0, writes: 0 });
    expect((await cache.get('other'))?.answer).toBe('7');
  });

  it('an entry nested deeper than the stack is invalid, not a crash', async () => {
    let deep: unknown = good;
    for (let i = 0; i < 20_000; i++) deep = { ...good, trace: [{ t: 0, type: 'result', result: deep }] };
    // Handed over as is: structuredClone itself gives up on such depth, but another store might not.
    const stored = envelope(deep);
    const cache = open({ ...memoryStore(), get: async () => stored, entries: async () => [['k', stored]] });
    expect(await cache.get('k')).toBeUndefined();
    expect((await cache.stats()).faults).toMatchObject({ invalidEntries: 1 });
  });
});

describe('entries from another cache version', () => {
  const versions: Array<[string, unknown]> = [
    ['an older version', envelope(good, { version: CACHE_VERSION - 1 })],
    ['a newer version', envelope(good, { version: CACHE_VERSION + 1 })],
    ['the envelope before versions were stored', { result: good, createdAt: Date.now(), lastUsed: Date.now(), bytes: 10 }],
  ];
  it.each(versions)('%s: deleted, counted, never served', async (_, value) => {
    const faulty = await seeded({ k: value });
    const cache = open(faulty.store);
    expect(await cache.get('k')).toBeUndefined();
    await cache.flush();
    expect(await faulty.inner.entries()).toEqual([]);
    expect((await cache.stats()).faults).toMatchObject({ versionMismatches: 1, invalidEntries: 0 });
  });
});

describe('good entries', () => {
  it('are served as stored, frozen, and extra fields are left behind', async () => {
    const stored = { ...good, strategy: { kind: 'some-future-strategy', rounds: 3 }, extra: '<script>' };
    const faulty = await seeded({ k: envelope(stored) });
    const served = await open(faulty.store).get('k');
    expect(served).toEqual({ ...good, strategy: { kind: 'some-future-strategy', rounds: 3 } });
    expect(Object.isFrozen(served)).toBe(true);
    expect(Object.isFrozen(served!.trace[0])).toBe(true);
  });

  it('keep -Infinity and NaN where the types say number (a log-prob can be -Infinity)', async () => {
    const stored = {
      ...good,
      trace: [{ t: 0, type: 'sample', index: 0, text: 'x', answer: 'x', meanLogprob: -Infinity, confidence: Number.NaN }],
    };
    const faulty = await seeded({ k: envelope(stored) });
    expect((await open(faulty.store).get('k'))?.trace[0]).toMatchObject({ meanLogprob: -Infinity });
  });

  it('written while the store was unreadable are evicted down to maxEntries once it reads again', async () => {
    let now = 0;
    const faulty = await seeded({ a: envelope(result('1'), {}, 1), b: envelope(result('2'), {}, 2) });
    faulty.failNext('entries', readError());
    const cache = open(faulty.store, { maxEntries: 2, now: () => (now += 10) });
    await cache.set('c', result('3'));
    expect(await cache.get('c')).toMatchObject({ answer: '3' });
    await cache.flush();
    expect((await cache.stats()).entries).toBe(2);
    expect(await cache.get('a')).toBeUndefined();
    expect((await cache.get('b'))?.answer).toBe('2');
    expect((await faulty.inner.entries()).map(([key]) => key).sort()).toEqual(['b', 'c']);
  });
});
