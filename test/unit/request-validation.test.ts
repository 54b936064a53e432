import { planModels } from '../../src/runtime/models.js';
import { describe, expect, it } from 'vitest';
import { ContextLengthError, InvalidRequestError, ModelNotFoundError } from '../../src/errors.js';
import { findModel } from '../../src/models/catalog.js';
import { normalizeRequest } from '../../src/request/schema.js';
import { resolveOptions } from '../../src/runtime/options.js';

function pathOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return (error as InvalidRequestError).path;
  }
  throw new Error('expected InvalidRequestError');
}

describe('request validation', () => {
  it('defaults a prompt to one user message, greedy, text answers, cache use', () => {
    const r = normalizeRequest({ prompt: '2+2' });
    expect(r.messages).toEqual([{ role: 'user', content: '2+2' }]);
    expect(r.strategy).toEqual({ kind: 'greedy' });
    expect(r.answer).toEqual({ kind: 'text' });
    expect(r.cache).toBe('use');
  });

  it('names the path of an unknown strategy kind', () => {
    expect(pathOf(() => normalizeRequest({ prompt: 'x', strategy: { kind: 'magic' } }))).toBe('strategy.kind');
    try {
      normalizeRequest({ prompt: 'x', strategy: { kind: 'magic' } });
    } catch (error) {
      expect((error as Error).message).toMatch(/unknown kind "magic"/);
      expect((error as Error).message).toMatch(/"self-consistency"/);
    }
  });

  it.each([0, -1, 65, 2.5])('rejects n = %s with the path strategy.n', (n) => {
    expect(pathOf(() => normalizeRequest({ prompt: 'x', strategy: { kind: 'self-consistency', n } }))).toBe('strategy.n');
  });

  it('rejects wrong types with their path', () => {
    expect(pathOf(() => normalizeRequest({ prompt: 42 }))).toBe('prompt');
    expect(pathOf(() => normalizeRequest({ prompt: 'x', sampling: { temperature: 'hot' } }))).toBe('sampling.temperature');
    expect(pathOf(() => normalizeRequest({ prompt: 'x', budget: { maxTokens: -3 } }))).toBe('budget.maxTokens');
    expect(pathOf(() => normalizeRequest({ messages: [{ role: 'robot', content: 'x' }] }))).toBe('messages.0.role');
    expect(pathOf(() => normalizeRequest({ prompt: 'x', cache: 'sometimes' }))).toBe('cache');
    expect(pathOf(() => normalizeRequest({ prompt: 'x', answer: { kind: 'regex', pattern: '(' } }))).toBe('answer.pattern');
  });

  it('rejects unknown fields instead of ignoring them', () => {
    expect(pathOf(() => normalizeRequest({ prompt: 'x', temperature: 0.5 }))).toBe('temperature');
    expect(pathOf(() => normalizeRequest({ prompt: 'x', sampling: { top_p: 0.9 } }))).toBe('sampling.top_p');
  });

  it('rejects empty messages, an empty prompt, and both prompt and messages', () => {
    expect(pathOf(() => normalizeRequest({ messages: [] }))).toBe('messages');
    expect(pathOf(() => normalizeRequest({}))).toBe('prompt');
    expect(pathOf(() => normalizeRequest({ prompt: '   ' }))).toBe('prompt');
    expect(pathOf(() => normalizeRequest({ messages: [{ role: 'system', content: 'hi' }] }))).toBe('messages');
    expect(pathOf(() => normalizeRequest({ prompt: 'a', messages: [{ role: 'user', content: 'b' }] }))).toBe('prompt');
    expect(pathOf(() => normalizeRequest(null))).toBe('');
  });

  it('validates runtime options', () => {
    expect(pathOf(() => resolveOptions({ device: 'tpu' } as never))).toBe('options.device');
    expect(pathOf(() => resolveOptions({ modle: 'x' } as never))).toBe('options.modle');
    expect(resolveOptions(undefined)).toMatchObject({ engine: 'auto', device: 'auto' });
    expect(planModels(resolveOptions(undefined)).models.map((m) => m.entry.id)).toEqual(['tiny-arith']);
  });
});

describe('errors', () => {
  it('ModelNotFoundError lists the known models', () => {
    try {
      findModel('gpt-5');
      throw new Error('unreachable');
    } catch (error) {
      expect(error).toBeInstanceOf(ModelNotFoundError);
      expect((error as ModelNotFoundError).known).toContain('tiny-arith');
      expect((error as Error).message).toMatch(/Unknown model "gpt-5".*tiny-arith/);
    }
  });

  it('ContextLengthError states both lengths', () => {
    const error = new ContextLengthError(80, 64);
    expect(error.name).toBe('ContextLengthError');
    expect(error.message).toMatch(/80 tokens.*64/);
  });
});
