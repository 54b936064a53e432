import { AbortError, excerpt, InvalidRequestError, isAbortError } from '../errors.js';
import type { VerifierSpec, VerifyCallback } from '../types.js';
import { verifyArithmetic } from './arithmetic.js';
import { verifyJsonSchema } from './json-schema.js';
import { verifyRegex } from './regex.js';
import type { VerifierInput, VerifierResult } from './verifier.js';

export type { VerifierInput, VerifierResult } from './verifier.js';
export { compileJsonSchema } from './json-schema.js';
export { evaluateExpression, findExpression } from './arithmetic.js';

export interface VerifierEnvironment {
  callback?: VerifyCallback;
  signal?: AbortSignal;
  /** Milliseconds left before the request's deadline (Infinity when it has none). */
  remainingMs?: number;
}

/** Thrown when a callback verifier outlives the request's deadline. */
export class VerifierTimeoutError extends Error {
  constructor() {
    super('the verify callback did not answer before the deadline');
    this.name = 'VerifierTimeoutError';
  }
}

/**
 * Runs one programmatic verifier. The callback is the page's own code (a comlink proxy when the runtime is
 * in a worker): it is raced against the abort signal and the deadline so a hung callback cannot hold the
 * request, and a callback that throws counts as "cannot judge", not as a failed request.
 */
export async function runVerifier(spec: VerifierSpec, input: VerifierInput, env: VerifierEnvironment = {}): Promise<VerifierResult> {
  switch (spec.kind) {
    case 'arithmetic':
      return verifyArithmetic(input);
    case 'json-schema':
      return verifyJsonSchema(spec.schema, input);
    case 'regex':
      return verifyRegex(spec.pattern, spec.flags, input);
    case 'callback':
      return runCallback(input, env);
  }
}

async function runCallback(input: VerifierInput, env: VerifierEnvironment): Promise<VerifierResult> {
  const { callback, signal } = env;
  if (!callback) throw new InvalidRequestError('verify', 'the strategy uses a callback verifier but the request has no verify function');
  if (signal?.aborted) throw new AbortError();
  let cleanup = () => {};
  const stop = new Promise<never>((_, reject) => {
    const onAbort = () => reject(new AbortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const ms = env.remainingMs ?? Infinity;
    const timer = Number.isFinite(ms) ? setTimeout(() => reject(new VerifierTimeoutError()), Math.max(0, ms)) : undefined;
    cleanup = () => {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
    };
  });
  try {
    const verdict = await Promise.race([Promise.resolve().then(() => callback(input)), stop]);
    if (typeof verdict !== 'boolean') return { verdict: null, reason: `the verify callback returned ${verdict === null ? 'null' : typeof verdict}, not a boolean` };
    return { verdict, reason: verdict ? 'accepted by the verify callback' : 'rejected by the verify callback' };
  } catch (error) {
    if (isAbortError(error) || error instanceof VerifierTimeoutError) throw error;
    return { verdict: null, reason: `the verify callback threw: ${describeThrown(error)}` };
  } finally {
    cleanup();
  }
}

/** What the page's callback threw, briefly and without trusting it: its message may be huge or a getter that throws. */
function describeThrown(error: unknown): string {
  try {
    if (error instanceof Error) {
      const message = String(error.message);
      return message.length > 200 ? `${message.slice(0, 200)}…` : message;
    }
  } catch {
    // fall through to a description that runs none of its code
  }
  return excerpt(error, 200);
}
