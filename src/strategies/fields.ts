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
