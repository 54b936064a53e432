import { describe, expect, it } from 'vitest';
import { extractAnswer, normalizeNumber } from '../../src/answers/extract.js';

describe('answer extraction', () => {
  it('takes the last number and normalises it', () => {
    expect(extractAnswer({ kind: 'number' }, '936')).toBe('936');
    expect(extractAnswer({ kind: 'number' }, 'First 12, so the answer is 1,000.')).toBe('1000');
    expect(extractAnswer({ kind: 'number' }, '-042')).toBe('-42');
    expect(extractAnswer({ kind: 'number' }, 'no digits')).toBeNull();
    expect(normalizeNumber('-0')).toBe('0');
    expect(normalizeNumber('3.50')).toBe('3.5');
  });

  it('finds a choice, preferring an exact match, else the last one mentioned', () => {
    const spec = { kind: 'choice' as const, choices: ['yes', 'no'] };
    expect(extractAnswer(spec, 'Yes.')).toBe('yes');
    expect(extractAnswer(spec, 'At first yes, but no')).toBe('no');
    expect(extractAnswer(spec, 'nothing')).toBeNull();
    expect(extractAnswer(spec, 'nope')).toBeNull();
  });

  it('uses a regex group when there is one', () => {
    expect(extractAnswer({ kind: 'regex', pattern: 'answer: (\\w+)' }, 'the answer: Paris')).toBe('Paris');
    expect(extractAnswer({ kind: 'regex', pattern: '\\d+' }, 'x 42 y')).toBe('42');
  });

  it('trims text answers', () => {
    expect(extractAnswer({ kind: 'text' }, '  a   b \n')).toBe('a b');
    expect(extractAnswer({ kind: 'text' }, '   ')).toBeNull();
  });
});
