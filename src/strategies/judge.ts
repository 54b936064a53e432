import type { Generation } from '../engine/engine.js';
import type { Claim, Judgement } from '../prompts/pack.js';
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
  /** Self-verification: how many verification replies the score is the mean over. */
  replies?: number;
}

/**
 * Verdicts remembered per request: a callback may be slow (and it is the page's code), and a claim judged
 * again by sampled self-verification (the incumbent of every round) must keep its score, not draw a new one.
 */
const verdicts = new WeakMap<StrategyContext, Map<string, Evidence>>();
/** Verdicts already in the trace: each appears once, even when its model call first served another step. */
const reported = new WeakMap<StrategyContext, Set<string>>();

async function remembered(ctx: StrategyContext, key: string, judgeNow: () => Promise<Evidence>): Promise<Evidence> {
  let known = verdicts.get(ctx);
  if (!known) verdicts.set(ctx, (known = new Map()));
  const hit = known.get(key);
  if (hit) return hit;
  const evidence = await judgeNow();
  known.set(key, evidence);
  return evidence;
}

/**
 * Judges a claim with the programmatic verifier when the spec names one, else with the model's own
 * verification prompt (P(yes)), over `verifications` replies (see `selfVerify`). Emits a `verify` event the
 * first time a claim is judged in a request.
 */
export async function judge(ctx: StrategyContext, claim: Claim, verifier?: VerifierSpec, verifications = 1): Promise<Evidence> {
  if (verifier) return judgeProgrammatically(ctx, claim, verifier);
  if (claim.answer === null) {
    return { answer: null, verdict: false, score: 0, by: 'no-answer', text: 'no answer to verify', restated: null };
  }
  const { answer } = claim;
  return remembered(ctx, JSON.stringify(['self-verify', verifications, answer, claim.text]), async () => {
    const evidence = await selfVerify(ctx, { text: claim.text, answer }, verifications);
    emitVerify(ctx, evidence, claim.text);
    return evidence;
  });
}

/**
 * The model's verification of a claim. A verification reply works the question out before its verdict, so
 * P(yes) at the verdict depends on which working the model happened to write; one greedy reply reads it
 * after one working only. With `verifications` > 1 the greedy reply is joined by `verifications - 1` replies
 * sampled at the request's temperature (one batched call), and the score is their mean P(yes): an estimate
 * of P(yes) over the model's workings, as generative verifiers average their verification rationales
 * (GenRM-CoT, Zhang et al. 2024). The verdict is that mean against 0.5; the text, and any restated result,
 * are those of a reply that reached it (the greedy one when it did). A budget that runs out before the
 * sampled replies leaves the greedy reply's evidence.
 */
async function selfVerify(ctx: StrategyContext, claim: Claim & { answer: string }, verifications: number): Promise<Evidence> {
  const step = ctx.pack.verify(ctx.question, claim);
  const { value: greedy } = await runStep(ctx, step);
  const from = (reply: Judgement, verdict: boolean | null, score: number | null, replies: number): Evidence => ({
    answer: claim.answer, verdict, score, by: 'self-verify', text: reply.text, restated: reply.restated, replies,
  });
  if (verifications <= 1) return from(greedy, greedy.verdict, greedy.score, 1);
  let sampled: Generation[];
  try {
    sampled = await ctx.generate({ prompt: step.prompt, n: verifications - 1, maxTokens: step.maxTokens, watchTokens: step.watchTokens });
  } catch (error) {
    if (error instanceof BudgetExhaustedError) return from(greedy, greedy.verdict, greedy.score, 1);
    throw error;
  }
  const replies = [greedy, ...sampled.map((g) => step.parse(g))];
  const scores = replies.map(scoreOf).filter((s): s is number => s !== null);
  if (scores.length === 0) return from(greedy, greedy.verdict, greedy.score, replies.length);
  const score = scores.reduce((a, b) => a + b, 0) / scores.length;
  const verdict = score >= 0.5;
  // The words shown, and handed to a correction as feedback, come from a reply that reached this verdict.
  const voice = replies.find((r) => r.verdict === verdict) ?? greedy;
  return from(voice, verdict, score, replies.length);
}

/** A judgement's P(yes); one whose engine reported no probabilities counts by its written verdict. */
export const scoreOf = (j: Pick<Judgement, 'score' | 'verdict'>): number | null => j.score ?? (j.verdict === null ? null : j.verdict ? 1 : 0);

function judgeProgrammatically(ctx: StrategyContext, claim: Claim, verifier: VerifierSpec): Promise<Evidence> {
  return remembered(ctx, JSON.stringify([verifier, claim.answer, claim.text]), async () => {
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
    emitVerify(ctx, evidence, claim.text);
    return evidence;
  });
}

function emitVerify(ctx: StrategyContext, e: Evidence, claimText: string): void {
  let seen = reported.get(ctx);
  if (!seen) reported.set(ctx, (seen = new Set()));
  const key = JSON.stringify([e.by, e.answer, claimText]);
  if (seen.has(key)) return;
  seen.add(key);
  ctx.emit({ type: 'verify', answer: e.answer, verdict: e.verdict, score: e.score, by: e.by, reason: e.text, ...(e.replies && e.replies > 1 ? { replies: e.replies } : {}) });
}
