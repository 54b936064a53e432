import type { VerifyInput } from '../types.js';

export type VerifierInput = VerifyInput;

export interface VerifierResult {
  /** null: the verifier cannot judge this question (no expression in it, say); that is no evidence either way. */
  verdict: boolean | null;
  reason: string;
}
