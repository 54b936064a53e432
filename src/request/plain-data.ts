import { InvalidRequestError } from '../errors.js';

/**
 * A request's data must be plain JSON: it is posted to the worker (structured clone refuses functions and
 * symbols), written to the result cache and hashed into its key. Fields the schema cannot type fully (a
 * JSON Schema verifier's `schema`) are checked here, so a function, a BigInt, a Map, NaN or a class
 * instance anywhere is an InvalidRequestError naming where, not a DataCloneError from `postMessage` later.
 */
export function checkPlainData(value: unknown, path: string): void {
  const stack: Array<[unknown, string]> = [[value, path]];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [node, at] = stack.pop()!;
    const problem = plainProblem(node);
    if (problem) throw new InvalidRequestError(at, problem);
    if (node === null || typeof node !== 'object') continue;
    // A shared (not cyclic) object is fine; each is walked once. Cycles are refused before this runs.
    if (seen.has(node)) continue;
    seen.add(node);
    for (const [key, child] of Object.entries(node)) stack.push([child, at ? `${at}.${key}` : key]);
  }
}

function plainProblem(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${String(value)} is not a number JSON can carry`;
    case 'object': {
      if (value === null || Array.isArray(value)) return null;
      const proto = Object.getPrototypeOf(value) as unknown;
      return proto === Object.prototype || proto === null ? null : 'expected plain JSON data, not an instance of a class';
    }
    case 'undefined':
      return null;
    default:
      return `expected plain JSON data, not a ${typeof value}`;
  }
}
