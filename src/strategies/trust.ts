/**
 * The trust rule (ART, Shridhar et al. 2024; Huang et al. 2024 on why it is needed): a revision replaces
 * the answer it revises only when the judge's verdict ranks it above (accepted > cannot tell > rejected).
 * Equal verdicts keep the incumbent, whatever the scores: intrinsic self-correction without evidence
 * lowers accuracy. When the judge accepts both, it has accepted two answers that contradict each other, so
 * its P(yes) gap between them is noise about which it got wrong, not evidence for the revision. On
 * tiny-reasoner's validation slice, replacing on that gap cost Wait 4–7 points and Self-Refine and IoE
 * 2–3 (tools/tiny-model/reasoner/trust_rules.py). When it rejects both, a higher P(yes) only marks another
 * wrong answer.
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
const tie = (v: boolean | null) => (v === true ? 'both accepted' : v === null ? 'neither judged' : 'both rejected');

export function trustRule(incumbent: Standing, revision: Standing): TrustDecision {
  if (revision.answer === null) return { replace: false, reason: 'the revision has no answer' };
  if (revision.answer === incumbent.answer) return { replace: false, reason: 'the revision gives the same answer' };
  const a = verdictRank(incumbent.verdict);
  const b = verdictRank(revision.verdict);
  const verdicts = `${revision.by}: revision ${verdictWord(revision.verdict)}, current ${verdictWord(incumbent.verdict)}`;
  if (b !== a) return { replace: b > a, reason: verdicts };
  return {
    replace: false,
    reason: `${verdicts}; ${tie(revision.verdict)}, no evidence the revision is better (${fmt(revision.score)} vs ${fmt(incumbent.score)})`,
  };
}
