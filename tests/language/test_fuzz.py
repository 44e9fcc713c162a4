"""Fuzzing the whole interpreter: whatever the program, a user's mistake is a KlongError.

Three generators feed random programs to a fresh interpreter each:

* token soup: random sequences of Klong lexemes (numbers, operators, adverbs, brackets,
  strings, symbols, conditionals, function literals, system functions), mostly nonsense,
  which exercises the lexer, the parser and the error paths of every verb;
* near-valid programs from a small grammar: verbs, adverbs, conditionals, nested functions
  and definitions applied to small literals, sometimes with a deliberate type, arity or
  index mistake, which gets past the parser and exercises evaluation;
* every primitive verb, plain or with an adverb, on unusual values (bignums, int64's
  extremes, empty and ragged lists, dictionaries, functions, channels, :undefined).

The property: evaluating a program returns a value, or raises KlongError. Nothing else may
escape (no TypeError from inside a verb, no IndexError from the parser, no crash). Runaway
loops (a converge that never converges) are bounded by a timer that raises FuzzTimeout, an
allowed exit, as is KeyboardInterrupt.

Sizes are kept small by construction: the grammar tracks a bound on every number it builds
and only ever uses small literals as counts (for !, #, :^, :*), and the soup uses numbers up
to 10 with at most one ^. Because a soup can still compute a large count (!10^5+3), each
evaluation also runs under an address-space cap of a few GiB (Linux), so such a program
fails with a KlongError (out of memory) instead of swapping the test machine.
"""
import contextlib
import gc
import io
import os
import re
import signal
import sys

import pytest

from klongtorch import Klong, KlongError
from tests.differential.runner import address_space_cap

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"),
                                reason="needs signal.setitimer to bound runaway programs")

TIME_LIMIT = 0.5            # seconds per program
Klong()                     # raises the recursion limit now, not while hypothesis runs
HEADROOM = 3 * 2 ** 30      # bytes of address space a program may add


class FuzzTimeout(BaseException):
    """A generated program ran past TIME_LIMIT (a BaseException, so nothing converts it)."""


class _Alarm:
    armed = False       # whether a program is running under the time limit


def _in_gc_callback(frame):
    """Whether frame runs inside a gc callback (hypothesis installs one)."""
    codes = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    while frame is not None:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


def _on_alarm(signum, frame):
    # an exception raised inside a gc callback is lost (reported as unraisable, with a
    # traceback in the test output): wait for the next tick of the repeating alarm instead
    if _Alarm.armed and not _in_gc_callback(frame):
        raise FuzzTimeout()


def evaluate(src):
    """Run src in a fresh interpreter; let only a disallowed exception escape."""
    old = signal.signal(signal.SIGALRM, _on_alarm)
    out = io.StringIO()
    try:
        try:
            with address_space_cap(HEADROOM), contextlib.redirect_stdout(out):
                k = Klong()
                # the alarm repeats: a FuzzTimeout raised while a gc callback runs (hypothesis
                # installs one) is reported as unraisable and lost, and the program would
                # then run on without a limit
                _Alarm.armed = True
                signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT, 0.05)
                k(src)
        finally:
            _Alarm.armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
    except KlongError as e:
        assert str(e).startswith("kg: error: "), f"{src!r}: {e}"
    except (FuzzTimeout, KeyboardInterrupt):
        pass
    except MemoryError:
        # The address-space cap above is this test's own: when a program exhausts it,
        # the interpreter reports "out of memory" as a KlongError, but Python may itself
        # fail to allocate on the way there. Without the cap there is no such limit.
        pass
    finally:
        signal.signal(signal.SIGALRM, old)


# -- (a) token soup -----------------------------------------------------------------------

NUMBERS = ["0", "1", "2", "3", "5", "10", "-1", "1.5", "0.5", "2.0", "1e2", "0x1f", "0b101"]
OPERATORS = ["+", "-", "*", "%", "^", "!", "&", "|", "<", ">", "=", "~", ",", "#", "_", "?",
             "@", "$", ":", "::", ":#", ":_", ":^", ":+", ":=", ":%", ":$", ":@", ":-"]
ADVERBS = ["'", "/", "\\", ":~", ":*", "\\~", "\\*", ":'", ":/", ":\\"]
BRACKETS = ["(", ")", "[", "]", "{", "}", ":[", ":{", ":|", ";", "\n"]
ATOMS = ['"ab"', '""', '"a""b"', '"1+"', '"', "0cx", "0c ", "0c0", ":foo", ":x", "x", "y",
         "z", "a", "f", "it", ".f", ':"a comment"', "[]", "[1 2 3]", "[[1 2] [3 4]]",
         ':{[1 2]}', '[1 "a" :s]']
PIECES = ["{x}", "{x+y}", "{x;y;z}", "{[a];a::x;a}", "{}", "f::{x*2}", "a::[1 2]", "f(1)",
          "f(;2)", "{x}'", "{x,y}/", ":[1;2;3]", ":[0;1:|1;2;3]", ".p", ".d", ".w", ".rs",
          ".E", ".rn()", ".comment", "(1;2)", "a::", "x::1"]
LEXEMES = NUMBERS + OPERATORS + ADVERBS + BRACKETS + ATOMS + PIECES
WORDY = re.compile(r"[0-9A-Za-z.]")


@st.composite
def token_soup(draw):
    tokens = draw(st.lists(st.sampled_from(LEXEMES), min_size=1, max_size=12))
    if sum(t == "^" for t in tokens) > 1:      # one power at most: no 10^10^10
        first = tokens.index("^")
        tokens = tokens[:first + 1] + [t for t in tokens[first + 1:] if t != "^"]
    glue = draw(st.lists(st.sampled_from(["", " "]), min_size=len(tokens),
                         max_size=len(tokens)))
    src = tokens[0]
    for tok, sep in zip(tokens[1:], glue):
        if WORDY.match(src[-1]) and WORDY.match(tok[0]):
            sep = " "            # never glue two numbers into a larger one (or 1e2 into 1e21)
        src += sep + tok
    return src


@settings(max_examples=700, deadline=None, suppress_health_check=list(HealthCheck))
@given(token_soup())
def test_token_soup_raises_only_klong_errors(src):
    evaluate(src)


# -- (b) near-valid programs --------------------------------------------------------------

BIG = 10 ** 30          # no generated number is (provably) larger than this


def _lit(n):
    return f"({n})" if n < 0 else str(n)


def number(depth):
    """An expression giving a number, and a bound on its magnitude."""
    return _number(depth).map(lambda r: (_paren(r[0]), r[1]))


def numlist(depth):
    """An expression giving a list of numbers: its source, length bound, element bound."""
    return _numlist(depth).map(lambda r: (_paren(r[0]),) + r[1:])


def _paren(src):
    """Compound expressions are parenthesised, so that right-to-left parsing keeps them whole."""
    return src if re.fullmatch(r"-?\w+|\(.*\)|\[.*\]", src) else f"({src})"


@st.composite
def _number(draw, depth):
    kind = draw(st.integers(0, 9 if depth > 0 else 1))
    if kind == 0:
        n = draw(st.integers(-20, 20))
        return _lit(n), abs(n)
    if kind == 1:
        r = draw(st.sampled_from(["0.5", "1.5", "2.0", "0.1", "3.25", "1e3", "(-2.5)"]))
        return r, 1000
    if kind in (2, 3):
        a, ba = draw(number(depth - 1))
        b, bb = draw(number(depth - 1))
        op = draw(st.sampled_from(["+", "-", "*", "%", ":%", "!", "|", "&", "=", "<", ">"]))
        bound = {"+": ba + bb, "-": ba + bb, "*": ba * bb}.get(op, max(ba, bb) * 1000)
        if bound > BIG:
            op, bound = "+", ba + bb
        return f"({a}){op}{b}", bound
    if kind == 4:
        a, ba = draw(number(depth - 1))
        e = draw(st.integers(0, 3))
        if ba ** e > BIG:
            e = 1
        return f"({a})^{e}", max(ba ** e, 1)
    if kind == 5:
        lst, n, bl = draw(numlist(depth - 1))
        op = draw(st.sampled_from(["+/", "|/", "&/", "-/", "*", "#", "+/", "*/", "{x+y}/"]))
        bound = {"#": n, "+/": n * bl, "-/": n * bl, "{x+y}/": n * bl, "*/": bl ** n}.get(op, bl)
        if bound > BIG:
            op, bound = "|/", bl
        return f"{op}{lst}", bound
    if kind == 6:
        a, ba = draw(number(depth - 1))
        fn = draw(st.sampled_from(["-", "_", "~", "{x*x}", "{[q];q::x;q+1}", "{:[x>0;x;-x]}",
                                   "{.f(x-1)}", "{x}", "*", "@", "#"]))
        if fn == "{.f(x-1)}":
            return f"{{:[x>0;.f(x-1);x]}}({a}&30)", ba       # bounded recursion
        if fn == "{x*x}" and ba * ba > BIG:
            fn = "{x}"
        bound = ba * ba if fn == "{x*x}" else ba + 1
        if fn.startswith("{"):
            return f"{fn}({a})", bound
        return f"{fn}{a}", bound
    if kind == 7:
        c, _ = draw(number(depth - 1))
        a, ba = draw(number(depth - 1))
        b, bb = draw(number(depth - 1))
        return f":[{c};{a};{b}]", max(ba, bb)
    if kind == 8:
        a, ba = draw(number(depth - 1))
        b, bb = draw(number(depth - 1))
        if ba * bb > BIG:
            return f"{{x+y}}({a};{b})", ba + bb
        fn = draw(st.sampled_from(["{x+y}", "{x*y}", "{[t];t::x;t-y}", "{x|y}"]))
        return f"{fn}({a};{b})", ba * bb + ba + bb
    lst, n, bl = draw(numlist(depth - 1))
    i = draw(st.integers(-1, n))              # -1 and n are out of range
    return f"{lst}@{_lit(i)}", bl


@st.composite
def _numlist(draw, depth):
    kind = draw(st.integers(0, 9 if depth > 0 else 1))
    if kind == 0:
        n = draw(st.integers(0, 20))
        return f"(!{n})", n, n
    if kind == 1:
        xs = draw(st.lists(st.integers(-9, 9), max_size=6))
        return "[" + " ".join(map(str, xs)) + "]", len(xs), 9
    lst, n, bl = draw(numlist(depth - 1))
    if kind == 2:
        a, ba = draw(number(depth - 1))
        op = draw(st.sampled_from(["+", "-", "*", "|", "&", "=", "<", "%", "!", ":%", "^"]))
        if op == "^":
            return f"({lst})^2", n, bl * bl if bl * bl <= BIG else BIG
        if op == "*" and ba * bl > BIG:
            op = "+"
        bound = ba * bl if op == "*" else ba + bl
        left = draw(st.booleans())
        return (f"({a}){op}{lst}" if left else f"{lst}{op}{a}"), n, max(bound, 1000)
    if kind == 3:
        other, m, bo = draw(numlist(depth - 1))
        op = draw(st.sampled_from([",", "+", "-", "=", "|", "&", "<", ">"]))
        length = n + m if op == "," else max(n, m)
        return f"{lst}{op}{other}", length, bo + bl
    if kind == 4:
        k = draw(st.integers(-12, 12))
        return f"({_lit(k)})#{lst}", abs(k), bl
    if kind == 5:
        fn = draw(st.sampled_from(["|", "<", ">", "?", "1_", "-", "{x*2}'", "+\\", "{x}'",
                                   "~", "_", "{:[x>2;x;0]}'", "{x+y}\\", "&"]))
        if fn == "&" and n * bl > 1000:
            fn = "|"
        bound = {"+\\": n * bl, "{x+y}\\": n * bl, "{x*2}'": 2 * bl, "<": n,
                 ">": n}.get(fn, bl)
        length = n * bl if fn == "&" else n
        return f"{fn}{lst}", length, max(bound, 1)
    if kind == 6:
        k = draw(st.integers(0, 2))
        return f"{k}{{x,x}}:*{lst}", n * 2 ** k, bl
    if kind == 7:
        a, ba = draw(number(depth - 1))
        fn = draw(st.sampled_from(["{x,y}", "{x+y}", "{x-y}"]))
        adverb = draw(st.sampled_from(["'", ":\\", ":/"]))
        return f"{lst}{fn}{adverb}({a})", n * 2, bl + ba + 1
    if kind == 8:
        return f"{{x}}:~{lst}", n, bl
    cond, _ = draw(number(depth - 1))
    other, m, bo = draw(numlist(depth - 1))
    return f":[{cond};{lst};{other}]", max(n, m), max(bl, bo)


MISTAKES = ['+"a"', "+:foo", "@[1 2]", "#{x}", "+{x}", "(1;2)", '@"abc"', ",{x}(1;2)",
            "?:{[1 2]}", "@100", "@(-100)", ":#[1 2]", "$:{[1 2]}", "_[]"]


@st.composite
def program(draw):
    """A few statements: definitions, then an expression that uses them."""
    stmts = []
    for name in draw(st.lists(st.sampled_from(["a", "b", "g"]), max_size=2, unique=True)):
        if name == "g":
            body, _ = draw(number(2))
            stmts.append(f"g::{{[t];t::x;{body}+t}}")
        else:
            src = draw(st.one_of(number(3), numlist(3)))[0]
            stmts.append(f"{name}::{src}")
    expr = draw(st.one_of(number(4), numlist(4)))[0]
    if draw(st.integers(0, 6)) == 0:
        expr += draw(st.sampled_from(MISTAKES))       # a deliberate mistake at the end
    if "g" in "".join(stmts) and draw(st.booleans()):
        expr = f"g({expr})"
    wrap = draw(st.sampled_from(["{}", "{}", ".p({})", "${}", "{{x}}@{}", "#{}", ".E(\"{}\")",
                                 "{{[u];u::{};u}}()", "{{x;y}}({};1)", "{{.d(x);x}}'{}"]))
    expr = wrap.format(expr) if '"' not in expr else expr
    return ";".join(stmts + [expr])


@settings(max_examples=700, deadline=None, suppress_health_check=list(HealthCheck))
@given(program())
def test_grammar_programs_raise_only_klong_errors(src):
    evaluate(src)


# -- (c) every verb and adverb on unusual values ------------------------------------------

VALUES = ["0", "1", "-3", "2.5", "-0.0", "0cx", '"abc"', '""', "[]", ":foo", "[1 2 3]",
          "[1.5 2]", "[[1 2] [3 4]]", "[[1 2] [3]]", '[1 [2 3] "x"]', ":{[1 2] [3 4]}",
          "{x}", "{x+y}", "{1}", "{x;y;z}", "1267650600228229401496703205376",
          "[1267650600228229401496703205376 1]", '"a"', '["ab" "cd"]', "[:a :b]", "[[]]",
          "!0", "1%0", ".cin", "[-9223372036854775808 1]", "9223372036854775807"]
VERBS = ["+", "-", "*", "%", "^", "!", "&", "|", "<", ">", "=", "~", ",", "#", "_", "?",
         "@", "$", ":#", ":_", ":^", ":+", ":-", ":=", ":%", ":$", ":@"]
ADVERBED = [""] + ADVERBS


@st.composite
def verb_on_values(draw):
    verb = draw(st.sampled_from(VERBS + ["{x}", "{x,y}", "{x+y}"])) + draw(
        st.sampled_from(ADVERBED))
    right = draw(st.sampled_from(VALUES))
    if draw(st.booleans()):
        return f"{verb}({right})"
    return f"({draw(st.sampled_from(VALUES))}){verb}({right})"


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(verb_on_values())
def test_verbs_and_adverbs_on_unusual_values_raise_only_klong_errors(src):
    evaluate(src)


def test_time_limit_stops_a_runaway_loop():
    """The harness itself: a loop that never converges ends with FuzzTimeout, quietly."""
    evaluate("{x+1}:~0")


@pytest.mark.parametrize("src", ["!10^9", "10000000000#1"])
def test_address_space_cap_turns_huge_allocations_into_errors(src):
    """With the cap in place, an allocation of gigabytes is a KlongError, not a swap storm."""
    if not sys.platform.startswith("linux") or not os.path.exists("/proc/self/status"):
        pytest.skip("the cap needs Linux")
    evaluate(src)
