"""Seeded random lambdas for the lifting differential test.

A case is an adverb applied to a lambda and to inputs: `f'v`, `v f'w`, `a f:\\v`,
`a f:/v`, or each over a projection. Lambdas come from the liftable grammar (atomic verbs,
constants, arguments, globals, conditionals, reductions, calls of lambdas and projections,
nested eaches, :> of a liftable function) or are near misses that must not lift (an
assignment to a global, a shape-changing verb, ragged or mixed results, I/O, a verb that
fails for some elements only). Inputs cover empty, one-element, integer, real, negative and
zero-holding vectors, big integers, and matrices whose rows are the elements.
"""
import random

DYADS = ["+", "-", "*", "%", "^", "!", "&", "|", "<", ">", "=", ":%"]
# a computed exponent grows exact integers without bound ((x^x)^x): ^ takes a small one
EXPONENTS = ["0", "1", "2", "3", "-1", "0.5", "2.0", "-2", "(x&3)"]
MONADS = ["-", "%", "_", "~"]
REDUCERS = ["+", "*", "|", "&"]
INTS = ["0", "1", "2", "3", "-1", "-2", "5", "7"]
REALS = ["0.5", "1.5", "-2.25", "0.0", "3.0", "1e-3", "-0.5"]
GLOBALS = ["gi", "gr", "gz"]          # defined by SETUP: an int, a real, a 0
SETUP = "gi::3;gr::0.25;gz::0;gv::[1 2 3];sq::{x*x};add::{x+y};gm::[[1 2 3] [4 5 6]]"

# near misses: each must give the element loop's answer, lifted or not
NEAR_MISSES = [
    "{x,x}", "{#x}", "{!x}", "{x@0}", "{:[x>1;[1 2];3]}", "{:[x>1;x;0.5]}", "{1:%x}",
    "{$x}", "{gg::x;x*2}", "{x,gv}", "{*x}", "{x~1}", "{:[x>1;x;:sym]}", "{x+gv}",
    "{x|0.5}", "{x&1.5}", "{1%x}", "{%x}", "{2^x&5}", "{x^-1}", "{0.0^x}", "{x:%0}",
    "{x!2}", "{_x}", "{x^0.5}", "{:[x;1%x;0]}", "{[a];a::x*2;a+1}", "{[a];a::x;{a+x}(1)}",
    "{.f(x)}", "{:[x<1;x;.f(x-1)]}", "{sq(x)+1}", "{add(x;1)}", "{x+gm}", "{+/x}",
    "{x=0.0}", "{x<1.5}", "{(x*1000000000000)*1000000}", "{x*9007199254740993}",
    "{x+0.5}", "{-x}", "{~x}", "{.exp(x)}", "{{x^2}:>x}", "{{x*x*x}:>x}",
    "{{1%x}:>x}", "{{:[x>0;x;0]}:>x}", "{{x^2}:>x}:>", "{x}", "{1}", "{1.5}", "{gz}",
    "{[a];a::x}", "{}",
]

INPUTS = [
    "[]", "[3]", "[0]", "[-2]", "[1 2 3]", "[0 1 2 3 4 5 6 7]", "[-3 -1 0 2 4]",
    "[1.5 -2.5 0.0 4.0]", "[0.1 0.2 0.3]", "!20", "(!20)-10", "0.5*(!20)-10",
    "[2 0 3]", "[1.0 0.0]", "[9007199254740993 1]", "[4611686018427387904 2]",
    "[[1 2] [3 4] [5 6]]", "[[1.5 2.5 0.0] [3.0 -1.0 2.0]]", "[[0 1] [2 0]]",
    "[[[1 2] [3 4]] [[5 6] [7 8]]]", "[[]]", "[4 40]:^0.1*!160", "+[40 4]:^0.37*!160",
    "[3 4 20]:^1.1*!240", "+[[0.1 0.2 0.3] [0.4 0.5 0.7]]",
]


# how a case applies its lambda: (share of the cases, the lambda's arity, the program)
FORMS = [
    (0.5, 1, "{f}'({v})"),                  # each
    (0.2, 2, "({v}){f}'({w})"),             # each-2
    (0.1, 2, "({a}){f}:\\({v})"),           # each-left
    (0.1, 2, "({a}){f}:/({v})"),            # each-right
    (0.1, 2, "{f}({b};)'({v})"),            # each over a projection
]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def atom(self, args):
        r = self.r.random()
        if r < 0.45:
            return self.r.choice(args)
        if r < 0.7:
            return self.r.choice(INTS)
        if r < 0.9:
            return self.r.choice(REALS)
        return self.r.choice(GLOBALS)

    def expr(self, depth, args):
        r = self.r.random()
        if depth <= 0 or r < 0.25:
            return self.atom(args)
        e = lambda: self.expr(depth - 1, args)      # noqa: E731
        if r < 0.55:
            verb = self.r.choice(DYADS)
            if verb == "^":
                return f"({e()})^{self.r.choice(EXPONENTS)}"
            return f"({e()}){verb}({e()})"
        if r < 0.65:
            return f"{self.r.choice(MONADS)}({e()})"
        if r < 0.75:
            return f":[{e()};{e()};{e()}]"
        if r < 0.78:
            return f":[{e()};{e()}:|{e()};{e()};{e()}]"
        if r < 0.82:
            return f"{self.r.choice(REDUCERS)}/({e()})"
        if r < 0.86:
            inner = self.expr(depth - 1, ["x"])
            return f"{{{inner}}}({e()})"
        if r < 0.89:
            inner = self.expr(depth - 1, ["x", "y"])
            return f"{{{inner}}}({e()};)({e()})"
        if r < 0.92:
            return self.r.choice(["sq", "add(;1)"]) + f"({e()})"
        if r < 0.95:
            inner = self.expr(depth - 1, ["x"])
            return f"{{{inner}}}'({e()})"
        inner = self.expr(min(depth - 1, 2), ["x"])
        return f"{{{inner}}}:>({e()})"

    def lam(self, arity):
        if self.r.random() < 0.12:
            return self.r.choice(NEAR_MISSES)
        args = ["x", "y"][:arity]
        for _ in range(20):     # mostly lambdas of the arity the adverb calls them with
            text = "{" + self.expr(self.r.randint(1, 4), args) + "}"
            if all(a in text for a in args):
                break
        return text

    def case(self):
        """(program text, whether it involves reals' ^, .exp or :>: compared to a few ulps)"""
        _, arity, form = self.r.choices(FORMS, weights=[share for share, _, _ in FORMS])[0]
        f = self.lam(arity)
        text = form.format(f=f, v=self.r.choice(INPUTS), w=self.r.choice(INPUTS),
                           a=self.atom(["1"]), b=self.atom(["2"]))
        approx = "^" in f or ":>" in f or ".exp" in f
        return text, approx


def cases(n, seed):
    g = Gen(seed)
    return [g.case() for _ in range(n)]
