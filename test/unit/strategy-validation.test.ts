import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../src/errors.js';
import { normalizeRequest, validateStrategy } from '../../src/request/schema.js';

function pathOf(strategy: unknown, extra: Record<string, unknown> = {}): string {
  try {
    normalizeRequest({ prompt: 'x', strategy, ...extra });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return (error as InvalidRequestError).path;
  }
  throw new Error('expected InvalidRequestError');
}

const cascade = (then: unknown, extra: Record<string, unknown> = {}) => ({ kind: 'cascade', signal: 'vote', threshold: 0.8, then, ...extra });

describe('strategy spec validation', () => {
  it('validates nested specs and names their path', () => {
    expect(pathOf(cascade({ kind: 'self-consistency', n: 0 }))).toBe('strategy.then.n');
    expect(pathOf(cascade(cascade({ kind: 'best-of-n', n: 3, scorer: 'votes' })))).toBe('strategy.then.then.scorer');
    expect(pathOf(cascade({ kind: 'magic' }))).toBe('strategy.then.kind');
    expect(pathOf({ kind: 'cascade', signal: 'vote', threshold: 0.8 })).toBe('strategy.then');
    expect(pathOf(cascade({ kind: 'greedy', then: { kind: 'greedy' } }))).toBe('strategy.then.then');
    expect(() => validateStrategy(cascade({ kind: 'wait', maxNudges: 0 }), 'spec')).toThrow(/"spec\.then\.maxNudges"/);
  });

  it.each([
    [{ kind: 'adaptive-consistency', maxSamples: 65 }, 'strategy.maxSamples'],
    [{ kind: 'adaptive-consistency', maxSamples: 0 }, 'strategy.maxSamples'],
    [{ kind: 'adaptive-consistency', criterion: 'vibes' }, 'strategy.criterion'],
    [{ kind: 'adaptive-consistency', threshold: 1.2 }, 'strategy.threshold'],
    [{ kind: 'verify-correct', samples: 100 }, 'strategy.samples'],
    [{ kind: 'verify-correct', rounds: -1 }, 'strategy.rounds'],
    [{ kind: 'verify-correct', rounds: 9 }, 'strategy.rounds'],
    [{ kind: 'self-refine', maxRounds: 0 }, 'strategy.maxRounds'],
    [{ kind: 'self-refine', prompts: 'socratic' }, 'strategy.prompts'],
    [{ kind: 'wait', maxNudges: 2.5 }, 'strategy.maxNudges'],
    [{ kind: 'cascade', signal: 'vibes', threshold: 0.5, then: { kind: 'greedy' } }, 'strategy.signal'],
    [{ kind: 'cascade', signal: 'logprob', threshold: -0.1, then: { kind: 'greedy' } }, 'strategy.threshold'],
    [{ kind: 'cascade', signal: 'logprob', then: { kind: 'greedy' } }, 'strategy.threshold'],
    [{ kind: 'cascade', signal: 'logprob', threshold: 0.5, n: 3, then: { kind: 'greedy' } }, 'strategy.n'],
    [{ kind: 'best-of-n', n: 4, scorer: 'verifier' }, 'strategy.verifier'],
    [{ kind: 'best-of-n', n: 4, scorer: 'logprob', verifier: { kind: 'arithmetic' } }, 'strategy.verifier'],
    [{ kind: 'best-of-n', n: 4, scorer: 'verifier', verifier: { kind: 'oracle' } }, 'strategy.verifier.kind'],
    [{ kind: 'best-of-n', n: 4, scorer: 'verifier', verifier: { kind: 'regex', pattern: '(' } }, 'strategy.verifier.pattern'],
    [{ kind: 'best-of-n', n: 4, scorer: 'verifier', verifier: { kind: 'json-schema', schema: { if: {}, then: {} } } }, 'strategy.verifier.schema'],
    [{ kind: 'best-of-n', n: 4, scorer: 'verifier', verifier: { kind: 'json-schema', schema: 'object' } }, 'strategy.verifier.schema'],
    [{ kind: 'verify-correct', verifier: { kind: 'arithmetic', strict: true } }, 'strategy.verifier.strict'],
    [{ kind: 'wait', verifications: 0 }, 'strategy.verifications'],
    [{ kind: 'self-refine', verifications: 17 }, 'strategy.verifications'],
    [{ kind: 'verify-correct', verifications: 1.5 }, 'strategy.verifications'],
    [{ kind: 'wait', verifications: 4, verifier: { kind: 'arithmetic' } }, 'strategy.verifications'],
    [{ kind: 'verify-correct', verifications: 1, verifier: { kind: 'arithmetic' } }, 'strategy.verifications'],
    [{ kind: 'best-of-n', n: 4, scorer: 'logprob', verifications: 4 }, 'strategy.verifications'],
    [{ kind: 'cascade', signal: 'logprob', threshold: 0.5, verifications: 4, then: { kind: 'greedy' } }, 'strategy.verifications'],
  ])('%j is rejected at %s', (strategy, path) => {
    expect(pathOf(strategy)).toBe(path);
  });

  it('rejects nesting deeper than 4 and cycles, before the schema could recurse forever', () => {
    const depth = (levels: number): unknown => (levels === 1 ? { kind: 'greedy' } : cascade(depth(levels - 1)));
    expect(() => normalizeRequest({ prompt: 'x', strategy: depth(4) })).not.toThrow();
    expect(pathOf(depth(5))).toBe('strategy.then.then.then.then');
    const cyclic: Record<string, unknown> = cascade(null);
    cyclic.then = cyclic;
    expect(pathOf(cyclic)).toBe('strategy.then');
    const schema: Record<string, unknown> = { type: 'object' };
    schema.properties = { self: schema };
    expect(pathOf({ kind: 'best-of-n', n: 2, scorer: 'verifier', verifier: { kind: 'json-schema', schema } })).toBe('strategy.verifier.schema.properties.self');
  });

  it('a callback verifier needs the request’s verify function', () => {
    const strategy = cascade({ kind: 'best-of-n', n: 2, scorer: 'verifier', verifier: { kind: 'callback' } });
    expect(pathOf(strategy)).toBe('verify');
    expect(() => normalizeRequest({ prompt: 'x', strategy, verify: () => true })).not.toThrow();
    expect(pathOf({ kind: 'greedy' }, { verify: 'yes' })).toBe('verify');
  });

  it('fills in defaults, so equal requests look equal', () => {
    expect(normalizeRequest({ prompt: 'x', strategy: cascade({ kind: 'adaptive-consistency', criterion: 'entropy' }) }).strategy).toEqual({
      kind: 'cascade',
      signal: 'vote',
      threshold: 0.8,
      n: 5,
      then: { kind: 'adaptive-consistency', maxSamples: 16, criterion: 'entropy', threshold: 0.75 },
    });
    expect(normalizeRequest({ prompt: 'x', strategy: { kind: 'self-refine' } }).strategy).toEqual({ kind: 'self-refine', maxRounds: 3, prompts: 'critique' });
    expect(normalizeRequest({ prompt: 'x', strategy: { kind: 'wait' } }).strategy).toEqual({ kind: 'wait', maxNudges: 1 });
  });
});
