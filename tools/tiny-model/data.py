"""Vocabulary, task generator, held-out sets and training-example builders for tiny-arith.

Task (fixed): `a+b`, `a-b` with a, b uniform in 0..999; `a*b` with a, b uniform in 0..99;
operators mixed 40% / 30% / 30%. Answer: exact decimal result, `-` prefix for negatives.
"""
import json
import random

SPECIALS = ["<pad>", "<s>", "</s>", "<CN>", "<UN>"]
CHARS = list("0123456789") + ["+", "-", "*", "=", "?", "Y", "N"]
VOCAB = SPECIALS + CHARS
STOI = {t: i for i, t in enumerate(VOCAB)}
PAD, BOS, EOS, CN, UN = 0, 1, 2, 3, 4
Y_ID, N_ID = STOI["Y"], STOI["N"]
OPS = ["+", "-", "*"]
OP_WEIGHTS = [0.4, 0.3, 0.3]
OP_RANGE = {"+": 999, "-": 999, "*": 99}

HELDOUT_SEED = 20261126
VAL_SEED = 20261127
VERIFY_SEED = 20261128
PER_OP_HELDOUT = 1000
PER_OP_VAL = 300


def encode(s):
    """Encode a plain string of task characters (no specials) into ids."""
    return [STOI[ch] for ch in s]


def decode(ids):
    return "".join(VOCAB[i] for i in ids)


def compute(a, op, b):
    return a + b if op == "+" else a - b if op == "-" else a * b


def prompt_str(a, op, b):
    return f"{a}{op}{b}"


def parse_prompt(p):
    for op in OPS:
        if op in p[1:]:
            i = p.index(op, 1)
            return int(p[:i]), op, int(p[i + 1:])
    raise ValueError(p)


def sample_op(rng):
    x = rng.random()
    return "+" if x < 0.4 else "-" if x < 0.7 else "*"


def sample_pair(rng, op):
    hi = OP_RANGE[op]
    return rng.randint(0, hi), rng.randint(0, hi)


def _unique_per_op(seed, n, exclude):
    rng = random.Random(seed)
    out = []
    for op in OPS:
        seen = set()
        while len(seen) < n:
            a, b = sample_pair(rng, op)
            k = (op, a, b)
            if k in seen or k in exclude:
                continue
            seen.add(k)
            out.append(k)
    return out


def heldout_keys():
    return _unique_per_op(HELDOUT_SEED, PER_OP_HELDOUT, set())


def val_keys(heldout):
    return _unique_per_op(VAL_SEED, PER_OP_VAL, set(heldout))


def selfref_bucket(op, a, b):
    """Deterministic 15% slice of each operator's pair space, kept out of base training so that the
    Self-REF labels describe the model on prompts it has never been trained on (like the held-out set)."""
    h = (OPS.index(op) * 1_000_003 + a * 1009 + b) * 2654435761 % (1 << 32)
    return (h >> 8) % 100 < 15


def corrupt(r, rng):
    """A near miss of integer r: one digit changed, off by 1/10/100, or sign flipped (never equal to r)."""
    while True:
        kind = rng.random()
        if kind < 0.35:
            s = str(abs(r))
            i = rng.randrange(len(s))
            choices = [d for d in "0123456789" if d != s[i] and not (i == 0 and d == "0" and len(s) > 1)]
            s = s[:i] + rng.choice(choices) + s[i + 1:]
            c = int(s) * (-1 if r < 0 else 1)
        elif kind < 0.85:
            c = r + rng.choice([1, -1]) * rng.choice([1, 1, 10, 100])
        else:
            c = -r
        if c != r:
            return c


def write_heldout(path_solve, path_verify):
    keys = heldout_keys()
    with open(path_solve, "w") as f:
        for op, a, b in keys:
            f.write(json.dumps({"prompt": prompt_str(a, op, b), "answer": str(compute(a, op, b)), "op": op}) + "\n")
    rng = random.Random(VERIFY_SEED)
    with open(path_verify, "w") as f:
        for op in OPS:
            ks = [k for k in keys if k[0] == op]
            flags = [True] * (len(ks) // 2) + [False] * (len(ks) - len(ks) // 2)
            rng.shuffle(flags)
            for (op_, a, b), ok in zip(ks, flags):
                r = compute(a, op_, b)
                c = r if ok else corrupt(r, rng)
                f.write(json.dumps({"prompt": prompt_str(a, op_, b), "claimed": str(c), "correct": ok,
                                    "answer": str(r), "op": op_}) + "\n")
    return keys


class Generator:
    """Draws training prompts, never from the held-out or validation sets. partition='base' also keeps
    out the Self-REF bucket; partition='selfref' draws only from it."""

    def __init__(self, seed, exclude, partition="base"):
        self.rng = random.Random(seed)
        self.exclude = exclude
        self.partition = partition

    def prompt(self):
        while True:
            op = sample_op(self.rng)
            a, b = sample_pair(self.rng, op)
            if (op, a, b) in self.exclude:
                continue
            if (self.partition == "selfref") != selfref_bucket(op, a, b):
                continue
            return op, a, b


# ---- training examples: (ids, loss_mask, slot_index) -------------------------------------------
# loss_mask[t] = 1 means the prediction made AT position t (of token t+1) is trained.
# slot_index: position whose next token is the confidence slot; trained with -log(P(CN)+P(UN))
# (the answer has ended, either confidence) when the label is unknown. -1 when absent.

def solve_example(op, a, b, rng):
    p = encode(prompt_str(a, op, b) + "=")
    ans = encode(str(compute(a, op, b)))
    slot_tok = CN if rng.random() < 0.5 else UN  # input only: the model learns </s> follows either
    ids = [BOS] + p + ans + [slot_tok, EOS]
    n0 = 1 + len(p)  # index of first answer token
    mask = [0] * len(ids)
    for t in range(n0 - 1, n0 - 1 + len(ans)):
        mask[t] = 1
    slot = n0 + len(ans) - 1  # predicting the slot from here
    mask[slot + 1] = 1  # </s> after the slot
    return ids, mask, slot


def verify_example(op, a, b, rng, claimed=None):
    """`<s>a+b=C?` -> the true result, then Y if C is right else N. C: a near-miss corruption half of the
    time, else the true result; or the given claim (a string, e.g. the model's own answer)."""
    r = str(compute(a, op, b))
    if claimed is None:
        claimed = r if rng.random() < 0.5 else str(corrupt(int(r), rng))
    p = encode(prompt_str(a, op, b) + "=" + claimed + "?")
    tgt = encode(r) + [Y_ID if claimed == r else N_ID]
    ids = [BOS] + p + tgt + [EOS]
    mask = [0] * len(ids)
    for t in range(len(p), len(ids) - 1):
        mask[t] = 1
    return ids, mask, -1


def selfref_example(op, a, b, answer_str, label):
    """The model's own answer (input only, not trained) followed by its label <CN>/<UN> and </s>."""
    p = encode(prompt_str(a, op, b) + "=")
    ans = encode(answer_str)
    ids = [BOS] + p + ans + [label, EOS]
    mask = [0] * len(ids)
    mask[len(ids) - 3] = 1  # predict label
    mask[len(ids) - 2] = 1  # predict </s>
    return ids, mask, -1

