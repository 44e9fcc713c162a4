"""Pure integer lambdas (klongtorch/engine/pure.py): the plain Python twin gives exactly what the
generated body gives, and is entered only while the names it calls hold the lambda."""
import random

import pytest
import torch

from klongtorch import Klong, KlongError
from klongtorch.engine import pure
from klongtorch.value.text import show

FIB = "fib::{:[x<2;x;fib(x-1)+fib(x-2)]}"


@pytest.fixture
def k():
    return Klong(device="cpu")


def twinned(k, name):
    return "_pure(" in k[name].body.klong_source


def test_fib_has_a_twin_and_its_values(k):
    k(FIB)
    assert twinned(k, "fib")
    assert show(k("fib'!15")) == "[0 1 1 2 3 5 8 13 21 34 55 89 144 233 377]"
    assert show(k("fib(25)")) == "75025"
    k("n::{:[x<1;-x-5;-n(x-1)]}")        # negation
    assert twinned(k, "n")
    assert show(k("n'[0 1 2 3]")) == "[5 -5 5 -5]"   # as kg


@pytest.mark.parametrize("src", [
    "{x%2}",                        # % gives a real: no fast path
    "{x+a}",                        # a global's value may be anything
    "{[a];a::x;f(a)}",              # locals
    "{x(1)}",                       # calling an argument
    "{.f(x-1)+1}",                  # .f
    "{f(x;1)}",                     # a call with another arity than its own
    "{f(x;)}",                      # a projection
    "{x+1}",                        # no call: the generated body is as fast
    "{:[x<1;1.5;f(x-1)]}",          # a real constant
    "{#f(x-1)}",                    # a monad other than negation
])
def test_bodies_outside_the_subset_have_no_twin(k, src):
    k(f"f::{src}")
    assert not twinned(k, "f")


def test_a_rebound_name_is_called_as_it_is_now(k):
    k(FIB)
    k("g::fib;fib::{x*100}")
    assert show(k("g(5)")) == "700"               # fib(4)+fib(3) of the new fib
    k("fib::g")
    assert show(k("g(20)")) == "6765"             # the name holds it again


def test_a_dynamic_local_of_the_same_name_is_called(k):
    k(FIB)
    k("g::fib;h::{[fib];fib::{0*x};g(x)}")
    assert show(k("h(10)")) == "0"
    assert show(k("fib(10)")) == "55"             # and fib is fib again afterwards


def test_other_arguments_take_the_generated_body(k):
    k(FIB)
    assert show(k("fib(10.0)")) == "55.0"
    with pytest.raises(KlongError) as e:
        k('fib("a")')
    assert str(e.value).startswith("kg: error: less: type error")


def test_recursion_too_deep_is_a_klong_error(k):
    k("d::{:[x=0;0;1+d(x-1)]}")
    assert twinned(k, "d")
    with pytest.raises(KlongError, match="stack overflow"):
        k("d(1000000)")
    assert show(k("d(300)")) == "300"


def test_a_module_twin_calls_the_renamed_name(k):
    k(".module(:m)")
    k(FIB)
    k(".module(0)")
    assert twinned(k, "fib")
    assert show(k("fib(20)")) == "6765"


# -- differential: random bodies of the pure subset, twin against generated body ----------------

def _expr(rng, depth, call):
    """A random expression of the subset over x and y; call: whether f(x-1;...) may appear."""
    r = rng.random()
    if depth <= 0 or r < 0.25:
        return rng.choice(["x", "y", str(rng.randint(-3, 9)), "x", "y", str(2 ** 70)])
    if call and r < 0.35:
        return f"f(x-1;{_expr(rng, depth - 1, call)})"
    if r < 0.55:
        return f":[{_expr(rng, depth - 1, call)};{_expr(rng, depth - 1, call)};" \
               f"{_expr(rng, depth - 1, call)}]"
    op = rng.choice("+-*<>=")
    return f"({_expr(rng, depth - 1, call)}){op}{_expr(rng, depth - 1, call)}"


def _body(rng):
    # the recursion ends: every call takes x-1, and x<1 answers without one; the first
    # statement makes every body a dyad
    return f"{{y;:[x<1;{_expr(rng, 2, False)};({_expr(rng, 2, True)}){rng.choice('+-*<>=')}" \
           f"f(x-1;{_expr(rng, 2, False)})]}}"


def test_twins_agree_with_generated_bodies(monkeypatch):
    rng = random.Random(23)
    bodies = [_body(rng) for _ in range(150)]
    args = [(0, 0), (1, 5), (3, -2), (4, 2 ** 64), (2, 7)]
    with_twin, without = Klong(device="cpu"), Klong(device="cpu")
    twins = 0
    for src in bodies:
        with_twin(f"f::{src}")
        twins += twinned(with_twin, "f")
        with monkeypatch.context() as m:
            m.setattr(pure, "write", lambda *a: None)
            without(f"f::{src}")
        assert not twinned(without, "f")
        for x, y in args:
            assert show(with_twin(f"f({x};{y})")) == show(without(f"f({x};{y})")), (src, x, y)
    assert twins == len(bodies)        # every body calls f: each has a twin


# -- each over ints: the body inline in one list comprehension ------------------------------------

@pytest.mark.parametrize("lift", [True, False])
def test_each_over_ints_runs_the_comprehension(lift, monkeypatch):
    k = Klong(device="cpu", lift=lift)
    k(FIB)
    k("sq::{x*x}")
    assert k["fib"].each_int is not None and k["sq"].each_int is not None
    calls = []
    each_int = k["fib"].each_int
    k["fib"].each_int = lambda items: calls.append(len(items)) or each_int(items)
    assert show(k("fib'!12")) == "[0 1 1 2 3 5 8 13 21 34 55 89]"
    assert calls == [12]
    assert show(k("sq'(2^40)+!2")) == f"[{2 ** 80} {(2 ** 40 + 1) ** 2}]"   # bignums stay a list
    assert show(k("sq'[]")) == "[]"
    assert show(k("sq'3")) == "9"


def test_each_over_ints_follows_a_rebound_name(k):
    k(FIB)
    k("g::fib;fib::{x*100}")
    assert show(k("g'!5")) == "[0 1 100 300 500]"


def test_each_over_other_lists_calls_the_body(k):
    k("sq::{x*x}")
    assert show(k("sq'[1.5 2.0]")) == "[2.25 4.0]"
    assert show(k("sq'[1 2.5]")) == "[1 6.25]"
    assert show(k("sq'[[1 2] [3 4]]")) == "[[1 4] [9 16]]"


def test_an_argument_name_that_is_a_local_around_it_is_that_local(k):
    """In a lambda written inside a function with a local x, x is that variable (dynamic
    scope), not an argument: such a body has no twin."""
    k("f::{[x];x::5;{:[y<1;x;x+f2(x;y-1)]}};f2::f()")
    assert not twinned(k, "f2")
    assert show(k("h::{[x];x::5;f2(1;3)};h()")) == "20"


def test_each_over_ints_reads_any_vector_of_ints(k):
    k("sq::{x*x}")
    k["v"] = torch.arange(10)[::3]                  # a strided view
    assert show(k("sq'v")) == "[0 9 36 81]"
