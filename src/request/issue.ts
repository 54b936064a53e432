import type { z } from 'zod';
import { excerpt, InvalidRequestError } from '../errors.js';

/**
 * The InvalidRequestError for a zod issue under `prefix` (e.g. `options.model`): the path to the field, an
 * unknown key named at its own place and quoted as an excerpt (zod's own message would quote all of it).
 */
export function issueError(prefix: string, issue: z.core.$ZodIssue): InvalidRequestError {
  const at = [prefix, ...issue.path.map(String)].filter((step) => step !== '');
  if (issue.code === 'unrecognized_keys') {
    const [first, ...rest] = issue.keys;
    return new InvalidRequestError([...at, first!].join('.'), `unknown field ${excerpt(first, 40)}${rest.length ? ` (and ${rest.length} more)` : ''}`);
  }
  return new InvalidRequestError(at.join('.'), issue.message.length > 200 ? `${issue.message.slice(0, 200)}…` : issue.message);
}
