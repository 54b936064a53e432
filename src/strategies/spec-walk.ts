import { InvalidRequestError } from '../errors.js';
import { MAX_SPEC_DEPTH } from './fields.js';
import { findStrategy } from './registry.js';

/** Whether `key` of this spec object holds a nested strategy (a cascade's `then`). */
function holdsStrategy(parent: object, key: string): boolean {
  const kind = (parent as { kind?: unknown }).kind;
  return typeof kind === 'string' && (findStrategy(kind)?.nested?.includes(key) ?? false);
}

/**
 * Checked before the schema runs, because a cyclic object would send a recursive schema into endless
 * recursion: no object may contain itself, and strategies nest at most MAX_SPEC_DEPTH deep.
 */
export function checkSpecShape(spec: unknown, path: string): void {
  const ancestors = new Set<object>();
  const walk = (value: unknown, at: string, depth: number): void => {
    if (value === null || typeof value !== 'object') return;
    if (ancestors.has(value)) throw new InvalidRequestError(at, 'the spec contains itself (a cycle)');
    if (ancestors.size > 64) throw new InvalidRequestError(at, 'the spec is nested too deeply');
    ancestors.add(value);
    for (const [key, child] of Object.entries(value)) {
      const childPath = `${at}.${key}`;
      const nests = holdsStrategy(value, key) && child !== null && typeof child === 'object';
      if (nests && !ancestors.has(child) && depth + 1 > MAX_SPEC_DEPTH) {
        throw new InvalidRequestError(childPath, `strategies nest at most ${MAX_SPEC_DEPTH} deep`);
      }
      walk(child, childPath, nests ? depth + 1 : depth);
    }
    ancestors.delete(value);
  };
  walk(spec, path, 1);
}

/** Whether any verifier in the spec, nested ones included, calls the request's `verify` function. */
export function usesCallback(spec: unknown): boolean {
  if (spec === null || typeof spec !== 'object') return false;
  return Object.entries(spec).some(([key, child]) =>
    key === 'verifier' && child !== null && typeof child === 'object' && (child as { kind?: unknown }).kind === 'callback' ? true : usesCallback(child),
  );
}

/** The runtime model names a spec's steps ask for (`model` fields, nested specs included). */
export function modelsNamed(spec: unknown, into = new Set<string>()): Set<string> {
  if (spec === null || typeof spec !== 'object') return into;
  for (const [key, child] of Object.entries(spec)) {
    if (key === 'model' && typeof child === 'string') into.add(child);
    else if (key !== 'verifier') modelsNamed(child, into);
  }
  return into;
}

/** The first `model` field naming a model the runtime does not hold, with its path; null when all are held. */
export function unheldModel(spec: unknown, held: ReadonlySet<string> | ReadonlyMap<string, unknown>, path = 'strategy'): { path: string; name: string } | null {
  if (spec === null || typeof spec !== 'object') return null;
  for (const [key, child] of Object.entries(spec)) {
    if (key === 'model' && typeof child === 'string' && !held.has(child)) return { path: `${path}.model`, name: child };
    if (key !== 'verifier' && key !== 'model') {
      const found = unheldModel(child, held, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}
