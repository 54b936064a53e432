import type { Candidate } from './candidates.js';

export interface VoteResult {
  leader: string | null;
  /** The candidate whose text stands for the leading answer (the most likely one among its voters). */
  representative: Candidate | null;
  counts: Record<string, number>;
  /** Leader's votes over all candidates, answerless ones included. */
  share: number;
  tieBrokenByLogprob: boolean;
}

/** Majority over extracted answers; a tie goes to the answer whose voters have the higher mean log-prob. */
export function majorityVote(candidates: readonly Candidate[]): VoteResult {
  const groups = new Map<string, Candidate[]>();
  for (const c of candidates) {
    if (c.answer === null) continue;
    const group = groups.get(c.answer) ?? [];
    group.push(c);
    groups.set(c.answer, group);
  }
  const counts = Object.fromEntries([...groups].map(([answer, group]) => [answer, group.length]));
  if (groups.size === 0) return { leader: null, representative: null, counts, share: 0, tieBrokenByLogprob: false };

  const ranked = [...groups].sort(([, a], [, b]) => b.length - a.length || groupLogprob(b) - groupLogprob(a));
  const [leader, voters] = ranked[0]!;
  const tieBrokenByLogprob = ranked.length > 1 && ranked[1]![1].length === voters.length;
  const representative = [...voters].sort((a, b) => (b.meanLogprob ?? -Infinity) - (a.meanLogprob ?? -Infinity))[0]!;
  return { leader, representative, counts, share: voters.length / candidates.length, tieBrokenByLogprob };
}

function groupLogprob(group: readonly Candidate[]): number {
  const known = group.map((c) => c.meanLogprob).filter((x): x is number => x !== null);
  return known.length === 0 ? -Infinity : known.reduce((s, x) => s + x, 0) / known.length;
}
