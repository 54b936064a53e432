/**
 * Just enough IndexedDB for idb-keyval and `createResilientStore`, in Node (fake-indexeddb is not a
 * dependency): one database, object stores over Maps, and scripted outcomes for each `open`, so tests can
 * make an open fail, block, hang or throw, a write hit the quota, or another tab ask for a version change.
 */

export type OpenOutcome = 'success' | 'error' | 'blocked' | 'blocked-then-success' | 'hang' | 'throw';

type Handler = ((event: { preventDefault(): void }) => void) | null;

interface FakeRequest {
  result: unknown;
  error: DOMException | null;
  onsuccess: Handler;
  onerror: Handler;
  onblocked: Handler;
  onupgradeneeded: Handler;
}

export interface FakeConnection {
  closed: boolean;
  version: number;
  onclose: (() => void) | null;
  onversionchange: (() => void) | null;
}

const later = (fn: () => void) => setTimeout(fn, 0);
const event = { preventDefault() {} };

export function fakeIndexedDB(options: { version?: number; stores?: string[] } = {}) {
  let version = options.version ?? 0;
  const stores = new Map<string, Map<string, unknown>>((options.stores ?? []).map((name) => [name, new Map()]));
  const script: OpenOutcome[] = [];
  const connections: Array<FakeConnection & Record<string, unknown>> = [];
  const writeFaults: DOMException[] = [];
  const counts = { opens: 0 };

  function connection(v: number) {
    const db = {
      closed: false,
      version: v,
      onclose: null as (() => void) | null,
      onversionchange: null as (() => void) | null,
      objectStoreNames: { contains: (name: string) => stores.has(name) },
      createObjectStore: (name: string) => void stores.set(name, new Map()),
      close: () => void (db.closed = true),
      transaction: (name: string, mode: IDBTransactionMode) => {
        if (db.closed) throw new DOMException('The database connection is closing.', 'InvalidStateError');
        const data = stores.get(name);
        if (!data) throw new DOMException(`No objectStore named ${name}.`, 'NotFoundError');
        return transaction(data, mode);
      },
    };
    connections.push(db);
    return db;
  }

  function transaction(data: Map<string, unknown>, mode: IDBTransactionMode) {
    const tx = { oncomplete: null as Handler, onerror: null as Handler, onabort: null as Handler, error: null as DOMException | null };
    const pending: Array<() => void> = [];
    let scheduled = false;
    const request = (run: () => unknown) => {
      const req = { result: undefined as unknown, error: null, onsuccess: null as Handler, onerror: null as Handler };
      pending.push(() => {
        req.result = run();
        req.onsuccess?.(event);
      });
      if (!scheduled) {
        scheduled = true;
        later(() => {
          const fault = mode === 'readwrite' ? writeFaults.shift() : undefined;
          if (fault) {
            tx.error = fault;
            return tx.onabort?.(event);
          }
          for (const step of pending) step();
          tx.oncomplete?.(event);
        });
      }
      return req;
    };
    const store = {
      transaction: tx,
      get: (key: string) => request(() => structuredClone(data.get(key))),
      put: (value: unknown, key: string) => request(() => void data.set(key, structuredClone(value))),
      delete: (key: string) => request(() => void data.delete(key)),
      clear: () => request(() => data.clear()),
      getAll: () => request(() => [...data.values()].map((v) => structuredClone(v))),
      getAllKeys: () => request(() => [...data.keys()]),
    };
    return { objectStore: () => store };
  }

  function succeed(request: FakeRequest, requested: number | undefined) {
    const target = requested ?? Math.max(version, 1);
    if (target < version) {
      request.error = new DOMException('The requested version is less than the existing version.', 'VersionError');
      return request.onerror?.(event);
    }
    const db = connection(target);
    request.result = db;
    if (target > version) {
      version = target;
      request.onupgradeneeded?.(event);
    }
    request.onsuccess?.(event);
  }

  const factory = {
    open(_name: string, requested?: number) {
      counts.opens++;
      const outcome = script.shift() ?? 'success';
      if (outcome === 'throw') throw new DOMException('The operation is insecure.', 'SecurityError');
      const request: FakeRequest = { result: undefined, error: null, onsuccess: null, onerror: null, onblocked: null, onupgradeneeded: null };
      later(() => {
        if (outcome === 'success') succeed(request, requested);
        else if (outcome === 'error') {
          request.error = new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
          request.onerror?.(event);
        } else if (outcome === 'blocked' || outcome === 'blocked-then-success') {
          request.onblocked?.(event);
          if (outcome === 'blocked-then-success') later(() => succeed(request, requested));
        }
      });
      return request;
    },
  };

  return {
    factory: () => factory as unknown as IDBFactory,
    /** The outcomes of the next opens, in order; after them every open succeeds. */
    script: (...outcomes: OpenOutcome[]) => void script.push(...outcomes),
    /** The next write transactions abort with these errors. */
    failWrites: (...errors: DOMException[]) => void writeFaults.push(...errors),
    /** Another tab asks to upgrade or delete the database. */
    versionChange: () => connections.filter((c) => !c.closed).forEach((c) => c.onversionchange?.()),
    connections,
    counts,
    stores,
    get version() {
      return version;
    },
  };
}
