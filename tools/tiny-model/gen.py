"""Batched generation with a KV cache in torch, plus the evaluation metrics (exact match, majority
vote of samples, confidence-token AUROC, verification accuracy)."""
from collections import Counter, defaultdict
import torch

from data import BOS, EOS, CN, UN, Y_ID, N_ID, OPS, encode, decode, parse_prompt

ANSWER_END = (CN, UN, EOS)


@torch.no_grad()
def generate(model, prompts, max_new=8, temperature=0.0, seed=0, batch=1024, stop_at_answer_end=False):
    """prompts: list of id lists (starting with <s>). Returns list of dicts with 'ids' (generated ids up
    to and excluding </s>) and 'conf' (P(CN)/(P(CN)+P(UN)) at the first position where the sampled/greedy
    token is <CN>/<UN>/</s>, i.e. right after the answer; None if never reached).
    Prompts are grouped by length, so no padding is needed. Sampling is deterministic given seed."""
    model.eval()
    g = torch.Generator().manual_seed(seed)
    out = [None] * len(prompts)
    by_len = defaultdict(list)
    for i, p in enumerate(prompts):
        by_len[len(p)].append(i)
    for L in sorted(by_len):
        idxs = by_len[L]
        for s in range(0, len(idxs), batch):
            chunk = idxs[s:s + batch]
            B = len(chunk)
            ids = torch.tensor([prompts[i] for i in chunk], dtype=torch.long)
            am = torch.ones(B, L, dtype=torch.long)
            pos = torch.arange(L).unsqueeze(0).expand(B, L)
            logits, past = model(ids, am, pos, None)
            last = logits[:, -1, :]
            gen = [[] for _ in range(B)]
            conf = [None] * B
            done = torch.zeros(B, dtype=torch.bool)
            ans_done = torch.zeros(B, dtype=torch.bool)
            for step in range(max_new):
                if temperature and temperature > 0:
                    probs = torch.softmax(last / temperature, dim=-1)
                    nxt = torch.multinomial(probs, 1, generator=g).squeeze(1)
                else:
                    nxt = last.argmax(-1)
                p = torch.softmax(last, dim=-1)
                c = (p[:, CN] / (p[:, CN] + p[:, UN])).tolist()
                nl = nxt.tolist()
                for b in range(B):
                    if done[b]:
                        continue
                    t = nl[b]
                    if not ans_done[b] and t in ANSWER_END:
                        ans_done[b] = True
                        conf[b] = c[b]
                    if t == EOS:
                        done[b] = True
                    else:
                        gen[b].append(t)
                if bool(done.all()) or (stop_at_answer_end and bool(ans_done.all())):
                    break
                S = L + step + 1
                am = torch.ones(B, S, dtype=torch.long)
                pos = torch.full((B, 1), S - 1, dtype=torch.long)
                logits, past = model(nxt.unsqueeze(1), am, pos, past)
                last = logits[:, -1, :]
            for j, i in enumerate(chunk):
                out[i] = {"ids": gen[j], "conf": conf[j]}
    return out


def answer_of(ids):
    """Answer text: generated characters before the first <CN>/<UN>/</s>."""
    s = []
    for t in ids:
        if t in ANSWER_END:
            break
        s.append(t)
    return decode(s)


def solve_prompt_ids(prompt):
    return [BOS] + encode(prompt + "=")


def verify_prompt_ids(prompt, claimed):
    return [BOS] + encode(prompt + "=" + claimed + "?")


def per_op_accuracy(items, correct):
    acc = {}
    for op in OPS:
        xs = [c for it, c in zip(items, correct) if it["op"] == op]
        acc[op] = sum(xs) / len(xs)
    acc["overall"] = sum(correct) / len(correct)
    return acc


def auroc(scores, labels):
    """Probability that a random positive scores above a random negative (ties count 1/2)."""
    pairs = sorted(zip(scores, labels))
    n_pos = sum(labels)
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    rank_sum = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + 1 + j) / 2.0
        rank_sum += avg_rank * sum(l for _, l in pairs[i:j])
        i = j
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def eval_greedy(model, items):
    res = generate(model, [solve_prompt_ids(it["prompt"]) for it in items], max_new=8)
    answers = [answer_of(r["ids"]) for r in res]
    correct = [a == it["answer"] for a, it in zip(answers, items)]
    confs = [r["conf"] if r["conf"] is not None else 0.0 for r in res]
    return {"answers": answers, "correct": correct, "confs": confs, "completions": [decode(r["ids"]) for r in res],
            "accuracy": per_op_accuracy(items, correct), "auroc": auroc(confs, [int(c) for c in correct])}


def majority(answers):
    """Most common answer; ties go to the answer that appeared first."""
    cnt = Counter(answers)
    best = max(cnt.values())
    for a in answers:
        if cnt[a] == best:
            return a


def eval_sc(model, items, temperature, k=8, seed=1):
    prompts = []
    for it in items:
        prompts += [solve_prompt_ids(it["prompt"])] * k
    res = generate(model, prompts, max_new=7, temperature=temperature, seed=seed, stop_at_answer_end=True)
    answers = [answer_of(r["ids"]) for r in res]
    votes = [majority(answers[i * k:(i + 1) * k]) for i in range(len(items))]
    correct = [v == it["answer"] for v, it in zip(votes, items)]
    sample_correct = [answers[i] == items[i // k]["answer"] for i in range(len(answers))]
    return {"votes": votes, "correct": correct, "accuracy": per_op_accuracy(items, correct),
            "sample_accuracy": sum(sample_correct) / len(sample_correct)}


def eval_verify(model, vitems):
    res = generate(model, [verify_prompt_ids(it["prompt"], it["claimed"]) for it in vitems], max_new=8)
    correct = []
    restated_ok = []
    for r, it in zip(res, vitems):
        ids = r["ids"]
        last = ids[-1] if ids else None
        verdict = True if last == Y_ID else False if last == N_ID else None
        correct.append(verdict is not None and verdict == it["correct"])
        restated_ok.append(decode([t for t in ids if t not in (Y_ID, N_ID)]) == it["answer"])
    acc = per_op_accuracy(vitems, correct)
    tp = [c for c, it in zip(correct, vitems) if it["correct"]]
    tn = [c for c, it in zip(correct, vitems) if not it["correct"]]
    return {"accuracy": acc, "on_true_claims": sum(tp) / len(tp), "on_false_claims": sum(tn) / len(tn),
            "restated_correct": sum(restated_ok) / len(restated_ok)}


@torch.no_grad()
def score_answers(model, prompts, answers, batch=1024):
    """log P(answer characters, then the answer ends) under the model, for solve prompts (teacher forced).
    'The answer ends' = P(<CN>) + P(<UN>) + P(</s>) at the position after the last character."""
    model.eval()
    seqs = [solve_prompt_ids(p) + encode(a) for p, a in zip(prompts, answers)]
    starts = [len(solve_prompt_ids(p)) for p in prompts]
    out = [0.0] * len(seqs)
    by_len = defaultdict(list)
    for i, s in enumerate(seqs):
        by_len[len(s)].append(i)
    for L, idxs in by_len.items():
        for s0 in range(0, len(idxs), batch):
            chunk = idxs[s0:s0 + batch]
            x = torch.tensor([seqs[i] for i in chunk])
            B = len(chunk)
            lo, _ = model(x, torch.ones(B, L, dtype=torch.long), torch.arange(L).unsqueeze(0).expand(B, L))
            lp = torch.log_softmax(lo, -1)
            for j, i in enumerate(chunk):
                v = sum(lp[j, t - 1, seqs[i][t]].item() for t in range(starts[i], L))
                v += torch.logsumexp(lp[j, L - 1, list(ANSWER_END)], 0).item()
                out[i] = v
    return out


def eval_self_verify(model, items, drafts):
    """The runtime's second thought for this model: after the greedy draft, append `?` (the verify format
    with the model's own draft as the claim), read the restated result and the final Y/N."""
    res = generate(model, [verify_prompt_ids(it["prompt"], d) for it, d in zip(items, drafts)], max_new=8)
    restated, verdict_ok, fixed, broken, y_right, n_wrong = [], [], 0, 0, [], []
    for r, it, d in zip(res, items, drafts):
        ids = r["ids"]
        last = ids[-1] if ids else None
        rs = decode([t for t in ids if t not in (Y_ID, N_ID)])
        ok_draft = d == it["answer"]
        restated.append(rs == it["answer"])
        verdict = True if last == Y_ID else False if last == N_ID else None
        verdict_ok.append(verdict is not None and verdict == ok_draft)
        (y_right if ok_draft else n_wrong).append(verdict is (True if ok_draft else False))
        fixed += (not ok_draft) and rs == it["answer"]
        broken += ok_draft and rs != it["answer"]
    return {"restated_accuracy": per_op_accuracy(items, restated), "verdict_accuracy": sum(verdict_ok) / len(verdict_ok),
            "Y_on_right_drafts": sum(y_right) / max(1, len(y_right)), "N_on_wrong_drafts": sum(n_wrong) / max(1, len(n_wrong)),
            "wrong_drafts_fixed": fixed, "right_drafts_broken": broken, "wrong_drafts": len(n_wrong)}


def mode_bound(model, items, greedy_answers, greedy_correct):
    """How many greedy-wrong items have P(correct answer) > P(greedy answer)? Only those can be fixed by
    voting over samples, even with infinitely many (the vote converges to the most probable answer)."""
    wrong = [(it, a) for it, a, c in zip(items, greedy_answers, greedy_correct) if not c]
    if not wrong:
        return {"fixable": 0, "greedy_wrong": 0}
    pc = score_answers(model, [it["prompt"] for it, _ in wrong], [it["answer"] for it, _ in wrong])
    pg = score_answers(model, [it["prompt"] for it, _ in wrong], [a for _, a in wrong])
    fix = {op: 0 for op in OPS}
    for (it, _), c, g in zip(wrong, pc, pg):
        if c > g:
            fix[it["op"]] += 1
    return {"fixable": sum(fix.values()), "fixable_by_op": fix, "greedy_wrong": len(wrong), "items": len(items)}
