"""tiny-reasoner's tokenizer: a BPE vocabulary trained with Debian's sentencepiece (spm_train, model_type bpe,
split_digits) on the task's conversations, written as a Hugging Face `tokenizer.json` (model BPE with merges,
as Hugging Face's own SentencePiece converter derives them: every split of a piece into two pieces, ranked by
the piece's id) that transformers.js loads, and the same BPE encoder in Python for training.

Layout: 0 <unk>, 1 <|im_start|>, 2 <|im_end|>, 3 <|endoftext|> (pad), 4 "\\n" (an added token, so newlines
are always one token), then every character, then the learned pieces. Spaces become "▁" (normalizer), a piece
is "▁"? followed by letters only, or punctuation only, or one character; digits are always single tokens.
"Yes" and "No" are pieces of their own (the runtime reads P(Yes) / (P(Yes) + P(No)))."""
import json
import os
import re
import unicodedata

SPECIALS = ["<unk>", "<|im_start|>", "<|im_end|>", "<|endoftext|>"]
NEWLINE = "\n"
UNK, IM_START_ID, IM_END_ID, PAD = 0, 1, 2, 3
NL = 4
SPACE = "\u2581"
REQUIRED = ["Yes", "No", "Answer", "Verdict", "Wait"]


def piece_ok(p):
    body = p[1:] if p.startswith(SPACE) else p
    if len(p) == 1:
        return True
    if not body or SPACE in body:
        return False
    if any(ch.isdigit() for ch in body):
        return False
    if all(ch.isalpha() for ch in body):
        return True
    if all(not ch.isalnum() for ch in body) and not p.startswith(SPACE):
        return True
    return False


def train(corpus_lines, work, vocab_size=640, seed_text=""):
    """corpus_lines: strings without newlines/specials. Returns the tokenizer dict (our own format)."""
    import sentencepiece as spm
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "spm_corpus.txt")
    with open(path, "w") as f:
        for l in corpus_lines:
            if l:
                f.write(l + "\n")
    prefix = os.path.join(work, "spm")
    spm.SentencePieceTrainer.train(
        input=path, model_prefix=prefix, model_type="bpe", vocab_size=vocab_size, character_coverage=1.0,
        split_digits=True, normalization_rule_name="identity", add_dummy_prefix=False,
        remove_extra_whitespaces=False, byte_fallback=False, num_threads=1, minloglevel=2,
        unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1, input_sentence_size=0, shuffle_input_sentence=False)
    sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    chars = sorted({ch for l in corpus_lines for ch in l.replace(" ", SPACE)} | set("0123456789") | {SPACE})
    vocab = list(SPECIALS) + [NEWLINE]
    seen = set(vocab)
    for ch in chars:
        if ch not in seen:
            vocab.append(ch)
            seen.add(ch)
    for p in pieces[1:]:
        if p not in seen and piece_ok(p):
            vocab.append(p)
            seen.add(p)
    for r in REQUIRED:  # ensure reachable: add prefixes so that each has a two-piece split
        for k in range(2, len(r) + 1):
            if r[:k] not in seen:
                vocab.append(r[:k])
                seen.add(r[:k])
    return build(vocab)


def build(vocab):
    ids = {p: i for i, p in enumerate(vocab)}
    merges = []
    for i, p in enumerate(vocab):
        if i <= NL or len(p) < 2:
            continue
        for k in range(1, len(p)):
            l, r = p[:k], p[k:]
            if l in ids and r in ids:
                merges.append((l, r, i))
    # Hugging Face's SentencePieceExtractor orders merges by the merged piece's id (then the left piece's id)
    merges.sort(key=lambda m: (m[2], ids[m[0]], ids[m[1]]))
    return {"vocab": vocab, "merges": [(l, r) for l, r, _ in merges]}


class Tokenizer:
    def __init__(self, t):
        self.vocab = t["vocab"]
        self.ids = {p: i for i, p in enumerate(self.vocab)}
        self.ranks = {(l, r): k for k, (l, r) in enumerate(t["merges"])}
        self.cache = {}
        self.split_re = re.compile("(" + "|".join(re.escape(s) for s in SPECIALS[1:] + [NEWLINE]) + ")")

    def _bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        syms = list(word)
        while len(syms) > 1:
            best, bi = None, -1
            for i in range(len(syms) - 1):
                rk = self.ranks.get((syms[i], syms[i + 1]))
                if rk is not None and (best is None or rk < best):
                    best, bi = rk, i
            if best is None:
                break
            pair = (syms[bi], syms[bi + 1])
            out, i = [], 0
            while i < len(syms):  # merge every occurrence of the pair, left to right
                if i < len(syms) - 1 and (syms[i], syms[i + 1]) == pair:
                    out.append(syms[i] + syms[i + 1])
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            syms = out
        res = [self.ids.get(s, UNK) for s in syms]
        self.cache[word] = res
        return res

    def encode(self, text):
        out = []
        for part in self.split_re.split(text):
            if not part:
                continue
            if part in self.ids and (part in SPECIALS or part == NEWLINE):
                out.append(self.ids[part])
            else:
                out += self._bpe(part.replace(" ", SPACE))
        return out

    def decode(self, ids):
        return "".join(self.vocab[i] for i in ids).replace(SPACE, " ")

    def tokenizer_json(self, merges):
        added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                  "normalized": False, "special": True} for i, t in enumerate(SPECIALS)]
        added.append({"id": NL, "content": NEWLINE, "single_word": False, "lstrip": False, "rstrip": False,
                      "normalized": False, "special": False})
        return {
            "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
            "normalizer": {"type": "Replace", "pattern": {"String": " "}, "content": SPACE},
            "pre_tokenizer": None,
            "post_processor": None,
            "decoder": {"type": "Sequence", "decoders": [
                {"type": "Replace", "pattern": {"String": SPACE}, "content": " "}, {"type": "Fuse"}]},
            "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": self.ids, "merges": [f"{l} {r}" for l, r in merges]},
        }


def save(t, path):
    json.dump(t, open(path, "w"), ensure_ascii=False)


def load(path):
    return Tokenizer(json.load(open(path)))
