import { z } from 'zod';
import { InvalidRequestError } from '../errors.js';
import { sampleDrafts } from './candidates.js';
import { BudgetExhaustedError, type StrategyContext } from './context.js';
import { defineStrategy, type RunNested, verificationsForm } from './define.js';
import { probability, refuseVerificationsUnless, sampleCount, stepModel, verificationCount } from './fields.js';
import { draftGreedy } from './greedy.js';
import { judge, scoreOf } from './judge.js';
import { fromCandidate, NO_ANSWER, type StrategyOutcome } from './outcome.js';
import { nestedSpecSchema, type ResolvedStrategySpec, type StrategySpec } from './spec-union.js';
import { majorityVote } from './vote.js';

const DEFAULT_VOTES = 5;

/** Three decimals rounded toward the side of the threshold the value is on: 0.9995 below 1 reads "0.999 < 1", not "1.000 < 1". */
const shown = (value: number, toward: 'up' | 'down') => ((toward === 'up' ? Math.ceil : Math.floor)(value * 1000) / 1000).toFixed(3);

export type CascadeSignal = 'confidence-token' | 'logprob' | 'self-verify' | 'vote';

/** Answer cheaply; return at once when the signal reaches `threshold`, else run `then`. */
export interface CascadeSpec {
  kind: 'cascade';
  signal: CascadeSignal;
  /** 0..1; `calibrate()` picks one from labelled data. */
  threshold: number;
  /** Samples of the small vote when `signal` is 'vote' (default 5); not allowed with other signals. */
  n?: number;
  /** Self-verification replies averaged into P(yes) (default 1); signal 'self-verify' only. */
  verifications?: number;
  then: StrategySpec;
  /** The model of the cheap answer; `then.model` names the one to escalate to. */
  model?: string;
}

export interface ResolvedCascade extends Omit<CascadeSpec, 'then'> {
  then: ResolvedStrategySpec;
}

// Written out rather than inferred: `then` is the union of every strategy, this one included.
const schema: z.ZodType<ResolvedCascade, CascadeSpec> = z
  .object({
    kind: z.literal('cascade'),
    signal: z.enum(['confidence-token', 'logprob', 'self-verify', 'vote']),
    threshold: probability(),
    n: sampleCount().optional(),
    verifications: verificationCount().optional(),
    then: z.lazy(nestedSpecSchema),
    model: stepModel(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.n !== undefined && spec.signal !== 'vote') {
      ctx.addIssue({ code: 'custom', path: ['n'], message: `n is the size of the vote and only applies to signal 'vote', not '${spec.signal}'` });
    }
    refuseVerificationsUnless(spec.signal === 'self-verify', `to signal 'self-verify', not '${spec.signal}'`, spec.verifications, ctx);
  })
  .transform((spec) => (spec.signal === 'vote' ? { ...spec, n: spec.n ?? DEFAULT_VOTES } : spec));

/**
 * A confidence-gated cascade: answer cheaply (greedy; a small vote for 'vote'), return at once when the
 * signal reaches the threshold, else run `then` in the same context, so the request's budget and abort
 * signal bind it too. Signals: the trained confidence token (Self-REF), the draft's geometric-mean token
 * probability ('logprob'), P(yes) of the model's verification ('self-verify'), the vote share ('vote').
 * A draft without a signal value escalates. The fallback's answer is taken unless it has none.
 */
async function cascade(spec: ResolvedCascade, ctx: StrategyContext, path: string, runNested: RunNested): Promise<StrategyOutcome> {
  if (spec.signal === 'confidence-token' && !ctx.pack.confidenceTokens) {
    throw new InvalidRequestError(`${path}.signal`, `model family "${ctx.pack.family}" has no trained confidence token; use 'logprob', 'self-verify' or 'vote'`);
  }
  let cheap: StrategyOutcome = NO_ANSWER;
  let value: number | null;
  try {
    ({ cheap, value } = await cheapAnswer(spec, ctx));
  } catch (error) {
    if (error instanceof BudgetExhaustedError) return { ...cheap, budgetExhausted: true };
    throw error;
  }
  ctx.emit({ type: 'confidence', signal: spec.signal, value, threshold: spec.threshold });
  if (value !== null && value >= spec.threshold) {
    ctx.emit({ type: 'decision', choice: String(cheap.answer), reason: `${spec.signal} ${shown(value, 'up')} >= ${spec.threshold}: accept without escalating` });
    ctx.emit({ type: 'stop', rule: 'cascade-accept', reason: `${spec.signal} reached the threshold`, numbers: { value, threshold: spec.threshold } });
    return { ...cheap, confidence: value };
  }
  ctx.emit({
    type: 'decision',
    choice: `escalate to ${spec.then.kind}`,
    reason: value === null ? `no ${spec.signal} value for the draft` : `${spec.signal} ${shown(value, 'down')} < ${spec.threshold}`,
  });
  const remote = spec.then.model !== undefined && spec.then.model !== ctx.model;
  let fallback: StrategyOutcome;
  try {
    fallback = await runNested(spec.then, ctx, `${path}.then`);
  } catch (error) {
    // Only the caller's abort ends the request: any other failure of another model keeps the answer this one has.
    if (!remote || ctx.signal.aborted || cheap.answer === null) throw error;
    ctx.escalationFailed = true;
    ctx.emit({ type: 'error', model: spec.then.model!, ...describeError(error) });
    ctx.emit({ type: 'decision', choice: cheap.answer, reason: `the escalation to "${spec.then.model}" failed; keep the answer of "${ctx.model}"` });
    return { ...cheap, confidence: value };
  }
  if (fallback.answer === null && cheap.answer !== null) {
    ctx.emit({ type: 'decision', choice: cheap.answer, reason: `${spec.then.kind} gave no answer; keep the draft` });
    return { ...cheap, confidence: value, budgetExhausted: fallback.budgetExhausted };
  }
  return fallback;
}

function describeError(error: unknown): { name: string; message: string; status: number | null } {
  const status = (error as { status?: unknown } | null)?.status;
  return {
    name: error instanceof Error ? error.name : 'Error',
    message: (error instanceof Error ? error.message : String(error)).slice(0, 300),
    status: typeof status === 'number' ? status : null,
  };
}

async function cheapAnswer(spec: ResolvedCascade, ctx: StrategyContext): Promise<{ cheap: StrategyOutcome; value: number | null }> {
  if (spec.signal === 'vote') {
    const samples = await sampleDrafts(ctx, spec.n ?? DEFAULT_VOTES);
    const vote = majorityVote(samples);
    ctx.emit({ type: 'vote', counts: vote.counts, leader: vote.leader, share: vote.share });
    return { cheap: fromCandidate(vote.representative, vote.share), value: vote.leader === null ? null : vote.share };
  }
  const draft = await draftGreedy(ctx);
  const cheap = fromCandidate(draft, draft.confidence);
  switch (spec.signal) {
    case 'confidence-token':
      return { cheap, value: draft.confidenceSource === 'confidence-token' ? draft.confidence : null };
    case 'logprob':
      return { cheap, value: draft.meanLogprob === null ? null : Math.exp(draft.meanLogprob) };
    case 'self-verify': {
      if (draft.answer === null) return { cheap, value: null };
      const evidence = await judge(ctx, draft, undefined, spec.verifications);
      return { cheap, value: scoreOf(evidence) };
    }
  }
}

export const cascadeStrategy = defineStrategy({
  kind: 'cascade',
  label: 'Cascade',
  describe: 'Answer cheaply; accept when the signal reaches the threshold, otherwise escalate.',
  schema,
  nested: ['then'],
  form: {
    signal: { label: 'Signal', initial: 'confidence-token' },
    threshold: { label: 'Threshold', step: 0.01, initial: 0.7 },
    n: { label: 'Votes', placeholder: `default ${DEFAULT_VOTES}`, when: (v) => v.signal === 'vote' },
    verifications: verificationsForm((v) => v.signal === 'self-verify'),
    then: { label: 'Otherwise', widget: 'strategy', initial: 'self-consistency' },
  },
  run: (spec, ctx, runNested, path) => cascade(spec, ctx, path, runNested),
});
