"""What the runtime's trust rule makes of Wait, Self-Refine (critique) and IoE, simulated on the validation slice:
the greedy draft, one round of each revision as the runtime builds it (train.run_pack), then both answers judged by
VERIFY_PROMPT with the mean P(Yes) of k replies (the greedy one and k - 1 sampled at T), and the revision kept

- under the runtime's rule (src/strategies/trust.ts): its verdict ranks higher, or both are accepted and it
  scores higher;
- under a strict rule: only where the revision is accepted and the draft rejected.

  /usr/bin/python3 tools/tiny-model/reasoner/trust_rules.py [T, default 0.5] [checkpoint in work/, default final.pt]
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.append(os.path.dirname(HERE))
import task as T  # noqa: E402
import train as TR  # noqa: E402
from verify_replies import mean_p_yes, model_and_drafts, reply_p_yes  # noqa: E402

REPLIES = (1, 4)


def main():
    temperature = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
    model, tk, val, drafts = model_and_drafts(sys.argv[2] if len(sys.argv) > 2 else "final.pt")
    truth = [str(T.answer_of(q)) for q in val]
    d_ans = [T.extract_number(d) for d in drafts]
    pk = TR.run_pack(model, tk, val, drafts)
    p_yes = lambda qs, claims: reply_p_yes(model, tk, qs, claims, max(REPLIES), temperature)

    def standing(ps, k):
        s = mean_p_yes(ps, k)
        return (None, None) if s is None else (s >= 0.5, s)

    rank = lambda v: 2 if v is True else 1 if v is None else 0

    def runtime_rule(inc, rev):
        a, b = rank(inc[0]), rank(rev[0])
        if b != a:
            return b > a
        return rev[0] is not False and inc[1] is not None and rev[1] is not None and rev[1] > inc[1]

    def strict_rule(inc, rev):
        return rank(rev[0]) > rank(inc[0])

    draft_judged = p_yes(val, drafts)
    n = len(val)
    print(f"{n} validation questions; greedy {sum(a == t for a, t in zip(d_ans, truth)) / n:.3f}; replies after the first at T={temperature}")
    wait_texts = [d.strip() + T.P["WAIT_NUDGE"] + " " + w for d, w in zip(drafts, pk["wait"]["texts"])]
    ioe_texts = list(pk["review"]["texts"])
    for i, t in zip(pk["reconcile"]["idx"], pk["reconcile"]["texts"]):
        ioe_texts[i] = t
    critique_doubts = [v is not True for v in pk["critique"]["verdict"]]
    for name, texts, answers, asked in [("wait", wait_texts, pk["wait"]["answers"], None),
                                        ("self-refine (critique)", pk["refine"]["texts"], pk["refine"]["answers"], critique_doubts),
                                        ("ioe", ioe_texts, pk["reconcile"]["answers"], None)]:
        idx = [i for i in range(n) if answers[i] is not None and answers[i] != d_ans[i] and (asked is None or asked[i])]
        judged = p_yes([val[i] for i in idx], [texts[i] for i in idx])
        raw = sum(a == t for a, t in zip(answers, truth)) / n
        line = []
        for rule_name, rule in [("runtime rule", runtime_rule), ("strict rule", strict_rule)]:
            for k in REPLIES:
                final = list(d_ans)
                for i, j in zip(idx, judged):
                    if rule(standing(draft_judged[i], k), standing(j, k)):
                        final[i] = answers[i]
                line.append(f"{rule_name}, {k} repl{'y' if k == 1 else 'ies'} {sum(a == t for a, t in zip(final, truth)) / n:.3f}")
        print(f"  {name}: raw {raw:.3f}, {len(idx)} changed; " + "; ".join(line))


if __name__ == "__main__":
    main()
