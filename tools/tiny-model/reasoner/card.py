"""MODEL_CARD.md for tiny-reasoner, filled from eval.json / reference.json (+ card_notes.md, the hand-written
analysis of the last full run, if present)."""
import random
import json
import math
import os

import task as T

HERE = os.path.dirname(os.path.abspath(__file__))


def pct(x):
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def pts(a, b):
    return f"{100 * (a - b):+.1f}"


def write(path, model, ev, ref, hp, WORK, MODEL, folder_size):
    timings = {}
    tp = os.path.join(WORK, "timings.json")
    if os.path.exists(tp):
        timings = json.load(open(tp))
    c = model.config
    n_params = sum(p.numel() for p in model.parameters())
    g = ev["greedy"]
    L = []
    L.append("# tiny-reasoner\n")
    L.append("A " + f"{c.num_hidden_layers}-layer llama ({n_params / 1e6:.2f}M parameters, d={c.hidden_size}, {c.num_attention_heads} heads, "
             f"vocab {c.vocab_size}, context {c.max_position_embeddings}) trained from scratch on this repository's 2-core CPU "
             "to answer two-operation arithmetic questions **in steps**, and to speak the runtime's instruct prompt pack "
             "(`src/prompts/instruct.ts`, ChatML chat template) — so that voting, verification, critique/refine, IoE and "
             "\"Wait\" act on a real model's reasoning chains. Retrain: `tools/tiny-model/reasoner/retrain.sh` "
             "(see `tools/tiny-model/reasoner/README.md`).\n")
    L.append("## Task and formats\n")
    L.append("Questions: `What is 47*83+129?` or `What is 382*47+615?` — forms `a*b+c`, `a*b-c`, `c+a*b`, `c-a*b` (a 2-digit, "
             f"or 3-digit in {T.MUL3_FRAC:.0%} of the multiplications and never in `c-a*b`; b 2-digit; c 2–3-digit) and "
             "`a+b+c`, `a+b-c`, `a-b+c`, `a-b-c` (2–3-digit), results never negative — and 30% templated word problems "
             "with the same arithmetic:\n")
    for name, (form, text) in sorted(T.TEMPLATES.items()):
        L.append(f"- `{name}` ({form}): {text}")
    q = ("*+", 47, 83, 129, None)
    L.append("\nAnswers: one equation per line, the final line `Answer: N` (the runtime's number extractor reads the last "
             "number). Each training example draws one of several valid decompositions at random (split either factor, "
             "either term order, round up and subtract; a 3-digit factor is never split, its product goes through the "
             "2-digit factor's tens and units; add/subtract directly, with swapped operands, or by splitting off "
             "the hundreds; for `a+b+c`-like forms either grouping), so samples of one question take different paths and "
             "their slips land in different steps. Some of the decompositions of `47*83+129`:\n")
    for p in T.all_plans(q)[:4]:
        L.append("```\n" + T.render(q, p) + "\n```")
    q3 = ("*+", 382, 47, 615, None)
    L.append("\nand of `382*47+615`:\n")
    for p in [p for p in T.all_plans(q3) if p[2] == "direct"][:3]:
        L.append("```\n" + T.render(q3, p) + "\n```")
    L.append("\nThe pack's replies it was trained on (targets built from its own sampled answers). Wherever a reply compares two "
             "numbers it subtracts the smaller from the larger and reads the difference (`4130-4030=100`, so not equal): "
             "revision 3 wrote both numbers right and still could not tell whether they were equal (it never said "
             "\"No\"), and subtraction is the arithmetic the model already does.\n")
    claim = "47*83=47*80+47*3=3760+141=3901\n3901+129=4130\nAnswer: 4130"
    L.append("- verify (`VERIFY_PROMPT`: its own working by another method, then the verdict alone on the last line, `Yes`/`No`, "
             "each one vocabulary entry, where P(Yes) is read): `" + T.verify_reply(q, claim, random.Random(0)).replace("\n", "⏎") + "`")
    L.append("- critique (`CRITIQUE_PROMPT`): `" + T.critique_reply(q, claim)[0].replace("\n", "⏎") + "`")
    L.append("- refine (`REFINE_PROMPT` after the feedback): a corrected chain by the claim's own method, ending `Answer: N`.")
    L.append(f"- IoE review (`IOE_REVIEW`): `{T.CHECK_AGAIN}` + a second chain by another method, then its answer and "
             f"the draft's subtracted; if the difference is 0: `…=0, {T.STAYS}` + `Answer: N`; if not: `…=100, {T.DIFFERS}` "
             "+ a third chain, whose answer is final.")
    L.append(f"- IoE reconcile (`IOE_FOLLOW_UP`): `{T.ONCE_MORE}` + a fresh chain.")
    L.append("- Wait: the open turn `…draft\\n\\nWait,` continues ` let me check it another way.` + a second chain, then "
             "the same keep / once-more rule as the review, ending `Answer: N`.")
    L.append("\n## Figures (held-out set, PyTorch fp32; the Node check reproduces greedy through transformers.js)\n")
    L.append(f"Held-out: `public/data/tiny-reasoner-heldout.jsonl`, {ev['n']} questions never trained on (nor the "
             f"same numbers in the same form as a word problem, or vice versa). Sampling temperature {ev['sc_temperature']} (the best "
             f"SC@8 of {', '.join(f'T={k}: {pct(v)}' for k, v in ev['val_sc8_scan'].items())} on a 300-question validation slice). "
             f"The model is the last checkpoint of the last fine-tune cycle, {ev.get('ft_step')} (validation greedy "
             f"{pct(ev.get('val_greedy'))}).\n")
    rows = [
        ("greedy", pct(g), "45–80%"),
        ("SC@8 (majority of 8 samples)", f"{pct(ev['sc8'])} ({pts(ev['sc8'], g)})", "≥ greedy + 6"),
        ("SC@16", f"{pct(ev['sc16'])} ({pts(ev['sc16'], ev['sc8'])} vs SC@8)", "≥ SC@8"),
        ("oracle@8 (right answer among 8 samples)", pct(ev["oracle8"]), "≥ 97% (verifier Best-of-8 ceiling)"),
        ("single-sample accuracy", pct(ev["sample_accuracy"]), ""),
        ("verify AUROC of P(Yes) for \"greedy answer right\"", f"{ev['verify_auroc']:.3f}", "≥ 0.80"),
        ("verify accuracy (P(Yes) ≥ 0.5)", pct(ev["verify_accuracy"]), ""),
        (f"verifier Best-of-8 by P(Yes) ({ev['verifier_best_of_8_n']} questions; oracle@8 on them {pct(ev['oracle8_on_bo8_slice'])}, "
         f"greedy {pct(ev['greedy_on_bo8_slice'])})", pct(ev["verifier_best_of_8"]), "≥ 97%"),
        ("Wait (answer after the open-turn re-check)", f"{pct(ev['wait'])} ({pts(ev['wait'], g)})", "≥ greedy + 2"),
        ("IoE (review, reconcile where it changed)", f"{pct(ev['ioe'])} ({pts(ev['ioe'], g)})", "≥ greedy (with the trust rule)"),
        ("IoE review alone", f"{pct(ev['review'])} ({pts(ev['review'], g)})", ""),
        ("refine after its own critique (raw, no trust rule)", f"{pct(ev['refine_raw'])} ({pts(ev['refine_raw'], g)})", "≥ greedy (with the trust rule)"),
        ("critique verdict right about the greedy draft", pct(ev["critique_verdict_accuracy"]), ""),
    ]
    L.append("| figure | value | target |\n|---|---|---|")
    for r in rows:
        L.append(f"| {r[0]} | {r[1]} | {r[2]} |")
    L.append("\nParse rates of each pack step on the greedy drafts of the held-out set (Python re-implementations of "
             "`parseVerdict` / `extractNumber`; target ≥ 95%):\n")
    L.append("| step | parses |\n|---|---|")
    for k, v in ev["parse_rates"].items():
        L.append(f"| {k} | {pct(v)} |")
    L.append(f"\n(reconcile was asked on the {ev['reconcile_n']} questions whose review changed the answer.)\n")
    L.append("### Per operator / template\n")
    gb, s8, s16, wb = ev["greedy_breakdown"], ev["sc8_breakdown"], ev["sc16_breakdown"], ev["wait_breakdown"]
    L.append("| form | n | greedy | SC@8 | SC@16 | Wait | verify AUROC |\n|---|---|---|---|---|---|---|")
    for k in gb["op"]:
        au = ev["verify_auroc_breakdown"].get(k)
        L.append(f"| `{k}` | {gb['op_n'][k]} | {pct(gb['op'][k])} | {pct(s8['op'][k])} | {pct(s16['op'][k])} | {pct(wb['op'][k])} | "
                 f"{'n/a' if au is None or (isinstance(au, float) and math.isnan(au)) else f'{au:.3f}'} |")
    L.append("\n| template | n | greedy | SC@8 | SC@16 | Wait |\n|---|---|---|---|---|---|")
    for k in gb["template"]:
        L.append(f"| {k} | {gb['template_n'][k]} | {pct(gb['template'][k])} | {pct(s8['template'][k])} | {pct(s16['template'][k])} | {pct(wb['template'][k])} |")
    q4 = ev.get("q4", {})
    L.append("\n## 4-bit variant (`onnx/model_q4.onnx`, dtype `q4`)\n")
    L.append(f"Every MatMul weight ({q4.get('matmulnbits_nodes')}: the seven projections of each layer and the LM head) is stored as "
             "com.microsoft `MatMulNBits` (bits 4, block_size 32, asymmetric with packed uint8 zero points, fp32 scales), "
             "the layout ONNX Runtime's `MatMul4BitsQuantizer` writes for onnx-community's q4 files; written with the `onnx` "
             "package (`export.py`); the embedding stays fp32. ")
    hist = q4.get("qat_history") or []
    if hist:
        first, chosen = hist[0], next((h for h in hist if h[0] == q4.get("qat_step")), hist[-1])
        L.append("The rounded weights are those of a quantisation-aware copy of the model (stage `q4`, `qat.py`): final.pt "
                 f"fine-tuned for {hp['q4_steps']} steps (lr {hp['q4_lr']:g}, batch {hp['ft_batch']}) with every Linear weight seen "
                 "through the 4-bit grid in the forward pass (straight-through gradient), to match final.pt's next-token "
                 "distributions (KL) on its own greedy chains for fresh training questions and on the pack's conversations. On the "
                 f"{hp['q4_val_n']} validation questions, greedy completions identical to fp32's went from {pct(first[1])} "
                 f"(final.pt rounded to nearest) to {pct(chosen[1])} (step {chosen[0]}, the best), the same answer from "
                 f"{pct(first[2])} to {pct(chosen[2])}; that stage took {q4.get('qat_s', 0) / 60:.1f} min. final.pt and "
                 "`model.onnx` are untouched. ")
    L.append("Measured in PyTorch with the same dequantised weights: "
             f"greedy completions equal to fp32 on {pct(q4.get('fixed_agreement'))} of the 20 reference prompts and the same "
             f"answer on {pct(q4.get('fixed_answer_agreement'))}; held-out greedy {pct(q4.get('heldout_greedy'))} vs fp32 "
             f"{pct(g)} ({pts(q4.get('heldout_greedy', 0), g)} points), identical held-out completions "
             f"{pct(q4.get('heldout_same_completion_as_fp32'))}, the same answer on {pct(q4.get('heldout_same_answer_as_fp32'))}. "
             "`check-onnx.mjs --dtype q4` measures the same through transformers.js (onnxruntime-node).\n")
    sizes = {f: os.path.getsize(os.path.join(os.path.dirname(path), "onnx", f)) for f in sorted(os.listdir(os.path.join(os.path.dirname(path), "onnx")))}
    L.append("Files: " + ", ".join(f"`onnx/{k}` {v / 1e6:.2f} MB" for k, v in sizes.items()) +
             f"; folder total {folder_size(os.path.dirname(path)) / 1e6:.2f} MB.\n")
    L.append("## Token counts per conversation type (held-out, prompt + reply; max / mean)\n")
    L.append("| conversation | max | mean |\n|---|---|---|")
    for k, v in ev["token_counts"].items():
        if v:
            L.append(f"| {k} | {v['max']} | {v['mean']} |")
    L.append(f"\nContext (`max_position_embeddings`) is {c.max_position_embeddings}; the runtime's `maxTokens` "
             "(draft 512) is clipped to the context left.\n")
    L.append("## Tokenizer\n")
    L.append("BPE vocabulary trained with Debian's sentencepiece (`spm_train --model_type bpe --split_digits`) on the task's "
             "conversations, written as a Hugging Face `tokenizer.json` (BPE with merges derived from the vocabulary the way "
             "Hugging Face's SentencePiece converter does; spaces as `▁` by a `Replace` normalizer; `\\n`, `<|im_start|>`, "
             "`<|im_end|>` added tokens). Digits are one token each; pieces are letter words (optionally `▁`-prefixed) or "
             "punctuation, so `Yes` and `No` are single tokens however they are followed. `<|im_end|>` ends a turn "
             "(eos), `<|endoftext|>` pads. The Python encoder used for training is checked against transformers.js on "
             "2,100 conversations (identical ids, lossless decode).\n")
    L.append("## Training (one command, fixed seeds)\n")
    L.append(f"1. arith: {hp['arith_steps']} AdamW steps × {hp['arith_batch']} compact examples (question ⏎ chain, no chat "
             f"wrapper), lr {hp['arith_lr']} cosine, from scratch; then base: {hp['base_steps']} steps × {hp['batch']} chat "
             f"drafts (system prompt + question → chain), lr {hp['base_lr']} cosine; loss on the chain / assistant reply "
             "only; the prefix every row of a batch shares (the system prompt) runs once and is broadcast to the rows.")
    L.append(f"2. own answers: the base model answers {hp['sample_n']} fresh questions greedily and {hp['sample_k']}× at "
             f"T={hp['sample_T']}.")
    mix = lambda m: ", ".join(f"{k} {int(round(100 * v))}%" for k, v in zip(["draft", "verify", "critique", "refine", "review", "reconcile", "wait"], m))
    L.append(f"3. pack fine-tune: {hp['ft_steps']} steps × {hp['ft_batch']}, lr {hp['ft_lr']}, mix {mix(hp['ft_mix'])}; "
             "verify/critique/refine/review/wait are built on the model's own answers (half of them wrong ones), "
             "their targets re-compute the steps; a second own sample serves as the review/Wait re-check (its tokens "
             f"are trained only when it is right). Then `ft2`: {hp['ft2_steps']} steps at lr {hp['ft2_lr']}, mix "
             f"{mix(hp['ft2_mix'])}; `ft3`: {hp['ft3_steps']} steps at lr {hp['ft3_lr']}, mix {mix(hp['ft3_mix'])}, "
             f"{int(round(100 * hp['ft3_revision_share']))}% of its verify claims being revisions as the runtime's trust rule "
             "hands them to `VERIFY_PROMPT` (a draft with its Wait continuation, an IoE review). Each cycle starts from "
             "the last one's final checkpoint.")
    if timings:
        L.append("4. Wall clock of each stage's last run on the idle machine: " + ", ".join(f"{k} {v / 60:.1f} min" for k, v in timings.items()) +
                 f" (total {sum(timings.values()) / 60:.1f} min, before the Node checks).")
    notes = os.path.join(HERE, "card_notes.md")
    if os.path.exists(notes):
        L.append("\n" + open(notes).read().strip() + "\n")
    L.append("\n## Reference greedy outputs (20 fixed prompts, with the pack's system prompt)\n")
    L.append("Also in `reference.json` (`messages`, `completion`, and the q4 model's completion).\n")
    L.append("| question | greedy completion | right answer | q4 same |\n|---|---|---|---|")
    for f in ref["fixedPrompts"]:
        comp = f["completion"].replace("\n", "⏎")
        L.append(f"| {f['messages'][-1]['content']} | `{comp}` | {f['correctAnswer']}{'' if f['answer'] == f['correctAnswer'] else ' (wrong)'} | "
                 f"{'yes' if f['q4Completion'] == f['completion'] else 'no'} |")
    with open(path, "w") as fh:
        fh.write("\n".join(L) + "\n")
