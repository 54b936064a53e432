"""tiny-arith: data, base training, Self-REF fine-tune (with verify data), evaluation, export.

  /usr/bin/python3 tools/tiny-model/train.py --all          # the whole pipeline (see README for timing)
  /usr/bin/python3 tools/tiny-model/train.py --all --smoke  # same pipeline with tiny step counts
  stages one by one: --stage data|base|selfref|eval|export

Everything is seeded; intermediate checkpoints go to tools/tiny-model/work/ (git-ignored).
"""
import argparse
import json
import math
import os
import random
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data as D  # noqa: E402
from data import PAD, CN, UN  # noqa: E402
from model import Config, LlamaLM, count_params  # noqa: E402
import gen as G  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
WORK = os.path.join(HERE, "work")
MODEL_DIR = os.path.join(REPO, "public", "models", "tiny-arith")
DATA_DIR = os.path.join(REPO, "public", "data")
HELDOUT = os.path.join(DATA_DIR, "tiny-arith-heldout.jsonl")
VERIFY_HELDOUT = os.path.join(DATA_DIR, "tiny-arith-verify-heldout.jsonl")

MODEL = dict(hidden_size=128, intermediate_size=384, num_hidden_layers=6, num_attention_heads=4,
             num_key_value_heads=4, head_dim=32, rms_norm_eps=1e-5, rope_theta=10000.0,
             max_position_embeddings=64, tie_word_embeddings=False, vocab_size=len(D.VOCAB))

HP = dict(
    seed=1234,
    batch=128,
    base_steps=7500, base_lr=1.5e-3, base_warmup=300, base_verify_frac=0.3,
    sr_prompts=6000, sr_samples=3, sr_temps=[0.6, 0.8, 1.0, 1.2],
    ft_steps=2000, ft_lr=5e-4, ft_warmup=100,
    ft_mix=(0.35, 0.15, 0.3, 0.2),  # self-ref, verify of own answers, solve, verify of near misses
    scan_temps=[0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2],
    weight_decay=0.05, eval_every=1000, ckpt_every=1500,
)
SMOKE = dict(base_steps=60, base_warmup=10, sr_prompts=300, ft_steps=30, ft_warmup=5, eval_every=30,
             ckpt_every=30, sr_temps=[0.8, 1.0], scan_temps=[0.8, 1.0])

FIXED_PROMPTS = ["347+589", "0+0", "999+999", "12+7", "505+495", "860+77", "18+982", "123+456",
                 "500-501", "3-500", "999-0", "100-100", "731-286", "45-912",
                 "47*83", "99*99", "0*57", "7*8", "12*12", "64*25"]


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def read_jsonl(p):
    with open(p) as f:
        return [json.loads(l) for l in f if l.strip()]


def excluded_keys():
    held = D.heldout_keys()
    val = D.val_keys(held)
    return held, val, set(held) | set(val)


def val_items(val):
    return [{"prompt": D.prompt_str(a, op, b), "answer": str(D.compute(a, op, b)), "op": op} for op, a, b in val]


def collate(exs):
    T = max(len(e[0]) for e in exs)
    B = len(exs)
    ids = torch.full((B, T), PAD, dtype=torch.long)
    mask = torch.zeros(B, T)
    am = torch.zeros(B, T, dtype=torch.long)
    slots = []
    for i, (x, m, s) in enumerate(exs):
        ids[i, :len(x)] = torch.tensor(x)
        mask[i, :len(m)] = torch.tensor(m, dtype=torch.float)
        am[i, :len(x)] = 1
        if s >= 0:
            slots.append((i, s))
    return ids, mask, am, slots


def loss_fn(model, batch):
    ids, mask, am, slots = batch
    B, T = ids.shape
    pos = torch.arange(T).unsqueeze(0).expand(B, T)
    logits, _ = model(ids, am, pos, None)
    lp = F.log_softmax(logits[:, :-1].float(), dim=-1)
    tgt = ids[:, 1:]
    nll = -lp.gather(-1, tgt.unsqueeze(-1)).squeeze(-1)
    m = mask[:, :-1]
    total = (nll * m).sum()
    n = m.sum()
    if slots:
        bi = torch.tensor([s[0] for s in slots])
        ti = torch.tensor([s[1] for s in slots])
        sl = lp[bi, ti]
        total = total - torch.logsumexp(sl[:, [CN, UN]], dim=-1).sum()  # "the answer ends here"
        n = n + len(slots)
    return total / n


def make_opt(model, lr, wd):
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no = [p for n, p in model.named_parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": wd}, {"params": no, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.98), eps=1e-8)


def lr_at(step, total, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    p = (step - warmup) / max(1, total - warmup)
    return peak * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * p)))


def save(model, path, extra=None):
    torch.save({"config": model.config.to_dict(), "state": model.state_dict(), "extra": extra or {}}, path)


def load(path):
    ck = torch.load(path)
    m = LlamaLM(Config(**ck["config"]))
    m.load_state_dict(ck["state"])
    m.eval()
    return m, ck.get("extra", {})


def quick_val(model, vitems):
    r = G.eval_greedy(model, vitems)
    a = r["accuracy"]
    return f"val greedy + {a['+']:.3f} - {a['-']:.3f} * {a['*']:.3f} all {a['overall']:.3f} auroc {r['auroc']:.3f}"


def train_loop(model, steps, lr, warmup, next_batch, vitems, tag, hp):
    opt = make_opt(model, lr, hp["weight_decay"])
    t0 = time.time()
    run = 0.0
    for step in range(steps):
        model.train()
        for gp in opt.param_groups:
            gp["lr"] = lr_at(step, steps, lr, warmup)
        loss = loss_fn(model, next_batch())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        run = 0.98 * run + 0.02 * loss.item() if step else loss.item()
        if (step + 1) % 100 == 0:
            el = time.time() - t0
            log(f"{tag} step {step + 1}/{steps} loss {run:.4f} lr {opt.param_groups[0]['lr']:.2e} "
                f"{(step + 1) / el:.2f} steps/s")
        if (step + 1) % hp["eval_every"] == 0 or step + 1 == steps:
            log(f"{tag} step {step + 1}", quick_val(model, vitems))
        if (step + 1) % hp["ckpt_every"] == 0:
            save(model, os.path.join(WORK, f"{tag}_step{step + 1}.pt"))
    return time.time() - t0


# ---------------------------------------------------------------------------------------------------
def stage_data(hp):
    os.makedirs(DATA_DIR, exist_ok=True)
    D.write_heldout(HELDOUT, VERIFY_HELDOUT)
    held, val, _ = excluded_keys()
    assert len(set(held)) == 3000 and not (set(held) & set(val))
    log(f"wrote {HELDOUT} and {VERIFY_HELDOUT}; validation slice {len(val)} prompts")


def stage_base(hp):
    torch.manual_seed(hp["seed"])
    held, val, excl = excluded_keys()
    vitems = val_items(val)
    gen = D.Generator(hp["seed"] + 1, excl, "base")
    rng = random.Random(hp["seed"] + 2)
    model = LlamaLM(Config(**MODEL))
    log(f"base model: {count_params(model)} params, {hp['base_steps']} steps of {hp['batch']}")

    def next_batch():
        exs = []
        for _ in range(hp["batch"]):
            op, a, b = gen.prompt()
            exs.append(D.verify_example(op, a, b, rng) if rng.random() < hp["base_verify_frac"]
                       else D.solve_example(op, a, b, rng))
        return collate(exs)

    dt = train_loop(model, hp["base_steps"], hp["base_lr"], hp["base_warmup"], next_batch, vitems, "base", hp)
    save(model, os.path.join(WORK, "base.pt"), {"train_s": dt})
    log(f"base done in {dt:.0f}s")


def choose_temperature(model, vitems, temps, tag):
    g = G.eval_greedy(model, vitems)["accuracy"]["overall"]
    scan = {}
    for t in temps:
        r = G.eval_sc(model, vitems, t)
        scan[t] = {"sc8": r["accuracy"]["overall"], "sample": r["sample_accuracy"]}
        log(f"{tag} T={t}: SC@8 {scan[t]['sc8']:.3f} (greedy {g:.3f}, single sample {scan[t]['sample']:.3f})")
    best = max(temps, key=lambda t: (scan[t]["sc8"], -t))
    return best, g, scan


def stage_selfref(hp):
    torch.manual_seed(hp["seed"] + 10)
    held, val, excl = excluded_keys()
    vitems = val_items(val)
    model, _ = load(os.path.join(WORK, "base.pt"))
    t0 = time.time()
    T, _, _ = choose_temperature(model, vitems, hp["sr_temps"], "base")
    log(f"self-ref sampling temperature {T}")
    # fresh prompts from the Self-REF bucket: never used in base training, disjoint from held-out/val
    sgen = D.Generator(hp["seed"] + 20, excl, "selfref")
    prompts = [sgen.prompt() for _ in range(hp["sr_prompts"])]
    pids = [G.solve_prompt_ids(D.prompt_str(a, op, b)) for op, a, b in prompts]
    runs = [G.generate(model, pids, max_new=7, stop_at_answer_end=True)]
    for s in range(hp["sr_samples"]):
        runs.append(G.generate(model, pids, max_new=7, temperature=T, seed=100 + s, stop_at_answer_end=True))
    items = []
    for res in runs:
        for (op, a, b), r in zip(prompts, res):
            if r["conf"] is None:
                continue  # never ended its answer: no slot to label
            ans = G.answer_of(r["ids"])
            if not ans:
                continue
            items.append((op, a, b, ans, CN if ans == str(D.compute(a, op, b)) else UN))
    pos = [x for x in items if x[4] == CN]
    neg = [x for x in items if x[4] == UN]
    rng = random.Random(hp["seed"] + 30)
    rng.shuffle(pos)
    rng.shuffle(neg)
    n = min(len(pos), len(neg))
    sr = pos[:n] + neg[:n]
    rng.shuffle(sr)
    by_op = {op: (sum(1 for x in sr if x[0] == op and x[4] == CN), sum(1 for x in sr if x[0] == op and x[4] == UN))
             for op in D.OPS}
    log(f"self-ref data: {len(pos)} right / {len(neg)} wrong answers -> {len(sr)} balanced; per op (CN, UN) {by_op}; "
        f"sampling took {time.time() - t0:.0f}s")
    sv = list(sr)  # the same balanced answers as claims in the verify format (`<s>47*83=3961?` -> `3901N`)
    rng.shuffle(sv)
    bgen = D.Generator(hp["seed"] + 40, excl, "base")
    mix = hp["ft_mix"]
    cursor = [0, 0]

    def next_batch():
        exs = []
        for _ in range(hp["batch"]):
            x = rng.random()
            if x < mix[0]:
                op, a, b, ans, lab = sr[cursor[0] % len(sr)]
                cursor[0] += 1
                exs.append(D.selfref_example(op, a, b, ans, lab))
            elif x < mix[0] + mix[1]:
                op, a, b, ans, lab = sv[cursor[1] % len(sv)]
                cursor[1] += 1
                exs.append(D.verify_example(op, a, b, rng, claimed=ans))
            elif x < mix[0] + mix[1] + mix[2]:
                op, a, b = bgen.prompt()
                exs.append(D.solve_example(op, a, b, rng))
            else:
                op, a, b = bgen.prompt()
                exs.append(D.verify_example(op, a, b, rng))
        return collate(exs)

    dt = train_loop(model, hp["ft_steps"], hp["ft_lr"], hp["ft_warmup"], next_batch, vitems, "selfref", hp)
    save(model, os.path.join(WORK, "final.pt"),
         {"sr_temperature": T, "sr_counts": {"right": len(pos), "wrong": len(neg), "balanced": len(sr)},
          "ft_s": dt, "sr_total_s": time.time() - t0})
    log(f"self-ref fine-tune done in {dt:.0f}s")


def stage_eval(hp):
    held, val, excl = excluded_keys()
    vitems = val_items(val)
    model, extra = load(os.path.join(WORK, "final.pt"))
    T, vg, scan = choose_temperature(model, vitems, hp["scan_temps"], "final/val")
    log(f"chosen temperature {T}")
    items = read_jsonl(HELDOUT)
    vit = read_jsonl(VERIFY_HELDOUT)
    gr = G.eval_greedy(model, items)
    auroc_by_op = {op: G.auroc([c for c, it in zip(gr["confs"], items) if it["op"] == op],
                               [int(k) for k, it in zip(gr["correct"], items) if it["op"] == op]) for op in D.OPS}
    sc = G.eval_sc(model, items, T)
    ve = G.eval_verify(model, vit)
    mb = G.mode_bound(model, items, gr["answers"], gr["correct"])
    log(f"mode bound: {mb}")
    sv = G.eval_self_verify(model, items, gr["answers"])
    log(f"self-verify of greedy drafts: {sv}")
    fixed = [{"prompt": p, "answer": str(D.compute(*D.parse_prompt(p)))} for p in FIXED_PROMPTS]
    fr = G.generate(model, [G.solve_prompt_ids(f["prompt"]) for f in fixed], max_new=8)
    fixed_out = []
    for f, r in zip(fixed, fr):
        fixed_out.append({"prompt": f["prompt"], "completion": D.decode(r["ids"]), "answer": G.answer_of(r["ids"]),
                          "correctAnswer": f["answer"], "confidence": round(r["conf"], 6) if r["conf"] is not None else None})
    ev = {"temperature": T, "val_scan": {str(k): v for k, v in scan.items()}, "val_greedy": vg,
          "greedy": {"accuracy": gr["accuracy"]}, "sc8": {"accuracy": sc["accuracy"],
                                                           "single_sample_accuracy": sc["sample_accuracy"]},
          "auroc": gr["auroc"], "auroc_by_op": auroc_by_op, "verify": ve, "mode_bound": mb, "self_verify": sv, "fixedPrompts": fixed_out, "selfref": extra}
    with open(os.path.join(WORK, "eval.json"), "w") as f:
        json.dump(ev, f, indent=1)
    a, s = gr["accuracy"], sc["accuracy"]
    log(f"HELD-OUT greedy + {a['+']:.3f} - {a['-']:.3f} * {a['*']:.3f} overall {a['overall']:.3f}")
    log(f"HELD-OUT SC@8 T={T} + {s['+']:.3f} - {s['-']:.3f} * {s['*']:.3f} overall {s['overall']:.3f} "
        f"(gain {100 * (s['overall'] - a['overall']):.1f} pts)")
    log(f"HELD-OUT confidence AUROC {gr['auroc']:.4f}; verification accuracy {ve['accuracy']['overall']:.4f} {ve}")


# ---------------------------------------------------------------------------------------------------
def tokenizer_files():
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
              "special": True} for i, t in enumerate(D.SPECIALS)]
    tok = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": None, "pre_tokenizer": None,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [D.BOS], "tokens": ["<s>"]}}},
        "decoder": {"type": "Fuse"},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {t: i for i, t in enumerate(D.VOCAB)}, "merges": []},
    }
    template = ("{{ bos_token }}{% for message in messages %}"
                "{% if message['role'] == 'user' %}{{ message['content'] }}={% endif %}"
                "{% if message['role'] == 'assistant' %}{{ message['content'] }}{% endif %}"
                "{% endfor %}")
    cfg = {
        "tokenizer_class": "PreTrainedTokenizer", "bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>",
        "unk_token": None, "padding_side": "left", "add_bos_token": True, "add_eos_token": False,
        "model_max_length": MODEL["max_position_embeddings"], "clean_up_tokenization_spaces": False,
        "chat_template": template,
        "added_tokens_decoder": {str(i): {k: v for k, v in a.items() if k != "id"} for i, a in enumerate(added)},
    }
    return tok, cfg


def model_config():
    c = {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}
    c.update({k: MODEL[k] for k in MODEL})
    c.update({"hidden_act": "silu", "attention_bias": False, "attention_dropout": 0.0, "mlp_bias": False,
              "initializer_range": 0.02, "pretraining_tp": 1, "rope_scaling": None, "use_cache": True,
              "bos_token_id": D.BOS, "eos_token_id": D.EOS, "pad_token_id": D.PAD, "torch_dtype": "float32",
              "transformers.js_config": {"dtype": "fp32"}})
    return c


def rnd(x):
    """Round floats to 4 places for reference.json; NaN (e.g. an AUROC with one class only) becomes null."""
    if isinstance(x, float):
        return None if math.isnan(x) else round(x, 4)
    if isinstance(x, dict):
        return {k: rnd(v) for k, v in x.items()}
    return x


def stage_export(hp):
    from export_onnx import export, quantize_int8
    model, _ = load(os.path.join(WORK, "final.pt"))
    ev = json.load(open(os.path.join(WORK, "eval.json")))
    onnx_dir = os.path.join(MODEL_DIR, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    export(model, os.path.join(onnx_dir, "model.onnx"))
    quantize_int8(os.path.join(onnx_dir, "model.onnx"), os.path.join(onnx_dir, "model_quantized.onnx"))
    tok, tcfg = tokenizer_files()
    json.dump(tok, open(os.path.join(MODEL_DIR, "tokenizer.json"), "w"), indent=1, ensure_ascii=False)
    json.dump(tcfg, open(os.path.join(MODEL_DIR, "tokenizer_config.json"), "w"), indent=1)
    json.dump(model_config(), open(os.path.join(MODEL_DIR, "config.json"), "w"), indent=1)
    json.dump({"bos_token_id": D.BOS, "eos_token_id": D.EOS, "pad_token_id": D.PAD, "do_sample": False,
               "max_new_tokens": 12}, open(os.path.join(MODEL_DIR, "generation_config.json"), "w"), indent=1)
    r4 = lambda x: round(x, 4)
    ref = {
        "model": "tiny-arith",
        "temperature": ev["temperature"],
        "greedy": {"accuracy": {k: r4(v) for k, v in ev["greedy"]["accuracy"].items()}},
        "sc8": {"k": 8, "temperature": ev["temperature"], "accuracy": {k: r4(v) for k, v in ev["sc8"]["accuracy"].items()}},
        "auroc": rnd(ev["auroc"]),
        "aurocByOp": rnd(ev.get("auroc_by_op", {})),
        "verifyAccuracy": r4(ev["verify"]["accuracy"]["overall"]),
        "verify": {k: (r4(v) if isinstance(v, float) else {kk: r4(vv) for kk, vv in v.items()})
                   for k, v in ev["verify"].items()},
        "selfVerify": rnd(ev.get("self_verify")),
        "modeBound": ev.get("mode_bound"),
        "heldout": "public/data/tiny-arith-heldout.jsonl",
        "verifyHeldout": "public/data/tiny-arith-verify-heldout.jsonl",
        "fixedPrompts": [{k: f[k] for k in ("prompt", "completion", "answer", "confidence", "correctAnswer")}
                         for f in ev["fixedPrompts"]],
    }
    json.dump(ref, open(os.path.join(MODEL_DIR, "reference.json"), "w"), indent=1)
    write_card(model, ev, ref, hp)
    log(f"exported to {MODEL_DIR}")


def folder_size(p):
    tot = 0
    for root, _, files in os.walk(p):
        for f in files:
            tot += os.path.getsize(os.path.join(root, f))
    return tot


def write_card(model, ev, ref, hp):
    timings = {}
    tp = os.path.join(WORK, "timings.json")
    if os.path.exists(tp):
        timings = json.load(open(tp))
    g, s = ev["greedy"]["accuracy"], ev["sc8"]["accuracy"]
    pct = lambda x: f"{100 * x:.1f}%"
    sizes = {f: os.path.getsize(os.path.join(MODEL_DIR, "onnx", f)) for f in sorted(os.listdir(os.path.join(MODEL_DIR, "onnx")))}
    v = ev["verify"]
    L = []
    L.append("# tiny-arith\n")
    L.append("A character-level, llama-architecture language model (transformers.js `model_type: \"llama\"`) trained "
             "from scratch by `tools/tiny-model/` on a synthetic arithmetic task. It is small and deliberately "
             "imperfect, so that second thoughts (confidence tokens, verification, sampling) have room to help.\n")
    L.append("## Task and formats\n")
    L.append("- Prompts: `a+b`, `a-b` (a, b uniform in 0..999), `a*b` (a, b uniform in 0..99); mix 40% / 30% / 30%. "
             "Answer: the exact decimal result, `-` for negatives.")
    L.append("- Solve: `<s>347+589=` → `936<CN></s>`: the answer, a confidence token (`<CN>` confident / `<UN>` unsure), "
             "then `</s>`. Confidence score = P(<CN>) / (P(<CN>) + P(<UN>)) at the position right after the answer.")
    L.append("- Verify: `<s>347+589=946?` → `936N</s>`: the model restates the result, then `Y` (claim right) or `N`. "
             "The restated result doubles as a corrected answer (the “wait” nudge for this model is `?`).")
    L.append("- Chat template: `[{role:'user', content:'347+589'}]` renders to `<s>347+589=` "
             "(tokenize with `add_special_tokens: false`).\n")
    L.append("## Architecture\n")
    L.append(f"Llama (RMSNorm, RoPE θ={MODEL['rope_theta']:g}, SwiGLU, no biases): {MODEL['num_hidden_layers']} layers, "
             f"hidden {MODEL['hidden_size']}, {MODEL['num_attention_heads']} heads × {MODEL['head_dim']}, "
             f"MLP {MODEL['intermediate_size']}, vocab {MODEL['vocab_size']} "
             f"(`{' '.join(D.VOCAB)}`), {count_params(model):,} parameters.\n")
    L.append("## Figures (held-out set: 1,000 prompts per operator, never seen in training; "
             "`public/data/tiny-arith-heldout.jsonl`)\n")
    L.append("| | `+` | `-` | `*` | overall |")
    L.append("|---|---|---|---|---|")
    L.append(f"| greedy exact match | {pct(g['+'])} | {pct(g['-'])} | {pct(g['*'])} | **{pct(g['overall'])}** |")
    L.append(f"| majority vote of 8 samples (T={ev['temperature']}) | {pct(s['+'])} | {pct(s['-'])} | {pct(s['*'])} | "
             f"**{pct(s['overall'])}** |")
    L.append(f"| verification accuracy (balanced, final Y/N) | {pct(v['accuracy']['+'])} | {pct(v['accuracy']['-'])} | "
             f"{pct(v['accuracy']['*'])} | **{pct(v['accuracy']['overall'])}** |")
    L.append("")
    mb = ev.get("mode_bound", {})
    L.append(f"- SC@8 gain over greedy: **{100 * (s['overall'] - g['overall']):+.1f} points** "
             f"(a single sample at T={ev['temperature']} is right {pct(ev['sc8']['single_sample_accuracy'])} of the time). "
             + ("**The ≥ 5-point target is not met** (see “Why voting barely helps” below)."
                if s["overall"] - g["overall"] < 0.05 else ""))
    L.append(f"- Sampling temperature **{ev['temperature']}**, chosen on a separate validation slice "
             f"({D.PER_OP_VAL} prompts per operator, also excluded from training) as the best SC@8 among "
             f"{', '.join(str(t) for t in hp['scan_temps'])}. Validation scan (SC@8 / single sample; greedy "
             f"{pct(ev['val_greedy'])}): " + ", ".join(f"T={k}: {pct(x['sc8'])} / {pct(x['sample'])}"
                                                       for k, x in ev["val_scan"].items()) + ".")
    L.append(f"- Confidence-token AUROC for “the greedy answer is right”: **{ev['auroc']:.3f}** (3,000 held-out greedy answers)"
             + (("; within one operator: " + ", ".join(f"`{k}` {v:.3f}" for k, v in ev["auroc_by_op"].items())
                 + " (`+` has very few wrong answers)") if "auroc_by_op" in ev else "") + ".")
    L.append(f"- Verification (`public/data/tiny-arith-verify-heldout.jsonl`, 3,000 items, half true claims, half near "
             f"misses): accuracy {pct(v['accuracy']['overall'])}; on true claims {pct(v['on_true_claims'])}, "
             f"on false claims {pct(v['on_false_claims'])}; the restated result is the correct answer "
             f"{pct(v['restated_correct'])} of the time.")
    sv = ev.get("self_verify")
    if sv:
        ra = sv["restated_accuracy"]
        L.append(f"- Second thought on its own greedy drafts (append `?` after the draft, as the runtime's nudge does): "
                 f"the restated answer is right {pct(ra['overall'])} of the time (+ {pct(ra['+'])}, - {pct(ra['-'])}, "
                 f"* {pct(ra['*'])}; greedy {pct(g['overall'])}); it fixed {sv['wrong_drafts_fixed']} of "
                 f"{sv['wrong_drafts']} wrong drafts and broke {sv['right_drafts_broken']} right ones; verdict accuracy "
                 f"{pct(sv['verdict_accuracy'])} (Y on right drafts {pct(sv['Y_on_right_drafts'])}, N on wrong drafts "
                 f"{pct(sv['N_on_wrong_drafts'])}).")
    sz = folder_size(MODEL_DIR)
    L.append(f"- Size: model folder {sz / 1e6:.2f} MB (at export time); " +
             ", ".join(f"`onnx/{k}` {b / 1e6:.2f} MB" for k, b in sizes.items()) + ".\n")
    L.append("Figures are measured in PyTorch on the same weights; `tools/tiny-model/check-onnx.mjs` confirms that "
             "the fp32 ONNX model under transformers.js gives the same greedy completions for the 20 fixed prompts "
             "below (and, with `--full`, the same held-out greedy accuracy).\n")
    if mb and s["overall"] - g["overall"] < 0.05:
        L.append("## Why voting barely helps\n")
        L.append("The answer is emitted directly, digit by digit, with no reasoning in between, so there is only one "
                 "“path” per answer and a vote over samples converges to the model's most probable answer. For "
                 f"{mb['greedy_wrong']} wrong greedy answers on the held-out set, the right answer is more probable "
                 f"than the greedy one in only {mb['fixable']} cases ({mb.get('fixable_by_op')}): even an unlimited "
                 f"number of samples could lift accuracy by at most {100 * mb['fixable'] / mb['items']:.1f} points. The "
                 "model's errors are confident: the right answer is almost always less probable than the wrong one it picked. "
                 "Tried during development (ad-hoc probes on the validation slice, not part of the pipeline): "
                 "temperatures 0.5–1.2; an earlier, weaker checkpoint (base step 3000: greedy 63.9%, SC@8 63.3–63.7%); "
                 "a fine-tune that taught the model to spread its probability over digits after a wrong digit "
                 "(greedy 72.6%, SC@8 70.2–71.9%). None gave a gain. The confidence token is the second thought that works "
                 "best for this model; the `?` verifier catches near-miss claims well but only a minority of its own "
                 "wrong drafts (see above).\n")
    L.append("## Training\n")
    sr = ev.get("selfref", {})
    cnt = sr.get("sr_counts", {})
    L.append(f"1. Base: {hp['base_steps']} AdamW steps of {hp['batch']} sequences (peak lr {hp['base_lr']}, cosine), "
             f"{int(100 * (1 - hp['base_verify_frac']))}% solve / {int(100 * hp['base_verify_frac'])}% verify examples; the "
             "confidence slot is trained only as “the answer ends here” (−log(P(<CN>)+P(<UN>))). "
             "Training prompts exclude the held-out and validation sets and a fixed 15% slice of each operator's "
             "pair space reserved for Self-REF.")
    L.append(f"2. Self-REF: the base model answered {hp['sr_prompts']} fresh prompts from the reserved slice greedily and "
             f"{hp['sr_samples']}× at T={sr.get('sr_temperature')}; right answers labelled `<CN>` "
             f"({cnt.get('right')}), wrong `<UN>` ({cnt.get('wrong')}), balanced to {cnt.get('balanced')} examples; then "
             f"{hp['ft_steps']} steps (lr {hp['ft_lr']}) mixing {int(100 * hp['ft_mix'][0])}% self-ref examples (loss on the "
             f"confidence token and `</s>` only), {int(100 * hp['ft_mix'][1])}% verify examples whose claim is one of "
             f"those same sampled answers (e.g. `<s>47*83=3961?` → `3901N`), {int(100 * hp['ft_mix'][2])}% solve and "
             f"{int(100 * hp['ft_mix'][3])}% near-miss verify examples.")
    if timings:
        L.append(f"3. Wall clock of the last full run on a 2-core CPU: " +
                 ", ".join(f"{k} {v / 60:.1f} min" for k, v in timings.items()) + ".")
    L.append("\n## Reference greedy outputs (20 fixed prompts)\n")
    L.append("Completion = decoded text after the prompt, up to but excluding `</s>`; confidence = "
             "P(<CN>)/(P(<CN>)+P(<UN>)) right after the answer. Also in `reference.json`.\n")
    L.append("| prompt | greedy completion | confidence | correct answer |")
    L.append("|---|---|---|---|")
    for f in ev["fixedPrompts"]:
        L.append(f"| `{f['prompt']}` | `{f['completion']}` | {f['confidence']:.3f} | {f['correctAnswer']}"
                 f"{'' if f['answer'] == f['correctAnswer'] else ' (wrong)'} |")
    L.append("\n## Limits\n")
    L.append("Only this arithmetic task; no spaces or other characters in prompts. Multiplication is the weakest "
             "operator. Retrain with `tools/tiny-model/retrain.sh` (see `tools/tiny-model/README.md`).")
    with open(os.path.join(MODEL_DIR, "MODEL_CARD.md"), "w") as f:
        f.write("\n".join(L) + "\n")


STAGES = ["data", "base", "selfref", "eval", "export"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--stage", choices=STAGES, action="append")
    ap.add_argument("--smoke", action="store_true", help="tiny step counts, to test the pipeline end to end")
    args = ap.parse_args()
    torch.set_num_threads(1)
    hp = dict(HP)
    if args.smoke:  # keep the real model, data and checkpoints untouched
        hp.update(SMOKE)
        global WORK, MODEL_DIR, DATA_DIR, HELDOUT, VERIFY_HELDOUT
        WORK = os.path.join(HERE, "work", "smoke")
        MODEL_DIR = os.path.join(WORK, "tiny-arith")
        DATA_DIR = os.path.join(WORK, "data")
        HELDOUT = os.path.join(DATA_DIR, "tiny-arith-heldout.jsonl")
        VERIFY_HELDOUT = os.path.join(DATA_DIR, "tiny-arith-verify-heldout.jsonl")
    os.makedirs(WORK, exist_ok=True)
    stages = STAGES if args.all else (args.stage or [])
    tp = os.path.join(WORK, "timings.json")
    timings = json.load(open(tp)) if (os.path.exists(tp) and not args.all) else {}
    for st in stages:
        t0 = time.time()
        log(f"== stage {st}")
        globals()["stage_" + st](hp)
        timings[st] = time.time() - t0
        json.dump(timings, open(tp, "w"))
    if "export" in stages and timings:
        ev = json.load(open(os.path.join(WORK, "eval.json")))
        model, _ = load(os.path.join(WORK, "final.pt"))
        write_card(model, ev, None, hp)  # again, now with this run's timings
    log("timings (s): " + json.dumps({k: round(v) for k, v in timings.items()}))


if __name__ == "__main__":
    main()
