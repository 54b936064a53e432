import type { UseStore } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { createResilientStore, type ClosableStore } from '../../src/cache/idb-open.js';
import { indexedDbStore, StoreUnavailableError } from '../../src/cache/idb-store.js';
import { createResultCache } from '../../src/cache/result-cache.js';
import { envelope, noWarn, result } from './fakes/cache-entries.js';
import { fakeIndexedDB } from './fakes/fake-idb.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Like idb-keyval's createStore after its open rejected, were it to keep that promise: fails forever. */
function stuckRejected(error: unknown): ClosableStore {
  const rejected = Promise.reject(error);
  rejected.catch(() => {});
  return (() => rejected) as UseStore;
}

/** An open that never completes (WebKit has done this). */
function hung(): ClosableStore & { closed: boolean } {
  const store = (() => new Promise(() => {})) as unknown as ClosableStore & { closed: boolean };
  store.closed = false;
  store.close = () => void (store.closed = true);
  return store;
}

function setup(makers: Array<() => ClosableStore>, options: { openTimeoutMs?: number } = {}) {
  const idb = fakeIndexedDB();
  let now = 1000;
  let made = 0;
  const store = indexedDbStore({
    createStore: (db, name) => (makers[made++] ?? (() => createResilientStore(db, name, idb.factory)))(),
    now: () => now,
    openTimeoutMs: options.openTimeoutMs ?? 1000,
  });
  return { idb, store, made: () => made, advance: (ms: number) => void (now += ms) };
}

describe('indexedDbStore: failed opens are retried, after a backoff', () => {
  it('a rejected open is not remembered: the store is made again once the backoff has passed', async () => {
    const { store, made, advance } = setup([() => stuckRejected(new DOMException('private mode', 'InvalidStateError'))]);
    await expect(store.get('k')).rejects.toMatchObject({ name: 'InvalidStateError' });
    expect(store.openFailures!()).toBe(1);
    advance(100);
    // Within the backoff: fails at once, with no new open.
    await expect(store.get('k')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(made()).toBe(1);
    advance(150);
    await store.set('k', 'v');
    expect(await store.get('k')).toBe('v');
    expect(await store.entries()).toEqual([['k', 'v']]);
    expect(made()).toBe(2);
    expect(store.openFailures!()).toBe(1);
  });

  it('the backoff doubles per failure (250, 500 ms…) and resets once an open works', async () => {
    const fail = () => stuckRejected(new DOMException('no', 'UnknownError'));
    const { store, made, advance } = setup([fail, fail, fail]);
    await expect(store.get('k')).rejects.toThrow();
    advance(250);
    await expect(store.get('k')).rejects.toThrow();
    advance(250);
    await expect(store.get('k')).rejects.toBeInstanceOf(StoreUnavailableError);
    advance(250);
    await expect(store.get('k')).rejects.toMatchObject({ name: 'UnknownError' });
    expect([made(), store.openFailures!()]).toEqual([3, 3]);
    advance(999);
    await expect(store.get('k')).rejects.toBeInstanceOf(StoreUnavailableError);
    advance(1);
    await expect(store.get('k')).resolves.toBeUndefined();
  });

  it('the backoff starts again from 250 ms once an open has worked', async () => {
    let calls = 0;
    const real = resilient(fakeIndexedDB());
    // Opens once, then its connection is gone for good.
    const okThenLost: ClosableStore = ((mode: IDBTransactionMode, callback: (s: IDBObjectStore) => unknown) =>
      calls++ === 0 ? real(mode, callback) : Promise.reject(new DOMException('closing', 'InvalidStateError'))) as UseStore;
    const fail = () => stuckRejected(new DOMException('no', 'UnknownError'));
    const { store, made, advance } = setup([fail, fail, () => okThenLost, fail]);
    await expect(store.get('k')).rejects.toThrow();
    advance(250);
    await expect(store.get('k')).rejects.toThrow();
    advance(500);
    await expect(store.get('k')).resolves.toBeUndefined();
    await expect(store.get('k')).rejects.toMatchObject({ name: 'InvalidStateError' });
    advance(250);
    await expect(store.get('k')).rejects.toMatchObject({ name: 'UnknownError' });
    expect([made(), store.openFailures!()]).toEqual([4, 4]);
  });

  it('an open that never completes fails after openTimeoutMs, is closed, and the next attempt opens afresh', async () => {
    const first = hung();
    const { store, advance } = setup([() => first], { openTimeoutMs: 10 });
    await expect(Promise.all([store.get('a'), store.get('b')])).rejects.toMatchObject({ name: 'StorageError', kind: 'TimeoutError' });
    expect(first.closed).toBe(true);
    expect(store.openFailures!()).toBe(1);
    advance(250);
    await expect(store.get('a')).resolves.toBeUndefined();
  });

  it('a full quota is the write failing, not the database: no backoff, the next write lands', async () => {
    const { store, idb } = setup([]);
    await store.set('a', 1);
    idb.failWrites(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    await expect(store.set('b', 2)).rejects.toMatchObject({ name: 'QuotaExceededError' });
    await store.set('c', 3);
    expect((await store.entries()).map(([k]) => k)).toEqual(['a', 'c']);
    expect(store.openFailures!()).toBe(0);
  });
});

function resilient(idb: ReturnType<typeof fakeIndexedDB>) {
  return createResilientStore('second-thought', 'results', idb.factory);
}

describe('createResilientStore over a scripted IndexedDB', () => {
  it('creates the database and its store, and reuses one connection', async () => {
    const idb = fakeIndexedDB();
    const store = indexedDbStore({ createStore: () => resilient(idb) });
    await store.set('k', { a: 1 });
    expect(await store.get('k')).toEqual({ a: 1 });
    expect([idb.version, idb.counts.opens, idb.stores.has('results')]).toEqual([1, 1, true]);
  });

  it('an open error is forgotten: the next call opens again', async () => {
    const idb = fakeIndexedDB();
    idb.script('error');
    const use = resilient(idb);
    const read = () => use('readonly', () => 'reached');
    await expect(read()).rejects.toMatchObject({ name: 'InvalidStateError' });
    await expect(read()).resolves.toBe('reached');
  });

  it('a blocked open rejects at once; the connection it yields later is closed, not held', async () => {
    const idb = fakeIndexedDB();
    idb.script('blocked-then-success');
    const use = resilient(idb);
    await expect(use('readonly', () => 'reached')).rejects.toMatchObject({ name: 'StorageError', kind: 'BlockedError' });
    await sleep(5);
    expect(idb.connections.map((c) => c.closed)).toEqual([true]);
    await expect(use('readonly', () => 'reached')).resolves.toBe('reached');
  });

  it('a database that exists without our store is upgraded to add it', async () => {
    const idb = fakeIndexedDB({ version: 3, stores: ['something-else'] });
    const store = indexedDbStore({ createStore: () => resilient(idb) });
    await store.set('k', 1);
    expect([idb.version, idb.stores.has('results'), idb.stores.has('something-else')]).toEqual([4, true, true]);
    expect(idb.connections[0]!.closed).toBe(true);
  });

  it('closes on versionchange (another tab upgrading) instead of blocking it, and reopens on the next call', async () => {
    const idb = fakeIndexedDB();
    const store = indexedDbStore({ createStore: () => resilient(idb) });
    await store.set('k', 1);
    idb.versionChange();
    expect(idb.connections[0]!.closed).toBe(true);
    expect(await store.get('k')).toBe(1);
    expect(idb.counts.opens).toBe(2);
  });

  it('indexedDB that throws (a sandboxed frame) or is missing (an old worker) is a failed open, not a throw', async () => {
    const idb = fakeIndexedDB();
    idb.script('throw');
    const store = indexedDbStore({ createStore: () => resilient(idb) });
    await expect(store.get('k')).rejects.toMatchObject({ name: 'SecurityError' });
    const missing = indexedDbStore({ createStore: (db, name) => createResilientStore(db, name, () => undefined as unknown as IDBFactory) });
    await expect(missing.get('k')).rejects.toMatchObject({ name: 'StorageError', kind: 'NotSupportedError' });
    expect([store.openFailures!(), missing.openFailures!()]).toEqual([1, 1]);
  });
});

describe('the result cache over IndexedDB that cannot open (private mode), then can', () => {
  it('answers misses, keeps answers in memory, counts the faults, and recovers', async () => {
    const idb = fakeIndexedDB();
    idb.script('error', 'error', 'error');
    let now = 1000;
    const store = indexedDbStore({ createStore: (db, name) => createResilientStore(db, name, idb.factory), now: () => now });
    const cache = createResultCache(store, { warn: noWarn, now: () => now });
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', result('4'));
    expect((await cache.get('k'))?.answer).toBe('4');
    const down = await cache.stats();
    expect(down.faults).toMatchObject({ opens: 1, invalidEntries: 0 });
    expect(down.faults!.reads).toBeGreaterThanOrEqual(1);
    expect(down.faults!.writes).toBe(1);
    // Calls during the backoff did not reopen the database.
    expect(idb.counts.opens).toBe(1);

    now += 250;
    await expect(cache.get('x')).resolves.toBeUndefined();
    now += 500;
    await expect(cache.get('x')).resolves.toBeUndefined();
    expect(idb.counts.opens).toBe(3);
    now += 1000;
    // The database opens now: an entry another session left is served, and writes land.
    const other = indexedDbStore({ createStore: (db, name) => createResilientStore(db, name, idb.factory) });
    await other.set('other', envelope(result('9'), {}, now));
    expect((await cache.get('other'))?.answer).toBe('9');
    await cache.set('j', result('5'));
    await cache.flush();
    expect((await other.get('j')) as object).toMatchObject({ result: { answer: '5' } });
    expect((await cache.stats()).faults).toMatchObject({ opens: 3 });
  });
});
