"""Export tiny-reasoner: fp32 ONNX with the KV cache (tools/tiny-model/export_onnx.py), a 4-bit MatMulNBits
variant written with the onnx package, tokenizer/config files, reference.json and MODEL_CARD.md."""
import json
import math
import os
import sys

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper, TensorProto

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.append(os.path.dirname(HERE))
from export_onnx import export  # noqa: E402
import task as T  # noqa: E402
import tok as TK  # noqa: E402
import q4 as Q4  # noqa: E402
from q4 import BLOCK  # noqa: E402


def q4_blocks(w):
    """w [K, N] float32 -> (packed uint8 [N, K/32, 16], scales float32 [N * K/32], zero points uint8 packed
    [N * ceil(nb/2)]) in MatMulNBits' layout, from the grid in q4.py."""
    K, N = w.shape
    q, scale, zp = (t.numpy() for t in Q4.grid(torch.from_numpy(np.ascontiguousarray(w.T))))
    nb = K // BLOCK
    packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)  # [N, nb, 16], even element in the low nibble
    nzb = (nb + 1) // 2
    zpp = np.zeros((N, nzb), dtype=np.uint8)
    for b in range(nb):
        if b % 2 == 0:
            zpp[:, b // 2] |= zp[:, b]
        else:
            zpp[:, b // 2] |= (zp[:, b] << 4)
    return packed, scale.reshape(-1).astype(np.float32), zpp.reshape(-1)


def quantize_q4(src, dst):
    """Every MatMul whose B input is a 2-D float initializer with K % 32 == 0 becomes com.microsoft
    MatMulNBits (bits 4, block_size 32, with zero points); the embedding Gather stays fp32."""
    m = onnx.load(src)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    users = {}
    for node in g.node:
        for name in node.input:
            users.setdefault(name, []).append(node)
    new_nodes, drop = [], set()
    for node in g.node:
        if node.op_type == "MatMul" and node.input[1] in inits:
            w = numpy_helper.to_array(inits[node.input[1]])
            if w.ndim == 2 and w.dtype == np.float32 and w.shape[0] % BLOCK == 0 and len(users[node.input[1]]) == 1:
                K, N = w.shape
                packed, scales, zps = q4_blocks(w)
                base = node.input[1]
                g.initializer.extend([numpy_helper.from_array(packed, base + "_Q4"),
                                      numpy_helper.from_array(scales, base + "_scales"),
                                      numpy_helper.from_array(zps, base + "_zp")])
                drop.add(base)
                new_nodes.append(helper.make_node("MatMulNBits", [node.input[0], base + "_Q4", base + "_scales", base + "_zp"],
                                                  list(node.output), name=(node.name or base) + "_Q4", domain="com.microsoft",
                                                  K=K, N=N, bits=4, block_size=BLOCK))
                continue
        new_nodes.append(node)
    keep = [i for i in g.initializer if i.name not in drop]
    del g.initializer[:]
    g.initializer.extend(keep)
    del g.node[:]
    g.node.extend(new_nodes)
    if not any(o.domain == "com.microsoft" for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(m, dst)
    return sum(1 for n in new_nodes if n.op_type == "MatMulNBits")


def q4_torch_model(model):
    """A copy of the torch model whose Linear weights are the 4-bit dequantised values (what MatMulNBits computes)."""
    import copy
    m = copy.deepcopy(model)
    with torch.no_grad():
        for mod in m.modules():
            if Q4.quantisable(mod):
                mod.weight.copy_(Q4.dequantise(*Q4.grid(mod.weight)))
    m.eval()
    return m


def tokenizer_files(tk, internal, max_len):
    tj = tk.tokenizer_json(internal["merges"])
    added = {str(a["id"]): {k: v for k, v in a.items() if k != "id"} for a in tj["added_tokens"]}
    cfg = {
        "tokenizer_class": "PreTrainedTokenizer", "bos_token": None, "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>", "unk_token": "<unk>", "padding_side": "left", "add_bos_token": False,
        "add_eos_token": False, "model_max_length": max_len, "clean_up_tokenization_spaces": False,
        "split_special_tokens": False, "errors": "replace", "added_tokens_decoder": added,
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
        "chat_template": T.CHAT_TEMPLATE,
    }
    return tj, cfg


def model_config(MODEL, vocab_size):
    c = {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}
    c.update(MODEL)
    c["vocab_size"] = vocab_size
    c.update({"hidden_act": "silu", "attention_bias": False, "attention_dropout": 0.0, "mlp_bias": False,
              "initializer_range": 0.02, "pretraining_tp": 1, "rope_scaling": None, "use_cache": True,
              "bos_token_id": None, "eos_token_id": TK.IM_END_ID, "pad_token_id": TK.PAD, "torch_dtype": "float32",
              "transformers.js_config": {"dtype": "fp32"}})
    return c


def folder_size(p):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(p) for f in fs)


def export_all(hp, WORK, MODEL_DIR, DATA_DIR, MODEL, TR):
    model, extra = TR.load(os.path.join(WORK, "final.pt"))
    tk = TR.tokenizer()
    internal = json.load(open(os.path.join(WORK, "tokenizer_internal.json")))
    ev = json.load(open(os.path.join(WORK, "eval.json")))
    onnx_dir = os.path.join(MODEL_DIR, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    export(model, os.path.join(onnx_dir, "model.onnx"))
    # the 4-bit file rounds the quantisation-aware copy (stage q4, qat.py) onto the grid, not final.pt itself
    qat_model, qat_extra = TR.load(os.path.join(WORK, "q4.pt"))
    qat_onnx = os.path.join(WORK, "q4_fp32.onnx")
    export(qat_model, qat_onnx)
    nq = quantize_q4(qat_onnx, os.path.join(onnx_dir, "model_q4.onnx"))
    tj, tcfg = tokenizer_files(tk, internal, MODEL["max_position_embeddings"])
    json.dump(tj, open(os.path.join(MODEL_DIR, "tokenizer.json"), "w"), indent=1, ensure_ascii=False)
    json.dump(tcfg, open(os.path.join(MODEL_DIR, "tokenizer_config.json"), "w"), indent=1, ensure_ascii=False)
    json.dump(model_config(MODEL, len(tk.vocab)), open(os.path.join(MODEL_DIR, "config.json"), "w"), indent=1)
    json.dump({"eos_token_id": [TK.IM_END_ID, TK.PAD], "pad_token_id": TK.PAD, "do_sample": False,
               "max_new_tokens": 256}, open(os.path.join(MODEL_DIR, "generation_config.json"), "w"), indent=1)
    # q4 in torch (the same dequantised weights): greedy agreement on the fixed prompts and held-out accuracy
    qm = q4_torch_model(qat_model)
    qfixed = TR.solve(qm, tk, TR.FIXED, batch=1)
    agree = sum(a == f["completion"] for a, f in zip(qfixed, ev["fixed"]))
    qs = [TR.q_from_item(it) for it in TR.read_jsonl(os.path.join(DATA_DIR, TR.HELDOUT_NAME))]
    qd = TR.solve(qm, tk, qs)
    q_ok = [T.extract_number(d) == str(T.answer_of(q)) for d, q in zip(qd, qs)]
    fp = TR.solve(model, tk, qs)
    same = sum(a == b for a, b in zip(qd, fp)) / len(qs)
    same_answer = lambda xs, ys: sum(T.extract_number(a) == T.extract_number(b) for a, b in zip(xs, ys)) / len(xs)
    q4 = {"matmulnbits_nodes": nq, "fixed_agreement": agree / len(TR.FIXED), "heldout_greedy": sum(q_ok) / len(qs),
          "fixed_answer_agreement": same_answer(qfixed, [f["completion"] for f in ev["fixed"]]),
          "heldout_same_completion_as_fp32": same, "heldout_same_answer_as_fp32": same_answer(qd, fp),
          "qat_step": qat_extra.get("q4_step"), "qat_history": qat_extra.get("history"), "qat_s": qat_extra.get("q4_s"),
          "fixed_completions": qfixed}
    ev["q4"] = q4
    json.dump(ev, open(os.path.join(WORK, "eval.json"), "w"), indent=1)
    print(f"q4 (torch, dequantised weights): fixed agreement {agree}/20, held-out greedy {q4['heldout_greedy']:.4f} "
          f"vs fp32 {ev['greedy']:.4f}, identical completions {same:.4f}", flush=True)
    r4 = lambda x: None if x is None or (isinstance(x, float) and math.isnan(x)) else round(x, 4)
    ref = {
        "model": "tiny-reasoner",
        "heldout": "public/data/" + TR.HELDOUT_NAME,
        "heldoutN": ev["n"],
        "scTemperature": ev["sc_temperature"],
        "greedy": {"accuracy": r4(ev["greedy"]), "byOp": ev["greedy_breakdown"]["op"], "byTemplate": ev["greedy_breakdown"]["template"]},
        "sc8": {"accuracy": r4(ev["sc8"]), "byOp": ev["sc8_breakdown"]["op"]},
        "sc16": {"accuracy": r4(ev["sc16"])},
        "oracle8": r4(ev["oracle8"]),
        "sampleAccuracy": r4(ev["sample_accuracy"]),
        "verifyAuroc": r4(ev["verify_auroc"]),
        "verifyAccuracy": r4(ev["verify_accuracy"]),
        "verifierBestOf8": {"accuracy": r4(ev["verifier_best_of_8"]), "n": ev["verifier_best_of_8_n"]},
        "wait": r4(ev["wait"]),
        "ioe": r4(ev["ioe"]),
        "reviewOnly": r4(ev["review"]),
        "refineRaw": r4(ev["refine_raw"]),
        "critiqueVerdictAccuracy": r4(ev["critique_verdict_accuracy"]),
        "parseRates": {k: r4(v) for k, v in ev["parse_rates"].items()},
        "tokenCounts": ev["token_counts"],
        "q4": {k: (r4(v) if isinstance(v, float) else v) for k, v in q4.items() if k not in ("fixed_completions", "qat_history")},
        "fixedPrompts": [{"messages": f["messages"], "completion": f["completion"], "answer": f["answer"],
                          "correctAnswer": f["correctAnswer"], "q4Completion": qc} for f, qc in zip(ev["fixed"], qfixed)],
    }
    json.dump(ref, open(os.path.join(MODEL_DIR, "reference.json"), "w"), indent=1, ensure_ascii=False)
    import card
    card.write(os.path.join(MODEL_DIR, "MODEL_CARD.md"), model, ev, ref, hp, WORK, MODEL, folder_size)
    print(f"exported to {MODEL_DIR} ({folder_size(MODEL_DIR) / 1e6:.2f} MB)", flush=True)
