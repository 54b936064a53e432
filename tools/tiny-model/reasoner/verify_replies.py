"""How well self-verification ranks right and wrong greedy answers when P(Yes) is averaged over several verify
replies, as the runtime's `verifications: k` does: the greedy reply plus k - 1 replies sampled at temperature T,
on the validation slice (never the held-out set).

  /usr/bin/python3 tools/tiny-model/reasoner/verify_replies.py [T, default 0.5] [checkpoint in work/, default final.pt]
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.append(os.path.dirname(HERE))
import rgen as G  # noqa: E402
import task as T  # noqa: E402
import train as TR  # noqa: E402

MAX_REPLIES = 8


def main():
    temperature = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
    torch.set_num_threads(2)
    tk = TR.tokenizer()
    model, _ = TR.load(os.path.join(TR.WORK, sys.argv[2] if len(sys.argv) > 2 else "final.pt"))
    val = [TR.q_from_item(it) for it in json.load(open(os.path.join(TR.WORK, "val.json")))]
    drafts = TR.solve(model, tk, val)
    right = [int(T.extract_number(d) == str(T.answer_of(q))) for d, q in zip(drafts, val)]
    yes, no = tk.ids["Yes"], tk.ids["No"]
    prompts = [tk.encode(T.render_prompt(T.judged_conv(q, d.strip(), T.P["VERIFY_PROMPT"]))) for q, d in zip(val, drafts)]
    replies = []  # replies[r][i]: P(Yes) of reply r on question i (None: no verdict written)
    for r in range(MAX_REPLIES):
        outs, probs = G.fast_generate(model, prompts, max_new=TR.MAX_NEW["verify"], watch=[yes, no],
                                      temperature=0.0 if r == 0 else temperature, seed=r)
        replies.append([G.verdict_p_yes(o, p, yes, no) for o, p in zip(outs, probs)])
    print(f"{len(val)} validation questions, greedy right on {sum(right)}; replies after the greedy one at T={temperature}")
    for k in range(1, MAX_REPLIES + 1):
        means = []
        for i in range(len(val)):
            ps = [replies[r][i] for r in range(k) if replies[r][i] is not None]
            means.append(sum(ps) / len(ps) if ps else 0.5)
        print(f"  {k} replies: AUROC {G.auroc(means, right):.3f}")


if __name__ == "__main__":
    main()
