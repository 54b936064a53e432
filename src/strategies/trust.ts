/**
 * The trust rule (ART, Shridhar et al. 2024; Huang et al. 2024 on why it is needed): a revision replaces
 * the answer it revises only when the evidence ranks it above. Evidence ranks first by verdict (accepted >
 * cannot tell > rejected), then by score (P(yes) of self-verification, 1/0 of a programmatic verifier).
 * Equal evidence keeps the incumbent: intrinsic self-correction without evidence lowers accuracy. When the
 * judge rejects both, a slightly higher P(yes) is not evidence of a better answer, only of another wrong
 * one, so the incumbent stays.
 */
export interface Standing {
  answer: string | null;
  verdict: boolean | null;
  score: number | null;
  by: string;
}

export interface TrustDecision {
  replace: boolean;
  reason: string;
}

const verdictRank = (v: boolean | null) => (v === true ? 2 : v === null ? 1 : 0);
const verdictWord = (v: boolean | null) => (v === true ? 'accepted' : v === null ? 'not judged' : 'rejected');
const fmt = (s: number | null) => (s === null ? 'n/a' : s.toFixed(3));

export function trustRule(incumbent: Standing, revision: Standing): TrustDecision {
  if (revision.answer === null) return { replace: false, reason: 'the revision has no answer' };
  if (revision.answer === incumbent.answer) return { replace: false, reason: 'the revision gives the same answer' };
  const a = verdictRank(incumbent.verdict);
  const b = verdictRank(revision.verdict);
  const verdicts = `${revision.by}: revision ${verdictWord(revision.verdict)}, current ${verdictWord(incumbent.verdict)}`;
  if (b > a) return { replace: true, reason: verdicts };
  if (b < a) return { replace: false, reason: verdicts };
  if (revision.verdict === false) return { replace: false, reason: `${verdicts}; both rejected` };
  if (incumbent.score !== null && revision.score !== null && revision.score > incumbent.score) {
    return { replace: true, reason: `${verdicts}; revision scores higher (${fmt(revision.score)} > ${fmt(incumbent.score)})` };
  }
  return {
    replace: false,
    reason: `${verdicts}; no evidence the revision is better (${fmt(revision.score)} vs ${fmt(incumbent.score)})`,
  };
}
