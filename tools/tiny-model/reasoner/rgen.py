"""Batched, left-padded generation with the KV cache for tiny-reasoner (torch), and scoring helpers."""
import torch

from tok import PAD, IM_END_ID


def auroc(scores, labels):
    pairs = sorted(zip(scores, labels))
    n_pos = sum(labels)
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        rank_sum += (i + 1 + j) / 2.0 * sum(l for _, l in pairs[i:j])
        i = j
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def _rope(x, cos, sin):
    h = x.shape[-1] // 2
    return x * cos + torch.cat((-x[..., h:], x[..., :h]), dim=-1) * sin


@torch.no_grad()
def fast_generate(model, prompts, max_new=80, temperature=0.0, seed=0, batch=256, first_probs=None, stop=IM_END_ID, watch=None):
    """prompts: list of id lists. Returns the generated id lists (up to, excluding, `stop`). Prompts are sorted by
    length and left padded within a batch; the math is model.forward's, with a preallocated KV cache written in
    place (model.forward concatenates the cache at every step, which dominates the time for long prompts).
    first_probs: token ids whose probabilities at the first generated position are returned too; watch: token ids
    whose probabilities at every generated position are returned (for verdict_p_yes)."""
    import math
    model.eval()
    c = model.config
    g = torch.Generator().manual_seed(seed)
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    out = [None] * len(prompts)
    fp_out = [None] * len(prompts)
    nh, hd = c.num_attention_heads, c.head_dim
    for s in range(0, len(order), batch):
        chunk = order[s:s + batch]
        B = len(chunk)
        L = max(len(prompts[i]) for i in chunk)
        S = L + max_new
        ids = torch.full((B, L), PAD, dtype=torch.long)
        am = torch.zeros(B, S, dtype=torch.long)
        for j, i in enumerate(chunk):
            p = prompts[i]
            ids[j, L - len(p):] = torch.tensor(p)
            am[j, L - len(p):L] = 1
        pos = (am[:, :L].cumsum(1) - 1).clamp(min=0)
        # prefill with the model's own forward, then copy its presents into the cache
        logits, past = model(ids, am[:, :L], pos, None)
        K = [torch.zeros(B, nh, S, hd) for _ in past]
        V = [torch.zeros(B, nh, S, hd) for _ in past]
        for li, (k, v) in enumerate(past):
            K[li][:, :, :L] = k
            V[li][:, :, :L] = v
        del past
        last = logits[:, -1, :]
        if first_probs is not None:
            pr = torch.softmax(last, -1)[:, first_probs].tolist()
            for j, i in enumerate(chunk):
                fp_out[i] = pr[j]
        gen = torch.full((B, max_new), stop, dtype=torch.long)
        done = torch.zeros(B, dtype=torch.bool)
        nextpos = pos[:, -1] + 1
        neg = torch.finfo(torch.float32).min
        watched = []
        for step in range(max_new):
            if watch is not None:
                watched.append(torch.softmax(last, -1)[:, watch])
            if temperature and temperature > 0:
                probs = torch.softmax(last / temperature, dim=-1)
                nxt = torch.multinomial(probs, 1, generator=g).squeeze(1)
            else:
                nxt = last.argmax(-1)
            nxt = torch.where(done, torch.full_like(nxt, stop), nxt)
            gen[:, step] = nxt
            done = done | (nxt == stop)
            if bool(done.all()) or step == max_new - 1:
                break
            cur = L + step
            am[:, cur] = 1
            x = model.embed_tokens(nxt).unsqueeze(1)  # B,1,d
            fr = nextpos.to(torch.float32).unsqueeze(-1) * model.inv_freq
            emb = torch.cat([fr, fr], -1)
            cos, sin = emb.cos()[:, None, None, :], emb.sin()[:, None, None, :]
            maskv = torch.where(am[:, :cur + 1] > 0, 0.0, neg)[:, None, None, :]
            for li, layer in enumerate(model.layers):
                a = layer.self_attn
                hx = layer.input_layernorm(x)
                q = a.q_proj(hx).view(B, 1, nh, hd).transpose(1, 2)
                k = a.k_proj(hx).view(B, 1, nh, hd).transpose(1, 2)
                v = a.v_proj(hx).view(B, 1, nh, hd).transpose(1, 2)
                q, k = _rope(q, cos, sin), _rope(k, cos, sin)
                K[li][:, :, cur:cur + 1] = k
                V[li][:, :, cur:cur + 1] = v
                att = torch.matmul(q, K[li][:, :, :cur + 1].transpose(2, 3)) / math.sqrt(hd) + maskv
                att = torch.softmax(att, -1)
                y = torch.matmul(att, V[li][:, :, :cur + 1]).transpose(1, 2).reshape(B, 1, nh * hd)
                x = x + a.o_proj(y)
                x = x + layer.mlp(layer.post_attention_layernorm(x))
            last = model.lm_head(model.norm(x))[:, -1, :]
            nextpos = nextpos + 1
        gl = gen.tolist()
        wl = torch.stack(watched, 1).tolist() if watch is not None else None  # B, steps, len(watch)
        for j, i in enumerate(chunk):
            row = gl[j]
            out[i] = row[:row.index(stop)] if stop in row else row
            if watch is not None:
                fp_out[i] = wl[j][:len(out[i])]
    if first_probs is not None or watch is not None:
        return out, fp_out
    return out


def verdict_p_yes(ids, probs, yes, no):
    """The runtime's readJudgement (src/prompts/instruct.ts): P(Yes) / (P(Yes) + P(No)) at the last position where
    "Yes" or "No" was written; None where the reply has neither."""
    for k in range(len(ids) - 1, -1, -1):
        if ids[k] in (yes, no):
            a, b = probs[k]
            return a / (a + b) if a + b > 0 else 0.5
    return None
