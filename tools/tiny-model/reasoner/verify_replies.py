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


def model_and_drafts(checkpoint):
    """The checkpoint, its tokenizer, the validation questions and their greedy drafts."""
    torch.set_num_threads(2)
    tk = TR.tokenizer()
    model, _ = TR.load(os.path.join(TR.WORK, checkpoint))
    val = [TR.q_from_item(it) for it in json.load(open(os.path.join(TR.WORK, "val.json")))]
    return model, tk, val, TR.solve(model, tk, val)


def reply_p_yes(model, tk, qs, claims, replies, temperature):
    """[question][reply]: P(Yes) of the greedy verify reply and replies - 1 sampled at temperature (None: no verdict)."""
    yes, no = tk.ids["Yes"], tk.ids["No"]
    prompts = [tk.encode(T.render_prompt(T.judged_conv(q, c.strip(), T.P["VERIFY_PROMPT"]))) for q, c in zip(qs, claims)]
    runs = []
    for r in range(replies):
        outs, probs = G.fast_generate(model, prompts, max_new=TR.MAX_NEW["verify"], watch=[yes, no],
                                      temperature=0.0 if r == 0 else temperature, seed=r)
        runs.append([G.verdict_p_yes(o, p, yes, no) for o, p in zip(outs, probs)])
    return [[run[i] for run in runs] for i in range(len(qs))]


def mean_p_yes(ps, k):
    """The mean P(Yes) of the first k replies that wrote a verdict, as the runtime's `verifications: k` scores it."""
    ps = [p for p in ps[:k] if p is not None]
    return sum(ps) / len(ps) if ps else None


def main():
    temperature = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
    model, tk, val, drafts = model_and_drafts(sys.argv[2] if len(sys.argv) > 2 else "final.pt")
    right = [int(T.extract_number(d) == str(T.answer_of(q))) for d, q in zip(drafts, val)]
    judged = reply_p_yes(model, tk, val, drafts, MAX_REPLIES, temperature)
    print(f"{len(val)} validation questions, greedy right on {sum(right)}; replies after the greedy one at T={temperature}")
    for k in range(1, MAX_REPLIES + 1):
        means = [mean_p_yes(ps, k) for ps in judged]
        print(f"  {k} replies: AUROC {G.auroc([0.5 if m is None else m for m in means], right):.3f}")

if __name__ == "__main__":
    main()
