import { describe, expect, it } from 'vitest';
import { describeModel, modelChoices, modelOptions } from '../../src/app/model-choices.js';
import { buildSpec, describeSpec, initialValues, strategyInfo, strategyInfos } from '../../src/app/strategy-forms.js';
import { validateStrategy } from '../../src/request/schema.js';
import type { ModelInfo, RuntimeInfo, SolveResult, TraceEvent, Usage } from '../../src/types.js';
import { formatPercentAgainst, formatShortOf } from '../../src/ui/format.js';
import { escalationCause, escalationNote, routeLine, usageByModel } from '../../src/ui/route-text.js';
import { explainResult, summarizeEvent } from '../../src/ui/trace-text.js';

/** The app's words for requests on two models: the Model select's choices, route lines, per-model usage, a failed escalation. */

const capabilities = { logprobs: true, confidenceToken: true, batchedSampling: true } as unknown as ModelInfo['capabilities'];
const model = (id: string, engine: ModelInfo['engine']): ModelInfo => ({ model: id, engine, device: engine === 'openai' ? 'cpu' : 'wasm', fallback: null, capabilities });
const info = (models: Record<string, ModelInfo>): RuntimeInfo => {
  const first = Object.values(models)[0]!;
  return { ...first, worker: true, models, warnings: [] };
};
const twoModels = modelOptions(info({ local: model('tiny-arith', 'transformers'), big: model('Qwen/Qwen2.5-7B-Instruct', 'openai') }));

describe('the Model select', () => {
  it('lists the runtime’s models, the default first, saying where each runs', () => {
    expect(twoModels).toEqual([
      { name: 'local', detail: 'tiny-arith on this device' },
      { name: 'big', detail: 'Qwen/Qwen2.5-7B-Instruct on a server' },
    ]);
    expect(describeModel(twoModels, 'big')).toBe('big (Qwen/Qwen2.5-7B-Instruct on a server)');
    expect(describeModel(twoModels, 'other')).toBe('other');
  });

  it('shows a step that names no model as the model it inherits, and offers the others by name', () => {
    expect(modelChoices(twoModels, 'local', true)).toEqual([
      { value: '', label: 'local — tiny-arith on this device (default)' },
      { value: 'big', label: 'big — Qwen/Qwen2.5-7B-Instruct on a server' },
    ]);
    // A nested step under a step on "big" runs on "big" unless it names "local".
    expect(modelChoices(twoModels, 'big', false)).toEqual([
      { value: '', label: 'big — Qwen/Qwen2.5-7B-Instruct on a server (as the step above)' },
      { value: 'local', label: 'local — tiny-arith on this device' },
    ]);
    expect(modelChoices(twoModels, 'gone', false).map((c) => c.value)).toEqual(['', 'local', 'big']);
  });

  it('is a field of every built-in strategy’s form, read from its schema, first', () => {
    for (const { kind, fields } of strategyInfos().filter((s) => !s.kind.startsWith('toy-'))) {
      expect(fields[0], kind).toEqual({ key: 'model', label: 'Model', type: 'model', required: false });
      // Left empty it stays out of the spec (the library's default applies, the cache key is unchanged).
      expect(buildSpec(kind, initialValues(kind)), kind).not.toHaveProperty('model');
    }
  });

  it('puts a chosen model in that step’s spec, top level and nested, as issue 10’s spec reads', () => {
    const then = buildSpec('self-consistency', { ...initialValues('self-consistency'), n: 4, model: 'big' });
    const spec = buildSpec('cascade', { ...initialValues('cascade'), threshold: 0.6, then, model: undefined });
    expect(spec).toEqual({ kind: 'cascade', signal: 'confidence-token', threshold: 0.6, then: { kind: 'self-consistency', n: 4, model: 'big' } });
    expect(validateStrategy(spec)).toMatchObject({ then: { model: 'big' } });
    expect(describeSpec(spec)).toBe('cascade signal=confidence-token threshold=0.6 → self-consistency n=4 on big');
    expect(describeSpec({ kind: 'cascade', signal: 'vote', threshold: 0.7, model: 'local', then: { kind: 'greedy', model: 'big' } })).toBe('cascade signal=vote threshold=0.7 on local → greedy on big');
    expect(strategyInfo('greedy').fields.map((f) => f.key)).toEqual(['model']);
  });
});

const t = 5;
const confidence = (value: number | null, threshold = 0.6): Extract<TraceEvent, { type: 'confidence' }> => ({ t, type: 'confidence', signal: 'confidence-token', value, threshold });
const decision: TraceEvent = { t, type: 'decision', choice: 'escalate to self-consistency', reason: 'confidence-token 0.410 < 0.6' };
const route = { t, type: 'route', from: 'local', to: 'big', reason: 'strategy.then (self-consistency) runs on "big"' } as const;
const draft: TraceEvent = { t, type: 'draft', text: '936<CN>', answer: '936', tokens: 4 };

describe('route lines', () => {
  it('say why a cascade escalated, from the signal before its decision', () => {
    const before = [draft, confidence(0.41), { t, type: 'token', index: 0, token: '9' } as const, decision];
    expect(escalationCause(before)).toEqual(confidence(0.41));
    expect(routeLine(route, before)).toEqual({ line: 'escalated from local to big because confidence 0.41 < 0.6' });
    expect(summarizeEvent(route, before)).toMatchObject({ title: 'Route', line: 'escalated from local to big because confidence 0.41 < 0.6' });
    expect(routeLine(route, [draft, confidence(null), decision]).line).toBe('escalated from local to big because the answer of local had no confidence value');
    expect(routeLine(route, [draft, { t, type: 'confidence', signal: 'logprob', value: 0.2, threshold: 1 }, decision]).line).toBe('escalated from local to big because token probability 0.20 < 1');
  });

  it('never round a value up to the threshold it missed', () => {
    expect(formatShortOf(0.599, 2)).toBe('0.59');
    expect(formatShortOf(0.41, 2)).toBe('0.41');
    expect(formatShortOf(0.29, 2)).toBe('0.29');
    expect(formatShortOf(0, 2)).toBe('0.00');
    expect(formatPercentAgainst(0.9995, 1)).toBe('99%');
    expect(formatPercentAgainst(0.29, 0.5)).toBe('29%');
    // Reached, it is rounded as any percentage; with no threshold, only certainty is 100%.
    expect(formatPercentAgainst(0.9995, 0.9)).toBe('100%');
    expect(formatPercentAgainst(0.9995, undefined)).toBe('99%');
    expect(formatPercentAgainst(1, undefined)).toBe('100%');
    expect(formatPercentAgainst(0.456, undefined)).toBe('45%');
    expect(summarizeEvent(confidence(0.9995, 1))).toMatchObject({ line: 'confidence-token 99% (threshold 100%)', tone: 'bad' });
    expect(routeLine(route, [confidence(0.9999, 1), decision]).line).toBe('escalated from local to big because confidence 0.99 < 1');
  });

  it('tell a cascade’s decision from its reading, not from its rounded reason', () => {
    const rounded: TraceEvent = { t, type: 'decision', choice: 'escalate to self-consistency', reason: 'confidence-token 1.000 < 1' };
    expect(summarizeEvent(rounded, [draft, confidence(0.9995, 1)]).line).toBe('escalate to self-consistency: confidence 0.99 < 1');
    // No value: the cascade's own words; any other decision: its reason as given.
    expect(summarizeEvent(rounded, [confidence(null, 1)]).line).toBe('escalate to self-consistency: confidence-token 1.000 < 1');
    expect(summarizeEvent(decision, [draft]).line).toBe('escalate to self-consistency: confidence-token 0.410 < 0.6');
    expect(summarizeEvent(decision, [confidence(0.7)]).line).toBe('escalate to self-consistency: confidence-token 0.410 < 0.6');
  });

  it('show a step that names its model as a plain route, with its reason', () => {
    expect(routeLine(route, [])).toEqual({ line: 'local → big', text: route.reason });
    // A signal that passed is not a cause; nor is a confidence without a threshold, or one not right before the decision.
    expect(escalationCause([confidence(0.7), decision])).toBeNull();
    expect(escalationCause([{ t, type: 'confidence', signal: 'vote', value: 0.2 }, decision])).toBeNull();
    expect(escalationCause([confidence(0.41), draft, decision])).toBeNull();
    expect(escalationCause([confidence(0.41)])).toBeNull();
  });
});

const counts = (completionTokens: number, promptTokens: number, engineCalls: number) => ({ completionTokens, promptTokens, engineCalls, samples: engineCalls });
const usage = (byModel: Usage['byModel']): Usage => ({ ...counts(0, 0, 0), ms: 10, byModel });

describe('per-model usage', () => {
  it('lists each model’s tokens and calls where the request ran on more than one', () => {
    expect(usageByModel(usage({ local: counts(5, 12, 1), big: counts(1, 48, 4) }))).toEqual([
      { model: 'local', text: '5 tokens generated · 12 prompt tokens · 1 engine call' },
      { model: 'big', text: '1 token generated · 48 prompt tokens · 4 engine calls' },
    ]);
    expect(usageByModel(usage({ local: counts(5, 12, 1) }))).toEqual([]);
    expect(usageByModel(usage({}))).toEqual([]);
  });
});

describe('a failed escalation', () => {
  const result = (trace: TraceEvent[], escalation?: 'failed'): SolveResult => ({
    answer: '936',
    text: '936<CN>',
    confidence: 0.41,
    strategy: { kind: 'cascade', signal: 'confidence-token', threshold: 0.6, then: { kind: 'greedy', model: 'big' } },
    usage: usage({ local: counts(4, 10, 1) }),
    cached: false,
    budgetExhausted: false,
    ...(escalation ? { escalation } : {}),
    trace,
  });
  const failedTrace: TraceEvent[] = [
    draft,
    confidence(0.41),
    decision,
    route,
    { t, type: 'error', model: 'big', name: 'RemoteEngineError', message: 'POST http://127.0.0.1:9/v1/completions failed: Failed to fetch', status: null },
    { t, type: 'decision', choice: '936', reason: 'the escalation to "big" failed; keep the answer of "local"' },
  ];

  it('names the model that failed, why, and whose answer is shown', () => {
    expect(escalationNote(result(failedTrace, 'failed'), (name) => describeModel(twoModels, name))).toBe(
      'The escalation to big (Qwen/Qwen2.5-7B-Instruct on a server) failed (no reply): POST http://127.0.0.1:9/v1/completions failed: Failed to fetch. This is the answer of local (tiny-arith on this device), which it had before escalating.',
    );
    const unauthorized = failedTrace.map((e) => (e.type === 'error' ? { ...e, status: 401, message: 'Invalid API key.' } : e));
    expect(escalationNote(result(unauthorized, 'failed'))).toBe('The escalation to big failed (HTTP 401): Invalid API key. This is the answer of local, which it had before escalating.');
    const unrecorded = failedTrace.filter((e) => e.type !== 'error');
    expect(escalationNote(result(unrecorded, 'failed'))).toBe('The escalation to big failed (no reason was recorded). This is the answer of local, which it had before escalating.');
  });

  it('says nothing when the escalation did not fail', () => {
    expect(escalationNote(result(failedTrace))).toBeNull();
  });
});

describe('why, after a route', () => {
  const solved = (trace: TraceEvent[]): SolveResult => ({
    answer: '936',
    text: '936',
    confidence: 1,
    strategy: { kind: 'greedy' },
    usage: usage({}),
    cached: false,
    budgetExhausted: false,
    trace,
  });
  const vote: TraceEvent = { t, type: 'vote', counts: { '936': 4 }, leader: '936', share: 1 };

  it('says why the request went to the other model, then how that model answered', () => {
    expect(explainResult(solved([draft, confidence(0.41), decision, route, vote]))).toBe('escalated from local to big because confidence 0.41 < 0.6; majority of the samples (100% agree)');
    expect(explainResult(solved([route, draft]))).toBe('ran on big; the greedy draft');
    // No route: the last decision, as before.
    expect(explainResult(solved([draft, confidence(0.41), decision, vote]))).toBe('confidence 0.41 < 0.6');
  });
});
