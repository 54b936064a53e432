"""Why self-verification separates right from wrong answers poorly: on the validation slice, the greedy answer and one
sample at T=0.9 of each question go through VERIFY_PROMPT; the reply's "I get X; the proposed answer is Y." is read
and set against its verdict, and the verdict is also read teacher-forced after the true X.

  /usr/bin/python3 tools/tiny-model/reasoner/diagnose_verify.py [checkpoint in work/, default final.pt]
"""
import collections
import json
import os
import random
import re
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.append(os.path.dirname(HERE))
import rgen as G  # noqa: E402
import task as T  # noqa: E402
import train as TR  # noqa: E402

COMPARED = re.compile(r"I get (-?\d+); the proposed answer is (-?\d+)\.\n(?:[^\n]*\n)?(Yes|No)")


def main():
    torch.set_num_threads(1)
    tk = TR.tokenizer()
    model, _ = TR.load(os.path.join(TR.WORK, sys.argv[1] if len(sys.argv) > 1 else "final.pt"))
    val = [TR.q_from_item(it) for it in json.load(open(os.path.join(TR.WORK, "val.json")))]
    qs = val + val
    drafts = TR.solve(model, tk, val) + TR.solve(model, tk, val, temperature=0.9, seed=3)
    right = [T.extract_number(d) == str(T.answer_of(q)) for d, q in zip(drafts, qs)]
    texts, p_yes = TR.verify_texts(model, tk, qs, drafts)
    table = collections.Counter()
    resolved = 0
    scored = []
    for q, t, p, ok in zip(qs, texts, p_yes, right):
        m = COMPARED.search(t)
        if not m:
            continue
        x, y, verdict = m.groups()
        table[("X = Y" if x == y else "X ≠ Y", verdict)] += 1
        resolved += x == str(T.answer_of(q))
        scored.append((0.5 if p is None else p, int(ok)))
    n = sum(table.values())
    consistent = table[("X = Y", "Yes")] + table[("X ≠ Y", "No")]
    print(f"{len(qs)} verifications ({sum(not r for r in right)} of wrong answers), {n} with the comparison line")
    print(f"its own re-solve X is right: {resolved / n:.3f}")
    print(f"verdict agrees with its own comparison: {consistent / n:.3f}; " + ", ".join(f"{k[0]} → {k[1]}: {v}" for k, v in sorted(table.items())))
    print(f"AUROC of P(Yes) for a right answer: {G.auroc([s for s, _ in scored], [o for _, o in scored]):.3f}")
    # teacher-forced: the reply up to the verdict, with the true answer as X; P(Yes) / (P(Yes) + P(No))
    rng = random.Random(0)
    yes, no = tk.ids["Yes"], tk.ids["No"]
    forced = {True: [], False: []}
    for q, d, ok in zip(val, drafts[len(val):], right[len(val):]):
        body = T.verify_reply(q, d, rng).rsplit("\n", 1)[0] + "\n"
        ids = tk.encode(T.render_prompt(T.judged_conv(q, d.strip(), T.P["VERIFY_PROMPT"])) + body)
        with torch.no_grad():
            logits, _ = model(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long), torch.arange(len(ids)).unsqueeze(0), None)
        p = torch.softmax(logits[0, -1], -1)
        forced[ok].append(float(p[yes] / (p[yes] + p[no])))
    mean = lambda xs: sum(xs) / max(1, len(xs))
    print(f"teacher-forced after the true X: mean P(Yes) {mean(forced[True]):.3f} for right answers ({len(forced[True])}), "
          f"{mean(forced[False]):.3f} for wrong ones ({len(forced[False])})")


if __name__ == "__main__":
    main()
