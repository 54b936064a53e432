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

/** Replies a self-verification may average (tiny-reasoner's AUROC is already flat from 4 to 8). */
export const MAX_VERIFICATIONS = 16;
/** How many verification replies a self-verification averages (1: the greedy reply alone). See `judge`. */
export const verificationCount = () => z.number().int().min(1).max(MAX_VERIFICATIONS);
export const VERIFICATIONS_HELP = 'Verification replies averaged into P(yes): the greedy one plus samples. More cost more, and separate right from wrong answers better.';

/** `verifications` counts the model's own replies, so it means nothing where a programmatic verifier judges. */
export function refuseVerificationsWithVerifier(spec: { verifications?: number; verifier?: unknown }, ctx: z.RefinementCtx): void {
  if (spec.verifications !== undefined && spec.verifier !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['verifications'], message: "verifications averages the model's self-verification replies; a spec with a verifier has none" });
  }
}
