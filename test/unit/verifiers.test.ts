import { describe, expect, it } from 'vitest';
import { evaluateExpression, findExpression, runVerifier } from '../../src/verifiers/index.js';

const value = (expression: string) => {
  const r = evaluateExpression(expression);
  return Number(r.n) / Number(r.d);
};
const check = (question: string, answer: string | null, text = answer ?? '') =>
  runVerifier({ kind: 'arithmetic' }, { question, answer, text });

describe('arithmetic parser', () => {
  it('honours precedence, parentheses, unary minus and decimals', () => {
    expect(value('2+3*4')).toBe(14);
    expect(value('(2+3)*4')).toBe(20);
    expect(value('-3--2')).toBe(-1);
    expect(value('-(2+3)*-2')).toBe(10);
    expect(value('10/4')).toBe(2.5);
    expect(value('8/4/2')).toBe(1);
    expect(value('10-4-3')).toBe(3);
    expect(value('0.1+0.2')).toBe(0.3);
    expect(value('.5 * 4')).toBe(2);
    expect(value('12 × 3 ÷ 4 − 1')).toBe(8);
  });

  it('rejects what is not arithmetic, and never evaluates code', () => {
    for (const bad of ['2+', '(2+3', '2+3)', 'process.exit(1)', '2**3', 'constructor', '1e5+1', '']) {
      expect(() => evaluateExpression(bad), bad).toThrow();
    }
    expect(() => evaluateExpression('1/0')).toThrow(RangeError);
    expect(() => evaluateExpression('1+'.repeat(150) + '1')).toThrow(/too long/);
  });

  it('finds the expression in a question', () => {
    expect(findExpression('347+589')).toBe('347+589');
    expect(findExpression('What is 12 * (3 + 4)?')).toBe('12 * (3 + 4)');
    expect(findExpression('Question 3: compute -5 + 2.5.')).toBe('-5 + 2.5');
    expect(findExpression('Name a prime')).toBeNull();
    expect(findExpression('What is -5?')).toBeNull();
  });
});

describe('arithmetic verifier', () => {
  it('accepts exactly the right answer', async () => {
    expect(await check('347+589', '936')).toMatchObject({ verdict: true });
    expect(await check('347+589', '946')).toMatchObject({ verdict: false, reason: '347+589 = 936, not 946' });
    expect(await check('500-501', '-1')).toMatchObject({ verdict: true });
    expect(await check('What is 7/2?', '3.5')).toMatchObject({ verdict: true });
    expect(await check('What is 7/2?', '3')).toMatchObject({ verdict: false });
    expect(await check('0.1+0.2', '0.3')).toMatchObject({ verdict: true });
  });

  it('reads the number out of the text when the answer is not one', async () => {
    expect(await check('2+2', null, 'The answer is 4.')).toMatchObject({ verdict: true });
    expect(await check('2+2', 'four')).toMatchObject({ verdict: false });
  });

  it('non-terminating values need two decimals, right to the last one', async () => {
    expect(await check('1/3', '0.33')).toMatchObject({ verdict: true });
    expect(await check('1/3', '0.333')).toMatchObject({ verdict: true });
    expect(await check('2/3', '0.67')).toMatchObject({ verdict: true });
    expect(await check('2/3', '0.66')).toMatchObject({ verdict: false });
    expect(await check('1/3', '0')).toMatchObject({ verdict: false });
  });

  it('cannot judge a question without an expression; nothing is right for 1/0', async () => {
    expect(await check('Name a prime', '7')).toMatchObject({ verdict: null });
    expect(await check('1/0', '0')).toMatchObject({ verdict: false });
  });
});

describe('json-schema, regex and callback verifiers', () => {
  const schema = { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } }, required: ['name'] };
  it('json-schema validates the answer, or the JSON inside the text', async () => {
    const run = (text: string) => runVerifier({ kind: 'json-schema', schema }, { question: 'q', answer: null, text });
    expect(await run('{"name":"Ada","age":36}')).toMatchObject({ verdict: true });
    expect(await run('Here you go: {"name":"Ada"} — done')).toMatchObject({ verdict: true });
    expect(await run('{"age":-1}')).toMatchObject({ verdict: false, reason: expect.stringMatching(/schema mismatch/) });
    expect(await run('no json')).toMatchObject({ verdict: false });
  });

  it('regex tests the extracted answer', async () => {
    const run = (answer: string | null, text = '') => runVerifier({ kind: 'regex', pattern: '^\\d{3}$' }, { question: 'q', answer, text });
    expect(await run('936')).toMatchObject({ verdict: true });
    expect(await run('9360')).toMatchObject({ verdict: false });
    expect(await run(null, '936')).toMatchObject({ verdict: true });
  });

  it('callback: boolean verdicts, async ones, and a throwing callback that cannot judge', async () => {
    const input = { question: 'q', answer: '1', text: '1' };
    expect(await runVerifier({ kind: 'callback' }, input, { callback: (i) => i.answer === '1' })).toMatchObject({ verdict: true });
    expect(await runVerifier({ kind: 'callback' }, input, { callback: async () => false })).toMatchObject({ verdict: false });
    expect(await runVerifier({ kind: 'callback' }, input, { callback: () => { throw new Error('boom'); } })).toMatchObject({ verdict: null, reason: expect.stringMatching(/boom/) });
    await expect(runVerifier({ kind: 'callback' }, input, {})).rejects.toMatchObject({ name: 'InvalidRequestError', path: 'verify' });
  });
});
