import { describe, expect, it } from 'vitest';
import { recordRouting, ROUTING_THRESHOLDS, routingCurve, routingStudy, type RoutedQuestion } from '../../src/public.js';
import { RemoteEngineError } from '../../src/errors.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import type { SolveRequest, SolveResult, TraceEvent } from '../../src/types.js';

const q = (signal: number | null, smallCorrect: boolean, largeCorrect: boolean, smallTokens = 4, largeTokens = 20): RoutedQuestion => ({ signal, smallCorrect, largeCorrect, smallTokens, largeTokens });

// Four questions: the small model is right on the two it is sure of, the large one on all but the first.
const four = [q(0.9, true, false), q(0.7, true, true), q(0.4, false, true), q(null, false, true, 4, 40)];

describe('routingCurve', () => {
  it('takes the small answer where the signal reaches t and escalates the rest (a missing signal always escalates)', () => {
    const [at0, at05, at08, at1] = routingCurve(four, [0, 0.5, 0.8, 1]);
    expect(at0).toEqual({ threshold: 0, accuracy: 3 / 4, largeCallShare: 1 / 4, largeTokenShare: 40 / 100, tokensPerQuestion: (16 + 40) / 4 });
    expect(at05).toMatchObject({ accuracy: 4 / 4, largeCallShare: 2 / 4, largeTokenShare: 60 / 100, tokensPerQuestion: (16 + 60) / 4 });
    // At 0.8 the 0.7 answer (right) goes to the large model, which is right too; the 0.9 one stays, right.
    expect(at08).toMatchObject({ accuracy: 4 / 4, largeCallShare: 3 / 4, largeTokenShare: 80 / 100 });
    // t = 1: everything escalates, and the large model's miss on the first question counts.
    expect(at1).toMatchObject({ accuracy: 3 / 4, largeCallShare: 1, largeTokenShare: 1, tokensPerQuestion: (16 + 100) / 4 });
  });

  it('a signal equal to the threshold is accepted, as the cascade accepts value >= threshold', () => {
    expect(routingCurve([q(0.5, true, false)], [0.5])[0]!.largeCallShare).toBe(0);
    expect(routingCurve([q(0.49, true, false)], [0.5])[0]!.largeCallShare).toBe(1);
  });

  it('defaults to 101 thresholds from 0 to 1, and refuses an empty set', () => {
    expect(ROUTING_THRESHOLDS).toHaveLength(101);
    expect([ROUTING_THRESHOLDS[0], ROUTING_THRESHOLDS[37], ROUTING_THRESHOLDS[100]]).toEqual([0, 0.37, 1]);
    expect(routingCurve(four).map((p) => p.threshold)).toEqual(ROUTING_THRESHOLDS);
    expect(() => routingCurve([])).toThrow(RangeError);
  });
});

describe('routingStudy', () => {
  it('picks the cheapest threshold within a point of always-large on the picking set and scores it on the other', () => {
    const study = routingStudy(four, [q(0.95, true, true), q(0.6, false, true), q(0.3, false, false)]);
    // On `four`, always-large is 3/4; t = 0 already reaches it with 1/4 of the calls.
    expect(study.chosenThreshold).toBe(0);
    expect(study.atChosen).toEqual(study.curve[0]);
    expect(study.atChosen).toMatchObject({ accuracy: 1 / 3, largeCallShare: 0 });
    expect(study).toMatchObject({ pickQuestions: 4, scoredQuestions: 3, smallOnly: 1 / 3, alwaysLarge: 2 / 3 });
  });

  it('"within one point" includes exactly one point, despite floating point', () => {
    // 100 picking questions: always-large 13 right; small-only 12, one point below, for no large calls
    // (0.13 - 0.01 is 0.12000000000000001, above 0.12).
    const pick = Array.from({ length: 100 }, (_, i) => q(0.9, i < 12, i < 13));
    expect(routingStudy(pick, four).chosenThreshold).toBe(0);
    // Two points below is not within one: the threshold must send the small model's misses up.
    const worse = Array.from({ length: 100 }, (_, i) => q(i < 94 ? 0.9 : 0.2, i < 94, i < 96));
    expect(routingStudy(worse, four).chosenThreshold).toBe(0.21);
  });

  it('has no chosen threshold when none comes within the tolerance', () => {
    // The small model is wrong with a signal of 1, which every threshold accepts: none matches always-large.
    const pick = [q(1, false, true), q(0.3, false, true)];
    const study = routingStudy(pick, four, { tolerance: 0 });
    expect(study.chosenThreshold).toBe(null);
    expect(study.atChosen).toBe(null);
  });
});

/** A runtime that answers an always-escalating cascade with the trace the real one writes. */
function fakeRuntime(reply: (request: SolveRequest) => Partial<SolveResult>): Pick<Runtime, 'solve'> & { requests: SolveRequest[] } {
  const requests: SolveRequest[] = [];
  return {
    requests,
    async solve(request) {
      requests.push(request);
      return { answer: null, text: '', confidence: null, strategy: request.strategy!, usage: { promptTokens: 0, completionTokens: 0, samples: 0, engineCalls: 0, ms: 0, byModel: {} }, cached: false, budgetExhausted: false, trace: [], ...reply(request) };
    },
  };
}
type Untimed<E> = E extends unknown ? Omit<E, 't'> : never;
const ev = (e: Untimed<TraceEvent>) => ({ t: 0, ...e }) as TraceEvent;
const usage = (small: number, big: number) => ({ promptTokens: 0, completionTokens: small + big, samples: 0, engineCalls: 0, ms: 0, byModel: { local: { promptTokens: 0, completionTokens: small, samples: 1, engineCalls: 1 }, big: { promptTokens: 0, completionTokens: big, samples: 8, engineCalls: 1 } } });
const options = { signal: 'confidence-token' as const, large: { kind: 'greedy' as const }, models: { small: 'local', large: 'big' } };

describe('recordRouting', () => {
  it('reads the draft, its signal and the escalation from one cascade at threshold 1', async () => {
    const runtime = fakeRuntime(() => ({
      answer: '936',
      usage: usage(5, 40),
      trace: [ev({ type: 'draft', text: '935<UN>', answer: '935', tokens: 5 }), ev({ type: 'confidence', signal: 'confidence-token', value: 0.42, threshold: 1 }), ev({ type: 'route', from: 'local', to: 'big', reason: '' }), ev({ type: 'draft', text: 'x', answer: '1', tokens: 1 })],
    }));
    const record = await recordRouting(runtime, { prompt: '347+589' }, options);
    expect(record).toEqual({ smallAnswer: '935', largeAnswer: '936', signal: 0.42, smallTokens: 5, largeTokens: 40 });
    expect(runtime.requests[0]!.strategy).toEqual({ kind: 'cascade', signal: 'confidence-token', threshold: 1, model: 'local', then: { kind: 'greedy', model: 'big' } });
  });

  it('asks the large model on its own when a signal of exactly 1 passed even threshold 1', async () => {
    const runtime = fakeRuntime((request) =>
      request.strategy!.kind === 'cascade'
        ? { answer: '19', usage: usage(3, 0), trace: [ev({ type: 'draft', text: '19<CN>', answer: '19', tokens: 3 }), ev({ type: 'confidence', signal: 'confidence-token', value: 1, threshold: 1 })] }
        : { answer: '18', usage: usage(0, 24) },
    );
    expect(await recordRouting(runtime, { prompt: '12+7' }, options)).toEqual({ smallAnswer: '19', largeAnswer: '18', signal: 1, smallTokens: 3, largeTokens: 24 });
    expect(runtime.requests[1]!.strategy).toEqual({ kind: 'greedy', model: 'big' });
  });

  it('throws the failed escalation as a typed error instead of recording the small answer as the large one', async () => {
    const runtime = fakeRuntime(() => ({
      answer: '935',
      escalation: 'failed',
      trace: [ev({ type: 'draft', text: '935', answer: '935', tokens: 4 }), ev({ type: 'error', model: 'big', name: 'RemoteEngineError', message: 'GET /v1/models answered 401', status: 401 })],
    }));
    const failure = recordRouting(runtime, { prompt: '347+589' }, options);
    await expect(failure).rejects.toBeInstanceOf(RemoteEngineError);
    await expect(failure).rejects.toMatchObject({ status: 401, message: 'The large model "big" failed: GET /v1/models answered 401' });
  });
});
