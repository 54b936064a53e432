"""tiny-reasoner's task: two-operation arithmetic questions (expressions and templated word problems),
step-by-step solution chains with several decompositions, and the instruct-pack conversations
(src/prompts/instruct.ts) built around them.

A question is (form, a, b, c, template). Forms (standard precedence, results never negative):
  "*+" a*b+c   "*-" a*b-c   "+*" c+a*b   "-*" c-a*b   (a 2-3-digit, b 2-digit; c 2-3-digit; in "-*" a 2-digit)
  "++" a+b+c   "+-" a+b-c   "-+" a-b+c   "--" a-b-c   (a, b, c 2-3-digit)
A chain is one equation per line, the last line `Answer: N`. Each line is one binary step; a
multiplication step is decomposed (split either operand, either term order, or round up and subtract),
an addition/subtraction step is done directly, with the operands swapped (+), or by splitting off the
hundreds of the second operand. Methods are drawn at random per example (a 3-digit factor is never split:
its product is worked out through the 2-digit factor's tens and units).

Wherever a reply compares two numbers (verify, critique, review, Wait) it subtracts the smaller from the larger
and reads the difference: "12301-12201=100" then "No". A tiny model that wrote both numbers correctly still could
not tell whether they were equal (revision 3 never said "No"); the subtraction is the arithmetic it is best at,
and the verdict then follows from one nearby token ("=0" or not).
"""
import difflib
import functools
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

FORMS = ["*+", "*-", "+*", "-*", "++", "+-", "-+", "--"]
FORM_WEIGHTS = [0.18, 0.18, 0.12, 0.07, 0.12, 0.12, 0.11, 0.10]
TEMPLATES = {
    # name: (form, text); {a}*{b} is the product, {c} the other number
    "crates": ("*-", "A farmer packs {a} crates of {b} apples and sells {c} apples. How many apples are left?"),
    "boxes": ("*+", "A shop has {a} boxes of {b} pens and {c} loose pens. How many pens does it have?"),
    "packs": ("+*", "Mia has {c} stickers and buys {a} packs of {b} stickers. How many stickers does she have now?"),
    "library": ("+-", "A library has {a} books, gets {b} more and lends out {c}. How many books are left?"),
}
TEMPLATE_FRAC = 0.3
MUL3_FRAC = 0.5  # share of multiplications with a 3-digit first factor (the task's difficulty: see the card)


def _instruct_constants():
    """The instruct pack's prompts, read verbatim from src/prompts/instruct.ts (so the data cannot drift)."""
    src = open(os.path.join(REPO, "src", "prompts", "instruct.ts")).read()
    out = {}
    for name in ["SYSTEM", "CHECKER", "VERIFY_PROMPT", "CRITIQUE_PROMPT", "REFINE_PROMPT", "IOE_REVIEW",
                 "IOE_FOLLOW_UP", "WAIT_NUDGE"]:
        m = re.search(r"(?:export )?const " + name + r"\s*=\s*'((?:[^'\\]|\\.)*)'", src, re.S)
        assert m, name
        out[name] = m.group(1).encode().decode("unicode_escape")
    return out


P = _instruct_constants()


# --------------------------------------------------------------------------- questions
def question_text(q):
    form, a, b, c, tpl = q
    if tpl:
        return TEMPLATES[tpl][1].format(a=a, b=b, c=c)
    return "What is " + expr_text(q) + "?"


def expr_text(q):
    form, a, b, c, _ = q
    return {"*+": f"{a}*{b}+{c}", "*-": f"{a}*{b}-{c}", "+*": f"{c}+{a}*{b}", "-*": f"{c}-{a}*{b}",
            "++": f"{a}+{b}+{c}", "+-": f"{a}+{b}-{c}", "-+": f"{a}-{b}+{c}", "--": f"{a}-{b}-{c}"}[form]


def answer_of(q):
    form, a, b, c, _ = q
    return {"*+": a * b + c, "*-": a * b - c, "+*": c + a * b, "-*": c - a * b,
            "++": a + b + c, "+-": a + b - c, "-+": a - b + c, "--": a - b - c}[form]


def sample_question(rng, template_frac=TEMPLATE_FRAC):
    if rng.random() < template_frac:
        tpl = rng.choice(sorted(TEMPLATES))
        form = TEMPLATES[tpl][0]
    else:
        tpl = None
        form = rng.choices(FORMS, FORM_WEIGHTS)[0]
    while True:
        if "*" in form:
            a, b = rng.randint(10, 99), rng.randint(10, 99)
            if form != "-*" and rng.random() < MUL3_FRAC:
                a = rng.randint(100, 999)
            if form == "-*":
                if a * b >= 990:
                    continue
                c = rng.randint(a * b + 1, 999)
            else:
                c = rng.randint(10, 999)
                if form == "*-" and c > a * b:
                    continue
        else:
            a, b, c = rng.randint(10, 999), rng.randint(10, 999), rng.randint(10, 999)
        q = (form, a, b, c, tpl)
        if answer_of(q) >= 0:
            return q


def qkey(q):
    return q  # the tuple itself; a template question and its expression are different questions


def op_label(q):
    return q[0]


# --------------------------------------------------------------------------- chains
MUL_METHODS = ["sy", "sy_r", "sx", "sx_r", "ry", "rx"]
ADD_METHODS = ["direct", "swap", "split"]


def mul_line(x, y, m):
    """One multiplication step `x*y=...=R` by method m; returns None where m does not apply (a 3-digit x is
    never split or rounded: 140*83 would be a 2-digit-by-2-digit product done in one go)."""
    r = x * y
    if x >= 100 and m in ("sx", "sx_r", "rx"):
        return None
    x1, x0, y1, y0 = 10 * (x // 10), x % 10, 10 * (y // 10), y % 10
    if m in ("sy", "sy_r"):
        if y0 == 0:
            return None
        t = [(f"{x}*{y1}", x * y1), (f"{x}*{y0}", x * y0)]
    elif m in ("sx", "sx_r"):
        if x0 == 0:
            return None
        t = [(f"{x1}*{y}", x1 * y), (f"{x0}*{y}", x0 * y)]
    elif m == "ry":
        if y0 < 6:
            return None
        return f"{x}*{y}={x}*{y1 + 10}-{x}*{10 - y0}={x * (y1 + 10)}-{x * (10 - y0)}={r}"
    elif m == "rx":
        if x0 < 6:
            return None
        return f"{x}*{y}={x1 + 10}*{y}-{10 - x0}*{y}={(x1 + 10) * y}-{(10 - x0) * y}={r}"
    if m.endswith("_r"):
        t = t[::-1]
    return f"{x}*{y}={t[0][0]}+{t[1][0]}={t[0][1]}+{t[1][1]}={r}"


def mul_direct_ok(x, y):
    """A product written in one go: one factor a multiple of ten, and a 1-digit product behind it."""
    return y % 10 == 0 or (x % 10 == 0 and x < 100)


def add_line(x, op, y, m):
    r = x + y if op == "+" else x - y
    if m == "direct":
        return f"{x}{op}{y}={r}"
    if m == "swap":
        if op != "+":
            return None
        return f"{y}+{x}={r}"
    if m == "split":
        h, rest = 100 * (y // 100), y % 100
        if h == 0 or rest == 0:
            return None
        mid = x + h if op == "+" else x - h
        return f"{x}{op}{y}={x}{op}{h}{op}{rest}={mid}{op}{rest}={r}"


def steps_of(q, order):
    """The binary steps of a question as (x, op, y) with placeholders 'R1' for the first result."""
    form, a, b, c, _ = q
    if form == "*+":
        return [(a, "*", b), ("R1", "+", c)]
    if form == "*-":
        return [(a, "*", b), ("R1", "-", c)]
    if form == "+*":
        return [(a, "*", b), (c, "+", "R1")]
    if form == "-*":
        return [(a, "*", b), (c, "-", "R1")]
    if form == "++":
        return [(a, "+", b), ("R1", "+", c)] if order == 0 else [(b, "+", c), (a, "+", "R1")]
    if form == "+-":
        if order == 1 and a >= c:
            return [(a, "-", c), ("R1", "+", b)]
        return [(a, "+", b), ("R1", "-", c)]
    if form == "-+":
        if order == 1:
            return [(a, "+", c), ("R1", "-", b)]
        return [(a, "-", b), ("R1", "+", c)]
    if form == "--":
        if order == 1:
            return [(b, "+", c), (a, "-", "R1")]
        return [(a, "-", b), ("R1", "-", c)]


def all_plans(q):
    """Every (order, method1, method2) that applies to q."""
    plans = []
    for order in (0, 1):
        if order == 1 and q[0] in ("*+", "*-", "+*", "-*"):
            continue
        st = steps_of(q, order)
        if order == 1 and st == steps_of(q, 0):
            continue
        for m1 in (MUL_METHODS if st[0][1] == "*" else ADD_METHODS):
            for m2 in ADD_METHODS:
                plans.append((order, m1, m2))
    out = []
    for p in plans:
        if render(q, p) is not None:
            out.append(p)
    return out


def render_lines(q, plan, r1_override=None):
    """The chain's lines for a plan (values computed correctly; r1_override substitutes a given first result
    into step 2, as a critique that carries corrected values would not, but a draft with a slip would)."""
    order, m1, m2 = plan
    st = steps_of(q, order)
    x, op, y = st[0]
    if op == "*":
        l1 = mul_line(x, y, m1)
        if l1 is None and mul_direct_ok(x, y) and m1 in ("sy", "sy_r", "sx", "sx_r"):
            l1 = f"{x}*{y}={x * y}"
        r1 = x * y
    else:
        l1 = add_line(x, op, y, m1)
        r1 = x + y if op == "+" else x - y
    if l1 is None:
        return None
    if r1_override is not None:
        r1 = r1_override
    x2, op2, y2 = st[1]
    x2 = r1 if x2 == "R1" else x2
    y2 = r1 if y2 == "R1" else y2
    l2 = add_line(x2, op2, y2, m2)
    if l2 is None:
        return None
    r2 = x2 + y2 if op2 == "+" else x2 - y2
    return [l1, l2, f"Answer: {r2}"]


def render(q, plan):
    ls = render_lines(q, plan)
    return None if ls is None else "\n".join(ls)


def plan_family(plan):
    """A plan's first step as a way of working: its order and its first method without the term order (sy and sy_r
    split the same factor, so they share their slips)."""
    return plan[0], plan[1].removesuffix("_r")


def chain_unlike(q, rng, excluded):
    """A chain whose first step works unlike every excluded plan's (another order, another factor split or rounded),
    else one with another first method, else any other plan: a re-check then shares the fewest slips with the
    chains it checks."""
    plans = all_plans(q)
    families = {plan_family(p) for p in excluded}
    for keep in (lambda p: plan_family(p) not in families,
                 lambda p: all(p[:2] != e[:2] for e in excluded),
                 lambda p: p not in excluded):
        fits = [p for p in plans if keep(p)]
        if fits:
            break
    else:
        fits = plans
    p = rng.choice(fits)
    return p, render(q, p)


def random_chain(q, rng, exclude=None):
    plans = all_plans(q)
    if exclude is not None and len(plans) > 1:
        ex = [p for p in plans if p[1:] != exclude[1:] or p[0] != exclude[0]]
        # prefer a different first-step method: its errors are least correlated with the draft's
        diff = [p for p in ex if p[1] != exclude[1]]
        plans = diff or ex or plans
    p = rng.choice(plans)
    return p, render(q, p)


# --------------------------------------------------------------------------- reading model output
ANSWER_RE = re.compile(r"Answer:\s*(-?\d+)")
NUMBER_RE = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def extract_number(text):
    """src/answers/extract.ts extractNumber: the last number in the text, normalised."""
    ms = NUMBER_RE.findall(text)
    if not ms:
        return None
    raw = ms[-1].replace(",", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", raw):
        return None
    neg = raw.startswith("-")
    whole, _, frac = raw.lstrip("-").partition(".")
    whole = re.sub(r"^0+(?=\d)", "", whole)
    frac = frac.rstrip("0")
    body = f"{whole}.{frac}" if frac else whole
    return f"-{body}" if neg and body != "0" else body


POSITIVE = {"yes", "correct", "right", "true", "valid"}
WORD = "(yes|no|correct|incorrect|right|wrong|true|false|valid|invalid)"


def parse_verdict(text):
    """src/prompts/verdicts.ts parseVerdict."""
    t = re.sub(r"\s+", " ", re.sub(r"[*_#`\"'>]", " ", text.lower())).strip()
    lab = re.findall(r"\b(?:verdict|judg(?:e)?ment|assessment)\s*[:=-]\s*" + WORD + r"\b", t)
    if lab:
        return lab[-1] in POSITIVE
    m = re.match(r"^[\s.,:;!-]*" + WORD + r"\b", t)
    if m:
        return m.group(1) in POSITIVE
    if re.search(r"\b(incorrect|not correct|isn't correct|not right|wrong|invalid|mistaken)\b", t):
        return False
    if re.search(r"\b(correct|right|valid)\b", t):
        return True
    return None


def line_results(text):
    """The last number of each non-Answer line (the step results a chain claims)."""
    out = []
    for ln in text.split("\n"):
        if ln.startswith("Answer:"):
            continue
        ns = re.findall(r"-?\d+", ln.replace("--", "-"))
        out.append(int(ns[-1]) if ns else None)
    return out


@functools.lru_cache(maxsize=200000)
def guess_plan(q, text):
    """The plan whose correct rendering looks most like the text (digits masked), for critiques."""
    mask = lambda s: re.sub(r"\d", "#", s)
    best, bs = None, -1.0
    mt = mask(text)
    for p in all_plans(q):
        s = difflib.SequenceMatcher(None, mask(render(q, p)), mt, autojunk=False).ratio()
        if s > bs:
            best, bs = p, s
    return best


# --------------------------------------------------------------------------- pack replies (targets)
def verify_reply(q, claim_text, rng):
    """VERIFY_PROMPT's reply: the question worked out again by another method than the claim's (its slips are
    least correlated with the claim's), the two answers side by side, and the verdict alone on the last line
    ("Yes"/"No", one token each, where the runtime reads P(Yes))."""
    truth = str(answer_of(q))
    claimed = extract_number(claim_text)
    plan = guess_plan(q, claim_text)
    _, mine = random_chain(q, rng, exclude=plan)
    verdict = "Yes" if claimed == truth else "No"
    compared = f"I get {truth}; the proposed answer is {claimed}."
    if comparable(claimed):
        compared += "\n" + difference_line(int(truth), int(claimed))
    return f"{mine.rsplit(chr(10), 1)[0]}\n{compared}\n{verdict}"


def difference_line(x, y):
    """The comparison of two numbers as arithmetic: the larger minus the smaller (`12301-12201=100`; equal: `=0`)."""
    hi, lo = max(x, y), min(x, y)
    return f"{hi}-{lo}={hi - lo}" if lo >= 0 else f"{hi}+{-lo}={hi - lo}"


def comparable(*answers):
    return all(a is not None and re.fullmatch(r"\d+", a) for a in answers)


def critique_reply(q, claim_text):
    truth = answer_of(q)
    claimed = extract_number(claim_text)
    plan = guess_plan(q, claim_text)
    good = render_lines(q, plan)[:2]
    got = line_results(claim_text)
    out = []
    for i, g in enumerate(good):
        want = int(re.findall(r"-?\d+", g)[-1])
        have = got[i] if i < len(got) else None
        if have is None:
            out.append(f"Step {i + 1}: {g}; it has no such step, wrong.")
        else:
            out.append(f"Step {i + 1}: {g}; it has {have}; {difference_line(want, have)}, "
                       + ("right." if have == want else "wrong."))
    ok = claimed == str(truth)
    out.append("Verdict: correct" if ok else "Verdict: incorrect")
    return "\n".join(out), plan


def refine_reply(q, plan):
    return render(q, plan)


CHECK_AGAIN = "Let me check it another way."
DIFFERS = "that differs, so once more."
STAYS = "my answer stays."
NO_ANSWER = "One of them has no answer, so once more."
ONCE_MORE = "Let me solve it once more."


def recheck_reply(draft_answer, chain2, chain2_answer, chain3):
    """Review / Wait body: a second chain by another method, its answer minus the draft's (or the reverse); if that
    is 0, keep; otherwise a third chain decides."""
    s = CHECK_AGAIN + "\n" + chain2.rsplit("\n", 1)[0] + "\n"
    if not comparable(chain2_answer, draft_answer):
        return s + NO_ANSWER + "\n" + chain3
    s += difference_line(int(chain2_answer), int(draft_answer)) + ", "
    if chain2_answer == draft_answer:
        return s + STAYS + "\nAnswer: " + draft_answer
    return s + DIFFERS + "\n" + chain3


# --------------------------------------------------------------------------- conversations
IM_START, IM_END = "<|im_start|>", "<|im_end|>"


def turn(role, content):
    return f"{IM_START}{role}\n{content}{IM_END}\n"


def draft_conv(q):
    return [("system", P["SYSTEM"]), ("user", question_text(q))]


def judged_conv(q, claim_text, instruction):
    return [("system", P["CHECKER"]),
            ("user", f"Question:\n{question_text(q)}\n\nProposed answer:\n{claim_text}\n\n{instruction}")]


def answered_conv(q, claim_text):
    return draft_conv(q) + [("assistant", claim_text)]


def render_prompt(msgs, open_assistant=None):
    """The chat template's text for msgs + the assistant generation prompt (or an open assistant turn)."""
    s = "".join(turn(r, c) for r, c in msgs)
    if open_assistant is not None:
        return s + f"{IM_START}assistant\n" + open_assistant
    return s + f"{IM_START}assistant\n"


def example(prompt_text, reply_text, reply_trained=True):
    """(segments): list of (text, trained). The reply is followed by <|im_end|> (trained)."""
    return [(prompt_text, False), (reply_text + IM_END, reply_trained)]


CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
