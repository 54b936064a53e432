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

export interface AnswerGroup {
  answer: string;
  voters: Candidate[];
  /** The voter with the highest mean log-prob. */
  representative: Candidate;
}

/** Candidates grouped by extracted answer, most votes first; a tie goes to the higher mean log-prob. */
export function answerGroups(candidates: readonly Candidate[]): AnswerGroup[] {
  const groups = new Map<string, Candidate[]>();
  for (const c of candidates) {
    if (c.answer === null) continue;
    const group = groups.get(c.answer) ?? [];
    group.push(c);
    groups.set(c.answer, group);
  }
  return [...groups]
    .sort(([, a], [, b]) => b.length - a.length || groupLogprob(b) - groupLogprob(a) || 0)
    .map(([answer, voters]) => ({
      answer,
      voters,
      representative: [...voters].sort((a, b) => (b.meanLogprob ?? -Infinity) - (a.meanLogprob ?? -Infinity))[0]!,
    }));
}

/** Majority over extracted answers; a tie goes to the answer whose voters have the higher mean log-prob. */
export function majorityVote(candidates: readonly Candidate[]): VoteResult {
  const groups = answerGroups(candidates);
  const counts = Object.fromEntries(groups.map((g) => [g.answer, g.voters.length]));
  const top = groups[0];
  if (!top) return { leader: null, representative: null, counts, share: 0, tieBrokenByLogprob: false };
  const tieBrokenByLogprob = groups.length > 1 && groups[1]!.voters.length === top.voters.length;
  return { leader: top.answer, representative: top.representative, counts, share: top.voters.length / candidates.length, tieBrokenByLogprob };
}

function groupLogprob(group: readonly Candidate[]): number {
  const known = group.map((c) => c.meanLogprob).filter((x): x is number => x !== null);
  return known.length === 0 ? -Infinity : known.reduce((s, x) => s + x, 0) / known.length;
}
