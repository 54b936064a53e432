import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/types.js';
import { scriptedRuntime } from '../helpers/runtime.js';
import { honestCheck, tinyScript } from '../helpers/tiny-script.js';

const number = { kind: 'number' } as const;
const types = (trace: TraceEvent[]) => trace.map((e) => e.type);
const decisions = (trace: TraceEvent[]) =>
  trace.filter((e): e is Extract<TraceEvent, { type: 'decision' }> => e.type === 'decision');

describe('best-of-n with judges', () => {
  const drafts = ['946', '12', '946', '936', '12', '12'];
  it("scorer 'verifier' picks a verified answer whenever one exists, however few votes it has", async () => {
    const { engine, runtime } = scriptedRuntime(tinyScript({ draft: ({ row }) => drafts[row]! }));
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'best-of-n', n: 6, scorer: 'verifier', verifier: { kind: 'arithmetic' } } });
    expect(r.answer).toBe('936');
    expect(r.confidence).toBe(1);
    expect(engine.calls).toHaveLength(1); // the programmatic verifier needs no model call
    expect(r.trace.filter((e) => e.type === 'verify')).toHaveLength(3); // once per distinct answer
    expect(r.trace.find((e) => e.type === 'verify' && e.answer === '946')).toMatchObject({ verdict: false, by: 'verifier:arithmetic', reason: expect.stringMatching(/= 936/) });
  });

  it("scorer 'verifier' falls back to the most voted when none passes", async () => {
    const { runtime } = scriptedRuntime(tinyScript({ draft: ({ row }) => ['1', '2', '2'][row]! }));
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'best-of-n', n: 3, scorer: 'verifier', verifier: { kind: 'arithmetic' } } });
    expect(r.answer).toBe('2');
    expect(r.confidence).toBe(0);
  });

  it("scorer 'self-verify' ranks by P(yes) of the model's check, one check per distinct answer", async () => {
    const script = tinyScript({ draft: ({ row }) => drafts[row]!, check: (c) => ({ restated: c, yes: { '946': 0.6, '12': 0.2, '936': 0.7 }[c]! }) });
    const { engine, runtime } = scriptedRuntime(script);
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'best-of-n', n: 6, scorer: 'self-verify' } });
    expect(r.answer).toBe('936');
    expect(r.confidence).toBeCloseTo(0.7);
    expect(engine.calls).toHaveLength(4);
    expect(engine.calls.slice(1).map((c) => [c.temperature, c.watchTokens])).toEqual(Array(3).fill([0, ['Y', 'N']]));
    expect(script.prompts.slice(6)).toEqual(['<s>347+589=12?', '<s>347+589=946?', '<s>347+589=936?']);
  });
});

describe('verify-correct (SETS)', () => {
  it('samples, verifies, corrects the failures, votes among the verified', async () => {
    const script = tinyScript({ draft: ({ row }) => ['946', '936', '12', '946'][row]!, check: honestCheck('936', 0.8) });
    const { runtime } = scriptedRuntime(script);
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'verify-correct' } });
    expect(r.strategy).toEqual({ kind: 'verify-correct', samples: 4, rounds: 2 });
    expect(r.answer).toBe('936');
    expect(r.trace.filter((e) => e.type === 'revise').map((e) => e.type === 'revise' && [e.from, e.to])).toEqual([
      ['946', '936'],
      ['12', '936'],
      ['946', '936'],
    ]);
    expect(r.trace.at(-1)).toMatchObject({ type: 'decision', choice: '936', reason: 'majority of the 4 verified of 4' });
    // The tiny model's correction is the result it restates while checking: one check per distinct claim.
    expect(script.prompts.filter((p) => p.startsWith('<s>'))).toEqual(['<s>347+589=946?', '<s>347+589=936?', '<s>347+589=12?']);
  });

  it('each round corrects the latest correction; the vote only sees what the trust rule let through', async () => {
    const next: Record<string, string> = { '900': '930', '930': '936', '936': '936' };
    const check = (c: string) => ({ restated: next[c]!, yes: c === '936' ? 0.9 : 0.2 });
    const once = scriptedRuntime(tinyScript({ draft: () => '900', check }));
    const one = await once.runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'verify-correct', samples: 1, rounds: 1 } });
    expect(one.answer).toBe('900'); // 930 is rejected too: no evidence it is better
    const twice = scriptedRuntime(tinyScript({ draft: () => '900', check }));
    const two = await twice.runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'verify-correct', samples: 1, rounds: 2 } });
    expect(two.answer).toBe('936');
    expect(decisions(two.trace).map((d) => d.choice)).toEqual(['900', '936', '936']);
  });

  it('rounds: 0 only verifies and votes; none verified → majority of all', async () => {
    const { engine, runtime } = scriptedRuntime(tinyScript({ draft: ({ row }) => ['5', '5', '6'][row]!, check: (c) => ({ restated: c, yes: 0.1 }) }));
    const r = await runtime.solve({ prompt: '2+2', answer: number, strategy: { kind: 'verify-correct', samples: 3, rounds: 0 } });
    expect(r.answer).toBe('5');
    expect(engine.calls).toHaveLength(3);
    expect(decisions(r.trace).at(-1)!.reason).toMatch(/none of 3 verified/);
  });
});

describe('self-refine', () => {
  it('stops as soon as the feedback says the draft is correct', async () => {
    const { engine, runtime } = scriptedRuntime(tinyScript({ draft: () => ({ text: '936', confidence: 0.7 }), check: honestCheck('936') }));
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'self-refine' } });
    expect(r.answer).toBe('936');
    expect(r.confidence).toBeCloseTo(0.7);
    expect(engine.calls).toHaveLength(2);
    expect(types(r.trace)).toEqual(['draft', 'confidence', 'critique', 'stop']);
    expect(r.trace.at(-1)).toMatchObject({ rule: 'feedback-correct', numbers: { round: 1 } });
  });

  it('refines through feedback until it is correct, one model call per round on tiny-arith', async () => {
    // The checker walks 900 → 930 → 936 and accepts only 936.
    const next: Record<string, string> = { '900': '930', '930': '936', '936': '936' };
    const script = tinyScript({ draft: () => '900', check: (c) => ({ restated: next[c]!, yes: c === '936' ? 0.9 : 0.2 }) });
    const { engine, runtime } = scriptedRuntime(script);
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'self-refine', maxRounds: 5 } });
    expect(r.answer).toBe('936');
    expect(engine.calls).toHaveLength(4); // draft + checks of 900, 930, 936
    expect(r.trace.filter((e) => e.type === 'critique').map((e) => e.type === 'critique' && e.says)).toEqual(['incorrect', 'incorrect', 'correct']);
    expect(r.trace.at(-1)).toMatchObject({ type: 'stop', rule: 'feedback-correct', numbers: { round: 3 } });
  });

  it('stops at maxRounds', async () => {
    let k = 100;
    const { runtime } = scriptedRuntime(tinyScript({ draft: () => '1', check: () => ({ restated: String(k++), yes: 0.1 }) }));
    const r = await runtime.solve({ prompt: '1+1', answer: number, strategy: { kind: 'self-refine', maxRounds: 2 } });
    expect(r.trace.at(-1)).toMatchObject({ type: 'stop', rule: 'max-rounds' });
  });

  it("'ioe' reviews, asks the follow-up only when the answers differ, and stops when the answer is maintained", async () => {
    const script = tinyScript({ draft: () => '946', check: honestCheck('936') });
    const { runtime } = scriptedRuntime(script);
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'self-refine', prompts: 'ioe' } });
    expect(r.answer).toBe('936');
    expect(r.trace.find((e) => e.type === 'stop')).toMatchObject({ rule: 'maintained', numbers: { round: 2 } });
    // Review of 946 → 936; follow-up re-checks 936 (the tiny model's only way to "check again"); both verdicts are in the trace.
    expect(script.prompts.slice(1)).toEqual(['<s>347+589=946?', '<s>347+589=936?']);
    expect(r.trace.filter((e) => e.type === 'verify').map((e) => e.type === 'verify' && [e.answer, e.verdict])).toEqual([
      ['946', false],
      ['936', true],
    ]);
  });
});

describe('wait', () => {
  it('nudges with `?` and keeps the draft when the continuation keeps the answer', async () => {
    const script = tinyScript({ draft: () => '936', check: honestCheck('936') });
    const { engine, runtime } = scriptedRuntime(script);
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'wait', maxNudges: 3 } });
    expect(r.answer).toBe('936');
    expect(engine.calls).toHaveLength(2);
    expect(script.prompts).toEqual(['draft:347+589', '<s>347+589=936?']);
    expect(r.trace.at(-1)).toMatchObject({ type: 'stop', rule: 'kept' });
  });

  it('a changed answer with better evidence replaces the draft', async () => {
    const { runtime } = scriptedRuntime(tinyScript({ draft: () => '946', check: honestCheck('936') }));
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'wait' } });
    expect(r.answer).toBe('936');
    expect(decisions(r.trace)[0]).toMatchObject({ choice: '936', reason: expect.stringMatching(/replaces draft 946/) });
  });
});

describe('cascade', () => {
  const confident = (c: number) => tinyScript({ draft: () => ({ text: '936', confidence: c }), check: honestCheck('936') });

  it('threshold 0 never runs `then`', async () => {
    const { engine, runtime } = scriptedRuntime(confident(0.01));
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'cascade', signal: 'confidence-token', threshold: 0, then: { kind: 'self-consistency', n: 8 } } });
    expect(engine.calls).toHaveLength(1);
    expect(r.confidence).toBeCloseTo(0.01);
    expect(r.trace.find((e) => e.type === 'stop')).toMatchObject({ rule: 'cascade-accept' });
  });

  it('escalates below the threshold, and the fallback shares the budget', async () => {
    const { engine, runtime } = scriptedRuntime(confident(0.4));
    const r = await runtime.solve({
      prompt: '347+589',
      answer: number,
      strategy: { kind: 'cascade', signal: 'confidence-token', threshold: 0.5, then: { kind: 'self-consistency', n: 8 } },
      budget: { maxSamples: 4 },
    });
    expect(engine.calls.map((c) => c.n)).toEqual([1, 3]);
    expect(r.usage.samples).toBe(4);
    expect(r.budgetExhausted).toBe(true);
    expect(decisions(r.trace)[0]).toMatchObject({ choice: 'escalate to self-consistency', reason: expect.stringMatching(/0\.400 < 0\.5/) });
    expect(r.trace.find((e) => e.type === 'confidence' && e.signal === 'confidence-token' && e.threshold === 0.5)).toBeTruthy();
  });

  it.each([
    ['logprob', { text: '936', logprob: Math.log(0.95) }, 0.9, 1],
    ['self-verify', '936', 0.85, 2],
    ['vote', '936', 0.8, 1],
  ] as const)('signal %s', async (signal, draft, threshold, calls) => {
    const { engine, runtime } = scriptedRuntime(tinyScript({ draft: () => draft, check: honestCheck('936') }));
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'cascade', signal, threshold, then: { kind: 'greedy' } } });
    expect(r.answer).toBe('936');
    expect(engine.calls).toHaveLength(calls);
    expect(r.trace.find((e) => e.type === 'stop')).toMatchObject({ rule: 'cascade-accept' });
  });

  it('cascades nest: into another cascade, into adaptive consistency', async () => {
    const { engine, runtime } = scriptedRuntime(confident(0.2));
    const r = await runtime.solve({
      prompt: '347+589',
      answer: number,
      strategy: {
        kind: 'cascade',
        signal: 'confidence-token',
        threshold: 0.9,
        then: { kind: 'cascade', signal: 'self-verify', threshold: 0.95, then: { kind: 'adaptive-consistency' } },
      },
    });
    expect(r.answer).toBe('936');
    expect(engine.calls.map((c) => c.n)).toEqual([1, 1, 4]); // the inner cascade reuses the draft
    expect(r.strategy).toMatchObject({ then: { then: { kind: 'adaptive-consistency', maxSamples: 16 } } });
  });

  it('a draft without a signal value escalates', async () => {
    const { engine, runtime } = scriptedRuntime(tinyScript({ draft: () => '936' })); // no confidence token emitted
    await runtime.solve({ prompt: '1', answer: number, strategy: { kind: 'cascade', signal: 'confidence-token', threshold: 0, then: { kind: 'self-consistency', n: 2 } } });
    expect(engine.calls.map((c) => c.n)).toEqual([1, 2]);
  });
});
