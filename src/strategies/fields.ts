import { z } from 'zod';

/** Upper bound on samples in any one spec; more than this on an on-device model is a mistake, not a plan. */
export const MAX_SAMPLES = 64;
/** Rounds of refinement, correction or nudging: past a few, small models only drift. */
export const MAX_ROUNDS = 8;
/** Strategies nest (a cascade's `then`) at most this deep, counting the outermost as 1. */
export const MAX_SPEC_DEPTH = 4;

export const sampleCount = () => z.number().int().min(1).max(MAX_SAMPLES);
export const roundCount = (min: number) => z.number().int().min(min).max(MAX_ROUNDS);
export const probability = () => z.number().min(0).max(1);
/** Any step may run on another of the runtime's models (its name in `createRuntime({ models })`). */
export const stepModel = () => z.string().min(1).max(100).optional();

/** Replies a self-verification may average: a bound on its cost (each reply is a full verification). */
export const MAX_VERIFICATIONS = 16;
/** How many verification replies a self-verification averages (1: the greedy reply alone). See `judge`. */
export const verificationCount = () => z.number().int().min(1).max(MAX_VERIFICATIONS);

/**
 * `verifications` counts the model's own verification replies, so it means nothing where the model does not
 * judge (a programmatic verifier, another scorer or signal). `where` says where it does: "without a verifier".
 */
export function refuseVerificationsUnless(judgedByModel: boolean, where: string, verifications: number | undefined, ctx: z.RefinementCtx): void {
  if (verifications !== undefined && !judgedByModel) {
    ctx.addIssue({ code: 'custom', path: ['verifications'], message: `verifications averages the model's self-verification replies and only applies ${where}` });
  }
}

/** For the strategies whose evidence is an optional verifier, else the model's self-verification. */
export const refuseVerificationsWithVerifier = (spec: { verifications?: number; verifier?: unknown }, ctx: z.RefinementCtx) =>
  refuseVerificationsUnless(spec.verifier === undefined, 'without a verifier', spec.verifications, ctx);
