"""Stage q4: quantisation-aware distillation for the 4-bit variant.

Rounding final.pt's weights to the 4-bit grid (q4.py) flips close calls: the decomposition a chain starts with, a
carry. The greedy completion then drifts from fp32's after the first differing token, so only 6 of the 20 reference
prompts came out identical. Here a copy of final.pt is fine-tuned with every Linear weight seen through the 4-bit
grid in the forward pass (straight-through gradient), to match final.pt's next-token distributions (KL) on
final.pt's own greedy chains for fresh training questions and on the pack's conversations: the weights move to
where their rounding keeps fp32's choices, as quantisation-aware checkpoints (e.g. Gemma's QAT q4_0) are made.
final.pt and model.onnx are untouched; export.py quantises q4.pt into model_q4.onnx."""
import os
import random
import time

import torch
import torch.nn.functional as F
from torch.nn.utils import parametrize

import q4 as Q4
import task as T


class FakeQuant4(torch.nn.Module):
    def forward(self, w):
        return Q4.fake_quant(w)


def see_through_grid(model):
    for mod in model.modules():
        if Q4.quantisable(mod):
            parametrize.register_parametrization(mod, "weight", FakeQuant4())


def drop_grid(model):
    """Back to plain full-precision weights (export.py rounds them onto the same grid)."""
    for mod in model.modules():
        if parametrize.is_parametrized(mod, "weight"):
            parametrize.remove_parametrizations(mod, "weight", leave_parametrized=False)


def agreement(TR, teacher, student, tk, qs, teacher_texts=None):
    """Share of questions whose 4-bit greedy completion (and answer) equals the teacher's."""
    import export as X
    qm = X.q4_torch_model(student)
    got = TR.solve(qm, tk, qs)
    ref = teacher_texts or TR.solve(teacher, tk, qs)
    same = sum(a == b for a, b in zip(got, ref)) / len(qs)
    same_answer = sum(T.extract_number(a) == T.extract_number(b) for a, b in zip(got, ref)) / len(qs)
    return same, same_answer, ref


def stage_q4(TR, hp):
    torch.manual_seed(hp["seed"] + 90)
    tk = TR.tokenizer()
    teacher, _ = TR.load(os.path.join(TR.WORK, "final.pt"))
    for p in teacher.parameters():
        p.requires_grad_(False)
    student, _ = TR.load(os.path.join(TR.WORK, "final.pt"))
    held, val, _ = TR.heldout_and_val(hp)

    # final.pt's own greedy chains for fresh training questions: the states greedy decoding actually visits
    qg = TR.QGen(hp["seed"] + 92, held + val)
    t0 = time.time()
    pool_q = [qg() for _ in range(hp["q4_pool"])]
    pool = dict(zip(pool_q, TR.solve(teacher, tk, pool_q)))
    TR.log(f"q4: {len(pool)} teacher greedy chains in {time.time() - t0:.0f}s")
    pool_items = list(pool.items())

    def teacher_draft(_q, r):
        q, chain = r.choice(pool_items)
        return T.example(T.render_prompt(T.draft_conv(q)), chain)

    make = TR.pack_example_maker(hp, 93, hp["q4_mix"], hp["ft3_revision_share"], draft=teacher_draft)
    next_batch = TR.Bucketed(make, hp["ft_batch"], random.Random(hp["seed"] + 94))

    def distill(model, batch):
        with torch.no_grad():
            t_logits, _ = TR.reply_logits(teacher, batch)
        s_logits, _ = TR.reply_logits(model, batch)
        return F.kl_div(F.log_softmax(s_logits, -1), F.log_softmax(t_logits, -1), log_target=True,
                        reduction="batchmean")

    vsub = val[:hp["q4_val_n"]]
    base_same, base_answer, vref = agreement(TR, teacher, student, tk, vsub)
    hist = [(0, base_same, base_answer)]
    TR.log(f"q4 step 0 (round-to-nearest): validation completions identical to fp32 {base_same:.3f}, answers {base_answer:.3f}")

    def on_eval(step):
        drop_grid(student)
        same, same_answer, _ = agreement(TR, teacher, student, tk, vsub, vref)
        TR.save(student, os.path.join(TR.WORK, f"q4_step{step}.pt"), {"step": step, "val_same": same})
        see_through_grid(student)
        hist.append((step, same, same_answer))
        TR.log(f"q4 step {step}: validation completions identical to fp32 {same:.3f}, answers {same_answer:.3f}")

    see_through_grid(student)
    dt = TR.train_loop(student, hp["q4_steps"], hp["q4_lr"], hp["q4_warmup"], next_batch,
                       dict(hp, eval_every=hp["q4_eval_every"]), "q4", on_eval, loss=distill)
    drop_grid(student)
    best = max(hist[1:], key=lambda h: (h[1], h[0]))
    chosen, _ = TR.load(os.path.join(TR.WORK, f"q4_step{best[0]}.pt"))
    TR.save(chosen, os.path.join(TR.WORK, "q4.pt"), {"q4_step": best[0], "history": hist, "q4_s": dt})
    TR.log(f"q4 done in {dt:.0f}s; chose step {best[0]} from {hist}")
