"""The 4-bit grid of tiny-reasoner's q4 variant, in one place: the exporter packs it into MatMulNBits, the
dequantised torch model measures it, and the quantisation-aware stage trains through it."""
import torch

BLOCK = 32
SHRINKS = [1.0] + [round(0.98 - 0.02 * i, 2) for i in range(20)]  # 1.00, 0.98 … 0.60


@torch.no_grad()
def grid(w):
    """w [N, K] (torch Linear layout, K = in features, K % 32 == 0) -> (q uint8 [N, K/32, 32] in 0..15,
    scale float32 [N, K/32], zero point uint8 [N, K/32]): asymmetric 4-bit per block of 32 along K, as ONNX
    Runtime's MatMul4BitsQuantizer (and so onnx-community's q4 files) stores them. Per block, the clipping of the
    min/max range with the least squared error (round-to-nearest with a clip search, as llama.cpp's and AWQ's
    quantizers do): one outlier no longer spends the 16 levels of its block."""
    N, K = w.shape
    assert K % BLOCK == 0, (K, BLOCK)
    wt = w.detach().float().reshape(N, K // BLOCK, BLOCK)
    mn0 = wt.min(-1).values.clamp(max=0.0)
    mx0 = wt.max(-1).values.clamp(min=0.0)
    best = None
    for shrink in SHRINKS:
        mn, mx = mn0 * shrink, mx0 * shrink
        scale = (mx - mn) / 15.0
        scale = torch.where(scale == 0, torch.ones_like(scale), scale)
        zp = torch.clamp(torch.round(-mn / scale), 0, 15)
        q = torch.clamp(torch.round(wt / scale[..., None]) + zp[..., None], 0, 15)
        err = (((q - zp[..., None]) * scale[..., None] - wt) ** 2).sum(-1)
        if best is None:
            best = [scale, zp, q, err]
            continue
        better = err < best[3]
        best = [torch.where(better, scale, best[0]), torch.where(better, zp, best[1]),
                torch.where(better[..., None], q, best[2]), torch.where(better, err, best[3])]
    scale, zp, q, _ = best
    return q.to(torch.uint8), scale, zp.to(torch.uint8)


def dequantise(q, scale, zp):
    """What MatMulNBits multiplies by: [N, K/32, 32] levels back to an [N, K] weight."""
    w = (q.float() - zp.float()[..., None]) * scale[..., None]
    return w.reshape(q.shape[0], -1)


def quantisable(linear):
    return isinstance(linear, torch.nn.Linear) and linear.weight.shape[1] % BLOCK == 0


def fake_quant(w):
    """The 4-bit weight in the forward pass, the full-precision gradient in the backward pass (straight-through)."""
    return w + (dequantise(*grid(w)) - w).detach()
