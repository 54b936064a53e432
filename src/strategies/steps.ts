import type { EnginePrompt, Generation } from '../engine/engine.js';
import { ContextLengthError } from '../errors.js';
import type { PackStep } from '../prompts/pack.js';
import type { StrategyContext } from './context.js';

export interface GreedyCall {
  prompt: EnginePrompt;
  /** Default: the context's (the request's `sampling.maxTokens`, else the pack's draft length). */
  maxTokens?: number;
  watchTokens?: string[];
}

/**
 * Greedy generations, remembered per request: decoding at temperature 0 is deterministic, so a second
 * strategy (a cascade's fallback, a later round) asking the same question costs no engine call. Only
 * finished calls are stored, so a call cut by abort or budget is not replayed.
 */
const memo = new WeakMap<StrategyContext, Map<string, Generation>>();

export async function greedyGenerate(ctx: StrategyContext, call: GreedyCall): Promise<{ generation: Generation; fresh: boolean }> {
  const key = JSON.stringify([call.prompt, call.maxTokens ?? null, call.watchTokens ?? null]);
  let known = memo.get(ctx);
  if (!known) memo.set(ctx, (known = new Map()));
  const hit = known.get(key);
  if (hit) return { generation: hit, fresh: false };
  const [generation] = await ctx.generate({
    prompt: call.prompt,
    n: 1,
    temperature: 0,
    maxTokens: call.maxTokens,
    watchTokens: call.watchTokens,
  });
  known.set(key, generation!);
  return { generation: generation!, fresh: true };
}

/** Runs one pack step greedily and reads its reply. */
export async function runStep<T>(ctx: StrategyContext, step: PackStep<T>): Promise<{ value: T; fresh: boolean }> {
  const { generation, fresh } = await greedyGenerate(ctx, step);
  return { value: step.parse(generation), fresh };
}

/**
 * A revision step whose conversation carries earlier replies (a refine after long feedback, IoE's
 * reconcile after a long review) can outgrow the model's context. Such a step is one the strategy can do
 * without: it returns null (the strategy keeps what it has) and says so in the trace, instead of failing
 * the whole solve.
 */
export async function runStepIfItFits<T>(ctx: StrategyContext, step: PackStep<T>, label: string): Promise<{ value: T; fresh: boolean } | null> {
  try {
    return await runStep(ctx, step);
  } catch (error) {
    if (!(error instanceof ContextLengthError)) throw error;
    ctx.emit({ type: 'decision', choice: `no ${label}`, reason: `the ${label} conversation does not fit the model's context: ${error.message}` });
    return null;
  }
}
