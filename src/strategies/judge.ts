import type { Claim } from '../prompts/pack.js';
import { questionText } from '../prompts/pack.js';
import type { VerifierSpec } from '../types.js';
import { runVerifier, VerifierTimeoutError } from '../verifiers/index.js';
import { BudgetExhaustedError, type StrategyContext } from './context.js';
import { runStep } from './steps.js';
import type { Standing } from './trust.js';

/** A verdict on a claim and what it rests on. */
export interface Evidence extends Standing {
  /** The judge's words: the model's verification reply, or the verifier's reason. */
  text: string;
  /** A corrected result stated by the model while judging (tiny-arith), else null. */
  restated: string | null;
}

/** Programmatic verdicts remembered per request (a callback may be slow, and it is the page's code). */
const verdicts = new WeakMap<StrategyContext, Map<string, Evidence>>();
/** Verdicts already in the trace: each appears once, even when its model call first served another step. */
const reported = new WeakMap<StrategyContext, Set<string>>();

/**
 * Judges a claim with the programmatic verifier when the spec names one, else with the model's own
 * verification prompt (P(yes)). Emits a `verify` event the first time a claim is judged in a request.
 */
export async function judge(ctx: StrategyContext, claim: Claim, verifier?: VerifierSpec): Promise<Evidence> {
  if (verifier) return judgeProgrammatically(ctx, claim, verifier);
  if (claim.answer === null) {
    return { answer: null, verdict: false, score: 0, by: 'no-answer', text: 'no answer to verify', restated: null };
  }
  const { value } = await runStep(ctx, ctx.pack.verify(ctx.question, claim));
  const evidence: Evidence = {
    answer: claim.answer,
    verdict: value.verdict,
    score: value.score,
    by: 'self-verify',
    text: value.text,
    restated: value.restated,
  };
  emitVerify(ctx, evidence, claim.text);
  return evidence;
}

async function judgeProgrammatically(ctx: StrategyContext, claim: Claim, verifier: VerifierSpec): Promise<Evidence> {
  let known = verdicts.get(ctx);
  if (!known) verdicts.set(ctx, (known = new Map()));
  const key = JSON.stringify([verifier, claim.answer, claim.text]);
  const hit = known.get(key);
  if (hit) return hit;
  const remainingMs = ctx.remainingMs();
  if (remainingMs <= 0) throw new BudgetExhaustedError('deadlineMs');
  let result;
  try {
    result = await runVerifier(
      verifier,
      { question: questionText(ctx.question), answer: claim.answer, text: claim.text },
      { callback: ctx.verify, signal: ctx.signal, remainingMs },
    );
  } catch (error) {
    if (error instanceof VerifierTimeoutError) throw new BudgetExhaustedError('deadlineMs');
    throw error;
  }
  const evidence: Evidence = {
    answer: claim.answer,
    verdict: result.verdict,
    score: result.verdict === null ? null : result.verdict ? 1 : 0,
    by: `verifier:${verifier.kind}`,
    text: result.reason,
    restated: null,
  };
  known.set(key, evidence);
  emitVerify(ctx, evidence, claim.text);
  return evidence;
}

function emitVerify(ctx: StrategyContext, e: Evidence, claimText: string): void {
  let seen = reported.get(ctx);
  if (!seen) reported.set(ctx, (seen = new Set()));
  const key = JSON.stringify([e.by, e.answer, claimText]);
  if (seen.has(key)) return;
  seen.add(key);
  ctx.emit({ type: 'verify', answer: e.answer, verdict: e.verdict, score: e.score, by: e.by, reason: e.text });
}
