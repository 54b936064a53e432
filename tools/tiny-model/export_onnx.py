"""Export the torch model to ONNX with a KV cache, in the interface transformers.js expects:
inputs input_ids, attention_mask, position_ids, past_key_values.{i}.key/value [batch, heads, past, head_dim];
outputs logits, present.{i}.key/value. Opset 14, dynamic batch / sequence / past axes.
Also writes an int8 weight-only variant (DequantizeLinear per output channel) as model_quantized.onnx."""
import os
import numpy as np
import torch
import onnx
from onnx import helper, numpy_helper, TensorProto


class Wrapper(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model
        self.n = model.config.num_hidden_layers

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(self.n)]
        logits, presents = self.model(input_ids, attention_mask, position_ids, past)
        flat = []
        for k, v in presents:
            flat += [k, v]
        return (logits, *flat)


def export(model, path):
    c = model.config
    model.eval()
    w = Wrapper(model)
    B, T, P = 2, 3, 4
    ids = torch.randint(5, c.vocab_size, (B, T))
    am = torch.ones(B, P + T, dtype=torch.long)
    pos = torch.arange(P, P + T).unsqueeze(0).expand(B, T).contiguous()
    past = []
    in_names = ["input_ids", "attention_mask", "position_ids"]
    out_names = ["logits"]
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
           "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"},
           "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(c.num_hidden_layers):
        for kv in ("key", "value"):
            past.append(torch.randn(B, c.num_key_value_heads, P, c.head_dim))
            n = f"past_key_values.{i}.{kv}"
            o = f"present.{i}.{kv}"
            in_names.append(n)
            out_names.append(o)
            dyn[n] = {0: "batch_size", 2: "past_sequence_length"}
            dyn[o] = {0: "batch_size", 2: "total_sequence_length"}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(w, (ids, am, pos, *past), path, input_names=in_names, output_names=out_names,
                          dynamic_axes=dyn, opset_version=14, do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return path


def quantize_int8(src, dst):
    """Weight-only int8: every 2-D float initializer with >= 1024 elements that feeds a MatMul or Gather is
    stored as int8 with a per-row (Gather) / per-column (MatMul) fp32 scale and restored by DequantizeLinear."""
    m = onnx.load(src)
    g = m.graph
    users = {}
    for node in g.node:
        for i, name in enumerate(node.input):
            users.setdefault(name, []).append((node, i))
    new_inits = []
    new_nodes = []
    for init in list(g.initializer):
        arr = numpy_helper.to_array(init)
        if arr.dtype != np.float32 or arr.ndim != 2 or arr.size < 1024:
            new_inits.append(init)
            continue
        us = users.get(init.name, [])
        kinds = {u.op_type for u, _ in us}
        if not us or not kinds <= {"MatMul", "Gather"} or len(kinds) != 1:
            new_inits.append(init)
            continue
        axis = 0 if "Gather" in kinds else 1
        amax = np.abs(arr).max(axis=1 - axis)
        scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
        shp = (-1, 1) if axis == 0 else (1, -1)
        q = np.clip(np.round(arr / scale.reshape(shp)), -127, 127).astype(np.int8)
        qn, sn, zn = init.name + "_q", init.name + "_scale", init.name + "_zp"
        new_inits += [numpy_helper.from_array(q, qn), numpy_helper.from_array(scale, sn),
                      numpy_helper.from_array(np.zeros_like(scale, dtype=np.int8), zn)]
        new_nodes.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [init.name], axis=axis,
                                          name=init.name + "_dequant"))
    del g.initializer[:]
    g.initializer.extend(new_inits)
    old = list(g.node)
    del g.node[:]
    g.node.extend(new_nodes + old)
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    return dst
