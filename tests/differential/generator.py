"""A seeded generator of well-formed Klong expressions.

Every expression is one line that parses in kg: a noun (a literal of some value kind, or a
parenthesised expression), a verb applied monadically or dyadically, or a verb or function
with an adverb. It covers every verb in both valences, every adverb and every value kind:
integers, bignums, reals, characters, strings, symbols, empty lists, uniform, mixed, nested
and ragged lists, dictionaries, and functions and projections.

Counts and sizes stay small by construction (no `!10^9`), and converging adverbs only get
functions that do converge, so that neither interpreter is asked to run for long. Nothing is
assigned, so one interpreter can evaluate them all.
"""
import random

NOUNS = {
    "int": ["0", "1", "2", "3", "5", "-1", "-4", "10", "7"],
    "bignum": ["12345678901234567890", "-98765432109876543210", "9223372036854775807",
               "100000000000000000000"],
    "real": ["0.5", "1.5", "-2.25", "3.0", "0.1", "2.5e3", "1e-5", "100.0", "3.14159"],
    "char": ["0ca", "0cb", "0cz", "0c0", "0c "],
    "string": ['""', '"a"', '"abc"', '"hello"', '"a""b"', '"ba"', '"1 2"'],
    "symbol": [":a", ":foo", ":b"],
    "empty": ["[]", '""'],
    "int list": ["[1 2 3]", "[3 1 2 1]", "[0 5 -2]", "[1]", "[2 2]", "[4 0 1 3]"],
    "real list": ["[1.5 2.5]", "[0.5 0.25 4.0]", "[2.0]"],
    "mixed numbers": ["[1 2.5]", "[10 0.5]", "[1 2.0 3]", "[1 12345678901234567890]"],
    "char list": ["[0ca 0cb]", "[0cx]", "[0ca 0cb 0ca]"],
    "string list": ['["ab" "cd"]', '["a" "bcd" ""]', '["x"]'],
    "symbol list": ["[:a :b :c]", "[:b :a]"],
    "nested": ["[[1 2] [3 4]]", "[[1 2 3] [4 5 6]]", "[[1.5 2] [3 4]]", "[[[1 2] [3 4]]]",
               '[["ab" "cd"] ["ef" "gh"]]'],
    "ragged": ["[1 [2 3] []]", "[[1] [2 3]]", '[1 "a" :b 0cc]', "[[] []]", "[[1 2] 3]",
               '[1 ["a" [2]]]', "[[]]"],
    "dict": [":{[1 2] [3 4]}", ':{[:a 1] [:b "x"]}', ":{}", ':{["k" [1 2]]}'],
    "function": ["{x+1}", "{x*y}", "{x,y}", "{x}", "{y}", "{1}", "{x+y}(;1)", "{x,y}(1;)",
                 "{x;y;z}"],
}
KINDS = list(NOUNS)

# every verb; the monadic and dyadic meanings share the symbol
MONADS = ["~", "!", "@", ":#", "$", "&", "*", "_", ">", "<", "=", "^", ",", "?", "%", "|",
          "-", "+", "#", ":_"]
DYADS = [":=", ":-", ":_", "%", "_", ",", "=", "?", "|", "&", "-", ">", ":$", "!", "$", "<",
         ":@", ":%", ":^", ":+", ":#", "#", "*", "~", "+", "^", "@"]

# functions for adverbs: verbs and lambdas of each arity
MONADIC_FUNCS = MONADS + ["{x+1}", "{x,x}", "{#x}", "{x}", "{,x}", "{-x}"]
DYADIC_FUNCS = [d for d in DYADS if d not in (":=", ":-")] + ["{x+y}", "{x,y}", "{x~y}",
                                                              "{y}", "{x*y}(;2)"]
# monads that reach a fixed point from the nouns above, for converge
CONVERGING = ["*", "{_x%2}", "{x&5}", "{x|3}", "#", "^", "{*x}", "@", ":_"]
# (predicate, step) pairs that stop, for while
WHILE_PAIRS = [("{x<100}", "{x*2}"), ("{x<10}", "{x+3}"), ("{3>#x}", "{x,1}"),
               ("{x>1}", "{_x%2}"), ("{~@x}", "*"), ("{x<5}", "{x+1}")]

ADVERB_FORMS = [
    "m'x",      # each
    "x d'y",    # each-2
    "d/x",      # over
    "x d/y",    # over-neutral
    "d\\x",     # scan-over
    "x d\\y",   # scan-over-neutral
    "d:'x",     # each-pair
    "x d:\\y",  # each-left
    "x d:/y",   # each-right
    "c:~x",     # converge
    "p w:~x",   # while
    "n m:*x",   # iterate
    "c\\~x",    # scan-converging
    "p w\\~x",  # scan-while
    "n m\\*x",  # scan-iterating
]
ADVERBS = ["'", "/", "\\", ":'", ":\\", ":/", ":~", ":*", "\\~", "\\*"]


class Generator:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def noun(self, depth=0, kind=None):
        r = self.r
        if depth > 0 and kind is None and r.random() < 0.35:
            return "(" + self.expr(depth - 1) + ")"
        kind = kind or r.choice(KINDS)
        return r.choice(NOUNS[kind])

    def operand(self, depth):
        """A noun, or for a function literal on the left of a dyad, one in parentheses."""
        text = self.noun(depth)
        return "(" + text + ")" if text.startswith("{") else text

    def monad(self, depth):
        return self.r.choice(MONADS) + self.noun(depth)

    def dyad(self, depth):
        return self.operand(depth) + self.r.choice(DYADS) + self.noun(depth)

    def adverb(self, depth):
        r = self.r
        form = r.choice(ADVERB_FORMS)
        parts = {
            "m": r.choice(MONADIC_FUNCS),
            "d": r.choice(DYADIC_FUNCS),
            "c": r.choice(CONVERGING),
            "n": str(r.randint(0, 3)),
            "x": self.operand(depth),
            "y": self.noun(depth),
        }
        if "w" in form:
            parts["p"], parts["w"] = r.choice(WHILE_PAIRS)
            parts["x"] = r.choice(["1", "3", "7", "2"])    # where every pair stops
        out = ""
        for ch in form:
            out += parts.get(ch, ch)
        return out

    def application(self, depth):
        """A function applied to arguments, or a projection of one."""
        r = self.r
        f = r.choice(["{x+1}", "{x,y}", "{x;y;z}", "{x*y}", "{x+y}(;1)", "{[a];a::x;a,a}",
                      "{:[x;y;z]}", "{x@y}"])
        arity = {"{x+1}": 1, "{x+y}(;1)": 1, "{x;y;z}": 3, "{:[x;y;z]}": 3}.get(f, 2)
        args = [self.noun(depth) for _ in range(arity)]
        return f + "(" + ";".join(args) + ")"

    def expr(self, depth=1):
        r = self.r.random()
        if r < 0.30:
            return self.monad(depth)
        if r < 0.62:
            return self.dyad(depth)
        if r < 0.92:
            return self.adverb(depth)
        if r < 0.97:
            return self.application(depth)
        return self.noun(depth)


_BIGNUMS = tuple(NOUNS["bignum"]) + ("12345678901234567890",)


def _huge_power(e):
    """A power with a bignum in sight can ask for a number of billions of digits: both
    interpreters would compute for hours (and a Python int power cannot be interrupted)."""
    return "^" in e.replace(":^", "") and any(b in e for b in _BIGNUMS)


def expressions(n, seed=0, depth=1):
    """n expressions, the same ones for the same seed."""
    g = Generator(seed)
    out, seen = [], set()
    while len(out) < n:
        e = g.expr(depth)
        if _huge_power(e):
            continue
        if e not in seen:
            seen.add(e)
            out.append(e)
    return out
