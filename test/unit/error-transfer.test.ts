import { describe, expect, it } from 'vitest';
import {
  AbortError,
  ContextLengthError,
  deserializeError,
  InvalidRequestError,
  ModelNotFoundError,
  serializeError,
} from '../../src/errors.js';

/** What a postMessage does to an object: structured clone. */
const roundTrip = (error: unknown) => deserializeError(structuredClone(serializeError(error)));

describe('errors across the worker boundary', () => {
  it('rebuild their named class with message and fields', () => {
    const invalid = roundTrip(new InvalidRequestError('strategy.n', 'too big'));
    expect(invalid).toBeInstanceOf(InvalidRequestError);
    expect(invalid.name).toBe('InvalidRequestError');
    expect((invalid as InvalidRequestError).path).toBe('strategy.n');
    expect(invalid.message).toBe('Invalid request at "strategy.n": too big');

    const missing = roundTrip(new ModelNotFoundError('x', ['tiny-arith']));
    expect(missing).toBeInstanceOf(ModelNotFoundError);
    expect((missing as ModelNotFoundError).known).toEqual(['tiny-arith']);

    expect(roundTrip(new ContextLengthError(99, 64))).toBeInstanceOf(ContextLengthError);
    const aborted = roundTrip(new AbortError());
    expect(aborted).toBeInstanceOf(AbortError);
    expect(aborted.name).toBe('AbortError');
  });

  it('keep name and message of foreign errors', () => {
    const foreign = roundTrip(new TypeError('bad'));
    expect(foreign.name).toBe('TypeError');
    expect(foreign.message).toBe('bad');
  });
});
