"""Where the comparison and the re-check succeed or fail, in two parts:

  drills  300 fresh comparison drills (`I get X; the proposed answer is Y.` -> `X-Y=d` + Yes/No) on a checkpoint:
          exact replies, and verdicts (equal -> Yes, different -> No) whatever the difference line says.
  wait    the open "\n\nWait," turn on the first 150 validation questions: per greedy draft, whether the second chain
          is right, whether the comparison line copies both answers, whether the keep / once-more decision follows
          them, and whether the final answer is right.

  /usr/bin/python3 tools/tiny-model/reasoner/diagnose_compare.py [drills|wait|all] [checkpoint in work/, default final.pt]
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

DECISION = re.compile(r"\n(\d+[-+]\d+=-?\d+), (" + re.escape(T.STAYS) + "|" + re.escape(T.DIFFERS) + r")\n")


def drills(model, tk):
    rng, qg = random.Random(99), TR.QGen(99, [])
    ds = [TR.comparison_drill(rng, qg) for _ in range(300)]
    outs = [tk.decode(o).strip() for o in G.fast_generate(model, [tk.encode(d[0][0]) for d in ds], max_new=30)]
    wants = [d[1][0].replace(T.IM_END, "").strip() for d in ds]
    exact = sum(o == w for o, w in zip(outs, wants))
    by = collections.Counter((w.split("\n")[-1], o.split("\n")[-1] == w.split("\n")[-1]) for o, w in zip(outs, wants))
    print(f"drills: {exact}/300 exact; verdict right: equal -> Yes {by[('Yes', True)]}/{by[('Yes', True)] + by[('Yes', False)]}, "
          f"different -> No {by[('No', True)]}/{by[('No', True)] + by[('No', False)]}")


def wait(model, tk):
    val = [TR.q_from_item(it) for it in json.load(open(os.path.join(TR.WORK, "val.json")))][:150]
    drafts = TR.solve(model, tk, val)
    prompts = [T.render_prompt(T.draft_conv(q), open_assistant=d.strip() + T.P["WAIT_NUDGE"]) for q, d in zip(val, drafts)]
    texts = TR.gen_texts(model, tk, prompts, "wait")
    table = collections.Counter()
    once_more = repeated = 0
    for q, d, w in zip(val, drafts, texts):
        truth, drafted = str(T.answer_of(q)), T.extract_number(d)
        m = DECISION.search(w)
        if not m:
            table["no keep / once-more line"] += 1
            continue
        second = T.line_results(w[:m.start()].split("\n", 1)[-1])[-1]
        copied = sorted(re.findall(r"\d+", m.group(1).split("=")[0])) == sorted([str(second), str(drafted)])
        followed = (m.group(2) == T.STAYS) == (str(second) == drafted)
        final = T.extract_number(w) == truth
        if m.group(2) == T.DIFFERS:
            once_more += 1
            repeated += T.extract_number(w) == str(second)
        table[(f"draft {'right' if drafted == truth else 'wrong'}", f"second chain {'right' if str(second) == truth else 'wrong'}",
               f"copied {'yes' if copied else 'no'}", f"decision {'follows' if followed else 'misreads'}",
               f"final {'right' if final else 'wrong'}")] += 1
    for k, v in sorted(table.items(), key=lambda kv: str(kv[0])):
        print(f"{v:4d}  {k if isinstance(k, str) else ', '.join(k)}")
    g = sum(T.extract_number(d) == str(T.answer_of(q)) for d, q in zip(drafts, val))
    w = sum(T.extract_number(t) == str(T.answer_of(q)) for t, q in zip(texts, val))
    print(f"greedy {g}/150, after Wait {w}/150; of {once_more} third chains, {repeated} end on the second chain's answer")


def main():
    torch.set_num_threads(1)
    part = sys.argv[1] if len(sys.argv) > 1 else "all"
    tk = TR.tokenizer()
    model, _ = TR.load(os.path.join(TR.WORK, sys.argv[2] if len(sys.argv) > 2 else "final.pt"))
    if part in ("drills", "all"):
        drills(model, tk)
    if part in ("wait", "all"):
        wait(model, tk)


if __name__ == "__main__":
    main()
