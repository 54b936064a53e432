import type { VerifierInput, VerifierResult } from './verifier.js';

/** Accepts when the extracted answer (the text, if no answer was extracted) matches the pattern. */
export function verifyRegex(pattern: string, flags: string | undefined, input: VerifierInput): VerifierResult {
  const subject = input.answer ?? input.text;
  const ok = new RegExp(pattern, flags).test(subject);
  return { verdict: ok, reason: ok ? `matches /${pattern}/` : `does not match /${pattern}/` };
}
