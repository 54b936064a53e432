import { describe, expect, it } from 'vitest';
import { trustRule, type Standing } from '../../src/strategies/trust.js';
import type { StrategySpec, TraceEvent } from '../../src/types.js';
import { scriptedRuntime } from '../helpers/runtime.js';
import { tinyScript } from '../helpers/tiny-script.js';

const number = { kind: 'number' } as const;
const verdicts = [true, false, null] as const;
const scores = [null, 0, 0.2, 0.5, 0.9, 1] as const;

describe('trust rule', () => {
  it('only a better verdict replaces, over every combination of evidence', () => {
    for (const v1 of verdicts) for (const s1 of scores) for (const v2 of verdicts) for (const s2 of scores) {
      const incumbent: Standing = { answer: '1', verdict: v1, score: s1, by: 'x' };
      const revision: Standing = { answer: '2', verdict: v2, score: s2, by: 'x' };
      const { replace } = trustRule(incumbent, revision);
      if (v1 === true && v2 !== true) expect(replace).toBe(false);
      if (v1 === v2) expect(replace).toBe(false); // equal verdicts keep the incumbent, whatever the scores
      if (v1 === false && v2 === true) expect(replace).toBe(true);
      if (v2 === false) expect(replace).toBe(false); // a rejected revision never replaces anything
    }
  });

  it('needs a better verdict: a higher score under the same verdict keeps the incumbent and says why', () => {
    const a: Standing = { answer: '1', verdict: null, score: null, by: 'x' };
    expect(trustRule(a, { ...a, answer: '2' })).toMatchObject({ replace: false, reason: expect.stringMatching(/neither judged, no evidence/) });
    expect(trustRule(a, { ...a, answer: null }).replace).toBe(false);
    expect(trustRule({ ...a, verdict: false, score: 0.2 }, { ...a, answer: '2', verdict: false, score: 0.3 })).toMatchObject({ replace: false, reason: expect.stringMatching(/both rejected/) });
    // Two contradicting answers both accepted: the judge is wrong about one of them, and its P(yes) gap does not say which.
    expect(trustRule({ ...a, verdict: true, score: 0.6 }, { ...a, answer: '2', verdict: true, score: 0.99 })).toMatchObject({
      replace: false,
      reason: 'x: revision accepted, current accepted; both accepted, no evidence the revision is better (0.990 vs 0.600)',
    });
    expect(trustRule({ ...a, score: 0.6 }, { ...a, answer: '2', score: 0.7 }).replace).toBe(false);
    expect(trustRule({ ...a, verdict: null }, { ...a, answer: '2', verdict: true, score: 0.51 })).toMatchObject({ replace: true, reason: 'x: revision accepted, current not judged' });
  });
});

/**
 * The model's own second thought is wrong: it drafts the right 936 and then "corrects" it to 946 (and is
 * sure of it). Whatever the strategy, an arithmetic verifier that accepts 936 and rejects 946 must win.
 */
const stubborn = () =>
  tinyScript({
    draft: () => ({ text: '936', confidence: 0.3 }),
    check: (claimed) => ({ restated: '946', yes: claimed === '946' ? 0.99 : 0.01 }),
  });

const strategies: StrategySpec[] = [
  { kind: 'self-refine', maxRounds: 3, verifier: { kind: 'arithmetic' } },
  { kind: 'self-refine', prompts: 'ioe', verifier: { kind: 'arithmetic' } },
  { kind: 'wait', maxNudges: 3, verifier: { kind: 'arithmetic' } },
  { kind: 'verify-correct', samples: 3, rounds: 2, verifier: { kind: 'arithmetic' } },
];

describe('trust rule inside the strategies', () => {
  it.each(strategies.map((s) => [`${s.kind} ${JSON.stringify(s)}`, s] as const))(
    '%s keeps a verified draft against a rejected revision',
    async (_name, strategy) => {
      const { runtime } = scriptedRuntime(stubborn());
      const r = await runtime.solve({ prompt: '347+589', answer: number, strategy });
      expect(r.answer).toBe('936');
      const decisions = r.trace.filter((e): e is Extract<TraceEvent, { type: 'decision' }> => e.type === 'decision');
      expect(decisions.some((d) => d.choice === '946')).toBe(false);
    },
  );

  it('self-refine without a verifier ranks by self-verification: a confident wrong revision of a doubted draft wins, as the evidence says', async () => {
    const { runtime } = scriptedRuntime(stubborn());
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'self-refine', maxRounds: 1 } });
    expect(r.answer).toBe('946');
    const decision = r.trace.find((e) => e.type === 'decision');
    expect(decision).toMatchObject({ choice: '946', reason: expect.stringMatching(/self-verify: revision accepted, current rejected/) });
  });

  it('takes a revision the verifier accepts over a draft it rejects', async () => {
    const { runtime } = scriptedRuntime(
      tinyScript({ draft: () => '946', check: (claimed) => ({ restated: '936', yes: claimed === '936' ? 0.8 : 0.3 }) }),
    );
    for (const strategy of strategies) {
      const r = await runtime.solve({ prompt: '347+589', answer: number, strategy, cache: 'bypass' });
      expect(r.answer, strategy.kind).toBe('936');
    }
  });
});

describe('the trust rule when the judge accepts both', () => {
  it("ioe keeps an accepted draft against an accepted revision that contradicts it, however much surer the judge is of the revision", async () => {
    // The model reviews its accepted 946 into 936 and then accepts 936 more strongly: one of the two acceptances is wrong.
    const script = tinyScript({ draft: () => '946', check: (claimed) => ({ restated: '936', yes: claimed === '936' ? 0.95 : 0.6 }) });
    const { runtime } = scriptedRuntime(script);
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'self-refine', prompts: 'ioe', maxRounds: 1 } });
    expect(r.answer).toBe('946');
    const decision = r.trace.find((e) => e.type === 'decision');
    expect(decision).toMatchObject({ choice: '946', reason: expect.stringMatching(/both accepted, no evidence the revision is better \(0\.950 vs 0\.600\)/) });
  });
});
