import { z } from 'zod';
import { createGroupWatch, percentile, tokenConfidences, traceConfidence } from '../confidence/deepconf.js';
import type { Generation } from '../engine/engine.js';
import { LogprobsUnavailableError } from '../errors.js';
import { toCandidate, watchTokensFor, type Candidate } from './candidates.js';
import type { StrategyContext } from './context.js';
import { defineStrategy } from './define.js';
import { probability, sampleCount, stepModel } from './fields.js';
import { fromCandidate, withinBudget, type StrategyOutcome } from './outcome.js';

const schema = z
  .object({
    kind: z.literal('deepconf'),
    /** online: warm-up traces set a threshold and later traces stop when they fall under it; offline: filter, then vote. */
    mode: z.enum(['online', 'offline']).default('online'),
    maxTraces: sampleCount().default(32),
    /** Online: traces generated in full to set the threshold (the paper uses 16). */
    warmup: sampleCount().default(16),
    /**
     * η: the share of traces, by confidence, that are kept (10: DeepConf-low, 90: DeepConf-high). The paper's
     * DeepConf-low keeps 10% of 512 traces; of the 16 to 32 an on-device budget allows it would keep one to three,
     * a confidence-ranked best-of-n rather than a vote (on tiny-reasoner, η 10 scores 78.4% where η 90 scores 85.3%).
     */
    keepPercent: z.number().min(1).max(100).default(90),
    /** Alternatives per token in the token confidence (optillm uses 5). */
    topK: z.number().int().min(1).max(20).default(5),
    /** Tokens per group: the paper's 2048 sized down to chains of a few dozen tokens. */
    window: z.number().int().min(2).max(2048).default(16),
    /** Offline: how a trace is scored. Online always uses its lowest group (the stop rule's measure). */
    score: z.enum(['lowest', 'bottom10', 'tail', 'mean']).default('lowest'),
    /** Online: stop sampling once the confidence-weighted share of the leading answer reaches this. */
    consensus: probability().default(0.95),
    /** Online: traces per engine call after the warm-up. */
    batch: sampleCount().default(8),
    model: stepModel(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.mode === 'online' && spec.warmup > spec.maxTraces) ctx.addIssue({ code: 'custom', path: ['warmup'], message: `warm-up traces (${spec.warmup}) cannot exceed maxTraces (${spec.maxTraces})` });
  });
export type DeepConfSpec = z.input<typeof schema>;
type Resolved = z.output<typeof schema>;

interface Trace {
  candidate: Candidate;
  /** Its confidence; null when the engine gave no alternatives for any token. */
  score: number | null;
  tokens: number;
  /** Ended by the online rule (its answer, if any, does not vote). */
  stopped: boolean;
}

/**
 * DeepConf (Fu et al., 2025). Offline: n traces, keep the η % most confident, confidence-weighted vote.
 * Online: warm-up traces set a threshold at the (100 − η)th percentile of their lowest group confidence; each
 * later trace stops as soon as a group falls below it (the engine ends that row; in a batch the others go
 * on, so tokens are saved but not always time), and sampling stops at the weighted consensus.
 */
async function deepConf(spec: Resolved, ctx: StrategyContext, path: string): Promise<StrategyOutcome> {
  const k = Math.min(spec.topK, ctx.capabilities.topLogprobs);
  if (!ctx.capabilities.logprobs || k < 1) {
    throw new LogprobsUnavailableError(`${path}: DeepConf needs each token's top alternatives, and the "${ctx.model}" engine reports none`);
  }
  const traces: Trace[] = [];
  let threshold: number | null = null;
  const decide = () => weightedVote(ctx, traces, threshold);

  const draw = async (n: number, stopAt: number | null): Promise<void> => {
    const watches = stopAt === null ? null : Array.from({ length: n }, () => createGroupWatch(k, spec.window, stopAt));
    const generations = await ctx.generate({
      prompt: ctx.pack.draft(ctx.question),
      n,
      temperature: ctx.temperature,
      watchTokens: watchTokensFor(ctx),
      topLogprobs: k,
      ...(watches ? { stopRow: (row, steps) => watches[row]!.push(steps[steps.length - 1]!) } : {}),
    });
    const first = traces.length;
    generations.forEach((g, i) => record(g, first + i, stopAt));
  };

  const record = (g: Generation, index: number, stopAt: number | null) => {
    const confidences = tokenConfidences(g.steps, k);
    // An engine that cannot end one row early ran it in full: the same rule, judged afterwards.
    const lowest = traceConfidence(confidences, spec.window, 'lowest');
    const stopped = g.finishReason === 'cut' || (stopAt !== null && confidences.length >= spec.window && lowest !== null && lowest < stopAt);
    const score = stopAt === null && spec.mode === 'offline' ? traceConfidence(confidences, spec.window, spec.score) : lowest;
    const candidate = toCandidate(g, ctx, index);
    traces.push({ candidate, score, tokens: g.steps.length, stopped });
    ctx.emit({ type: 'sample', index, text: candidate.text, answer: stopped ? null : candidate.answer, meanLogprob: candidate.meanLogprob, confidence: null });
    ctx.emit({ type: 'trace-score', index, score, tokens: g.steps.length, stopped, threshold: stopAt });
  };

  return withinBudget(async () => {
    if (spec.mode === 'offline') {
      await draw(spec.maxTraces, null);
      const scored = traces.filter((t) => t.score !== null).sort((a, b) => b.score! - a.score!);
      const keep = Math.max(1, Math.ceil((scored.length * spec.keepPercent) / 100));
      threshold = scored[keep - 1]?.score ?? null;
      ctx.emit({ type: 'stop', rule: 'deepconf-offline', reason: `kept the ${keep} most confident of ${traces.length} traces (${spec.score} group confidence)`, numbers: { kept: keep, traces: traces.length, threshold: threshold ?? NaN } });
      return decide();
    }
    await draw(spec.warmup, null);
    const lows = traces.map((t) => t.score).filter((s): s is number => s !== null);
    threshold = lows.length ? percentile(lows, 100 - spec.keepPercent) : null;
    ctx.emit({ type: 'decision', choice: `threshold ${threshold?.toFixed(3) ?? 'none'}`, reason: `the ${100 - spec.keepPercent}th percentile of ${lows.length} warm-up traces' lowest group confidence` });
    for (;;) {
      const vote = tally(traces, threshold);
      if (vote.share >= spec.consensus) {
        ctx.emit({ type: 'stop', rule: 'deepconf-consensus', reason: `weighted consensus ${vote.share.toFixed(3)} ≥ ${spec.consensus}`, numbers: { share: vote.share, traces: traces.length, ...(threshold !== null ? { threshold } : {}) } });
        return decide();
      }
      const left = spec.maxTraces - traces.length;
      if (left <= 0) {
        ctx.emit({ type: 'stop', rule: 'max-traces', reason: `${spec.maxTraces} traces drawn; weighted consensus ${vote.share.toFixed(3)} < ${spec.consensus}`, numbers: { share: vote.share, traces: traces.length, ...(threshold !== null ? { threshold } : {}) } });
        return decide();
      }
      await draw(Math.min(spec.batch, left), threshold);
    }
  }, decide);
}

/** The traces that vote: not stopped, with an answer, at or above the threshold. */
function voters(traces: readonly Trace[], threshold: number | null): Trace[] {
  return traces.filter((t) => !t.stopped && t.candidate.answer !== null && t.score !== null && (threshold === null || t.score >= threshold));
}

function tally(traces: readonly Trace[], threshold: number | null) {
  const weights = new Map<string, { weight: number; count: number; best: Trace }>();
  let total = 0;
  for (const t of voters(traces, threshold)) {
    const answer = t.candidate.answer!;
    const entry = weights.get(answer) ?? { weight: 0, count: 0, best: t };
    entry.weight += t.score!;
    entry.count += 1;
    if (t.score! > entry.best.score!) entry.best = t;
    weights.set(answer, entry);
    total += t.score!;
  }
  const ranked = [...weights].sort(([, a], [, b]) => b.weight - a.weight);
  const top = ranked[0];
  return { ranked, leader: top?.[0] ?? null, best: top?.[1].best ?? null, share: top && total > 0 ? top[1].weight / total : 0 };
}

function weightedVote(ctx: StrategyContext, traces: readonly Trace[], threshold: number | null): StrategyOutcome {
  const vote = tally(traces, threshold);
  const counts = Object.fromEntries(vote.ranked.map(([answer, v]) => [answer, v.count]));
  ctx.emit({ type: 'vote', counts, leader: vote.leader, share: vote.share });
  if (vote.best) return fromCandidate(vote.best.candidate, vote.share);
  // Nothing passed the filter: the most confident trace with an answer, rather than no answer at all.
  const fallback = [...traces].filter((t) => t.candidate.answer !== null).sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity))[0];
  return fromCandidate(fallback?.candidate ?? null, null);
}

export const deepConfStrategy = defineStrategy({
  kind: 'deepconf',
  label: 'DeepConf',
  describe: 'Vote over reasoning traces weighted by token confidence; stop unsure traces early (Fu et al., 2025).',
  schema,
  form: {
    mode: { label: 'Mode' },
    maxTraces: { label: 'At most traces' },
    warmup: { label: 'Warm-up traces', when: (v) => v.mode !== 'offline' },
    keepPercent: { label: 'Keep top %', help: '10: DeepConf-low (aggressive), 90: DeepConf-high (conservative).' },
    window: { label: 'Group window (tokens)' },
    score: { label: 'Trace score', when: (v) => v.mode === 'offline' },
    consensus: { label: 'Stop at consensus', step: 0.01, when: (v) => v.mode !== 'offline' },
  },
  run: (spec, ctx, _runNested, path) => deepConf(spec, ctx, path),
});
