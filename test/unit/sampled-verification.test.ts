import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/types.js';
import { scriptedRuntime } from '../helpers/runtime.js';
import { tinyScript } from '../helpers/tiny-script.js';

const number = { kind: 'number' } as const;
type VerifyEvent = Extract<TraceEvent, { type: 'verify' }>;
const verifies = (trace: TraceEvent[]) => trace.filter((e): e is VerifyEvent => e.type === 'verify');

/**
 * A checker whose greedy reply and sampled replies disagree: the greedy working lands on one verdict, most
 * sampled workings on the other. `greedy` and `sampled` give P(Y) per claimed answer.
 */
function splitCheck(greedy: Record<string, number>, sampled: Record<string, number>) {
  return (claimed: string, _q: string, call: { temperature: number }) => {
    const yes = (call.temperature === 0 ? greedy : sampled)[claimed]!;
    return { restated: claimed, yes };
  };
}

describe('self-verification over several replies', () => {
  it('scores each answer by the mean P(yes) of its greedy reply and verifications - 1 sampled ones, in one batched call', async () => {
    // 946 fools the greedy check (0.9) but not the sampled ones (0.1 each): mean 0.3. 936 the reverse: mean 0.7.
    const script = tinyScript({
      draft: ({ row }) => ['946', '946', '936'][row]!,
      check: splitCheck({ '946': 0.9, '936': 0.4 }, { '946': 0.1, '936': 0.8 }),
    });
    const { engine, runtime } = scriptedRuntime(script);
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'best-of-n', n: 3, scorer: 'self-verify', verifications: 4 } });
    expect(r.answer).toBe('936');
    expect(r.confidence).toBeCloseTo(0.7);
    const checks = engine.calls.slice(1);
    expect(checks.map((c) => [c.n, c.temperature === 0])).toEqual([
      [1, true],
      [3, false],
      [1, true],
      [3, false],
    ]);
    expect(checks.every((c) => c.watchTokens !== undefined)).toBe(true);
    expect(verifies(r.trace).map((e) => [e.answer, e.verdict, Number(e.score!.toFixed(3)), e.replies])).toEqual([
      ['946', false, 0.3, 4],
      ['936', true, 0.7, 4],
    ]);
  });

  it('one verification is the greedy reply alone, as before: no sampled call, no replies field', async () => {
    const script = tinyScript({ draft: ({ row }) => ['946', '936'][row]!, check: splitCheck({ '946': 0.9, '936': 0.4 }, { '946': 0.1, '936': 0.8 }) });
    const { engine, runtime } = scriptedRuntime(script);
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'best-of-n', n: 2, scorer: 'self-verify', verifications: 1 } });
    expect(r.answer).toBe('946');
    expect(engine.calls.slice(1).every((c) => c.n === 1 && c.temperature === 0)).toBe(true);
    expect(verifies(r.trace).every((e) => e.replies === undefined)).toBe(true);
  });

  it('a claim judged again in the request keeps its score and costs no further call', async () => {
    const script = tinyScript({ draft: () => '946', check: splitCheck({ '946': 0.9 }, { '946': 0.2 }) });
    const { engine, runtime } = scriptedRuntime(script);
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'verify-correct', samples: 2, rounds: 0, verifications: 3 } });
    // the draft call, then one greedy and one sampled check: the second sample is the same claim
    expect(engine.calls.map((c) => c.n)).toEqual([2, 1, 2]);
    expect(verifies(r.trace)).toHaveLength(1);
    expect(verifies(r.trace)[0]).toMatchObject({ verdict: false, replies: 3 });
    expect(verifies(r.trace)[0]!.score).toBeCloseTo((0.9 + 0.2 + 0.2) / 3);
  });

  it('the words kept as feedback come from a reply that reached the averaged verdict', async () => {
    const script = tinyScript({
      draft: () => '946',
      // On 946 the greedy reply restates 946 and says Y, the sampled ones restate 936 and say N; 936 passes every check.
      check: (claimed, _q, call) =>
        claimed === '936' ? { restated: '936', yes: 0.9 } : call.temperature === 0 ? { restated: claimed, yes: 0.9 } : { restated: '936', yes: 0.1 },
    });
    const { runtime } = scriptedRuntime(script);
    const r = await runtime.solve({ prompt: '347+589', answer: number, strategy: { kind: 'verify-correct', samples: 1, rounds: 1, verifications: 3 } });
    expect(verifies(r.trace)[0]).toMatchObject({ answer: '946', verdict: false, replies: 3 });
    // tiny-arith's correction is the result its check restated: the sampled reply's 936, not the greedy 946.
    expect(r.trace.find((e) => e.type === 'revise')).toMatchObject({ from: '946', to: '936' });
    expect(r.answer).toBe('936');
  });

  it('a budget that runs out before the sampled replies leaves the greedy reply as the evidence', async () => {
    const script = tinyScript({ draft: () => '936', check: splitCheck({ '936': 0.8 }, { '936': 0.1 }) });
    const { runtime } = scriptedRuntime(script);
    // Two draft samples and the greedy check use the three samples the budget allows.
    const r = await runtime.solve({
      prompt: '347+589',
      answer: number,
      strategy: { kind: 'best-of-n', n: 2, scorer: 'self-verify', verifications: 4 },
      budget: { maxSamples: 3 },
    });
    expect(r.answer).toBe('936');
    expect(r.budgetExhausted).toBe(true);
    expect(verifies(r.trace)).toEqual([expect.objectContaining({ verdict: true, score: expect.closeTo(0.8) })]);
    expect(verifies(r.trace)[0]!.replies).toBeUndefined();
  });
});
