"""Lifting (klongtorch.engine.lift): adverbs over lambdas run on whole tensors, with the element
loop's answers.

The differential test generates lambdas from the liftable grammar and near misses
(tests/lifting) and runs each both ways; the rest pins the idioms the benchmarks time, the
switch, and what must never lift."""
import subprocess
import sys

import pytest
import torch

from klongtorch import Klong, KlongError
from klongtorch.engine import lift
from tests.lifting.runner import compare, same

IDIOMS = ["{x*x}'v", "{:[x>5;x;0]}'v", "v{x*y}'v", "{x+y}(1;)'v", "{{x^3}:>x}'1.0*!1000",
          "dot(A;B)", "+/'A", "1{x-y}:\\v", "3{x%y}:/v", "{(x*x)+1}'0.5*v",
          "{:[x<10;x*2:|x<100;x;-x]}'v", "{sq(x)+1}'v", "{[t];t::x*x;t-1}'v"]
SETUP = ("v::!1000;A::[32 32]:^1.0*!1024;B::[32 32]:^%1+!1024;sq::{x*x};"
         "dot::{[T];T::+y;{{+/x*y}(x;)'T}'x}")


@pytest.mark.parametrize("seed", [11, 12])
def test_lifted_and_element_loop_agree(seed):
    diffs, lifted, gave_way = compare(2500, seed)
    assert not diffs, "\n".join(f"{t}\n  lifted {a}\n  loop   {b}" for t, a, b in diffs[:10])
    # not a vacuous pass: a good share of the generated adverbs did run lifted
    assert lifted > 0.3 * (lifted + gave_way), (lifted, gave_way)


@pytest.mark.parametrize("idiom", IDIOMS)
def test_idioms_lift_and_give_the_loops_answer(idiom):
    on, off = Klong(), Klong(lift=False)
    for k in (on, off):
        k(SETUP)
    before = lift.counts["lifted"]
    a = on(idiom)
    assert lift.counts["lifted"] > before, f"{idiom} did not lift"
    b = off(idiom)
    # :> and the real matrix product are documented to round differently (lift.py)
    assert same(a, b, approx=":>" in idiom or idiom == "dot(A;B)"), (a, b)


def test_the_nested_each_dot_is_a_matrix_product():
    on, off = Klong(), Klong(lift=False)
    for k in (on, off):
        k(SETUP)
        k("Ai::[32 32]:^!1024")
    assert torch.equal(on("dot(Ai;Ai)"), off("dot(Ai;Ai)"))       # integers: exactly
    a, b = on("dot(A;B)"), off("dot(A;B)")
    assert torch.allclose(a, b, rtol=1e-13, atol=0)
    assert torch.allclose(a, on["A"] @ on["B"], rtol=1e-13, atol=0)


def test_near_misses_run_element_by_element():
    k = Klong()
    k("v::!100")
    before = dict(lift.counts)
    assert k("{g::x;x*2}'v").tolist() == [2 * i for i in range(100)]
    assert k("g") == 99                           # the assignment ran, for every element
    assert k("{x,x}'v").shape == (100, 2)         # shape-changing: stacked by the loop
    mixed = k("{:[x>50;x;0.5]}'v")                # integers beside reals: a list
    assert type(mixed) is list and mixed[0] == 0.5 and mixed[99] == 99
    assert lift.counts["lifted"] == before["lifted"]


def test_errors_are_the_loops_with_their_place():
    for text in ("{1:%x}'(!20)-3", "{x+:a}'!20", "{%x}'[1 0 2 3 4 5 6 7 8 9 1 2 3 4 5 6 7]"):
        outcomes = []
        for k in (Klong(), Klong(lift=False)):
            try:
                outcomes.append(("value", k(text)))
            except KlongError as e:
                outcomes.append(("error", str(e), e.pos))
        if outcomes[0][0] == "value":
            assert same(outcomes[0][1], outcomes[1][1], False)
        else:
            assert outcomes[0] == outcomes[1]
    with pytest.raises(KlongError, match="integer-divide: range error"):
        Klong()("{1:%x}'(!20)-3")


def test_a_conditional_guards_only_the_elements_it_selects():
    k = Klong()
    before = lift.counts["lifted"]
    r = k("{:[x=0;0.0;1%x]}'!20")         # 1%0 is never computed for the element 0
    assert lift.counts["lifted"] == before + 1
    assert r[0].item() == 0 and r[4].item() == 0.25 and r.dtype == torch.float64


def test_gradients_flow_through_a_lifted_each():
    k = Klong()
    g = k("{+/{x*x}'x}:>1.0*!20")
    assert torch.equal(g, 2.0 * torch.arange(20, dtype=torch.float64))
    # a nilad under each ignores its element, lifted too
    assert k("{7}'!20").tolist() == [7] * 20


def test_float32_interpreters_keep_their_dtype():
    k = Klong(dtype="float32")
    r = k("{x*0.5}'!20")
    assert r.dtype == torch.float32 and r[3].item() == 1.5


def test_the_switch_turns_lifting_off():
    k = Klong(lift=False)
    before = lift.counts["lifted"]
    k("{x*x}'!1000")
    assert lift.counts["lifted"] == before
    out = subprocess.run([sys.executable, "-m", "klongtorch", "--no-lift", "-e", "{x*x}'!5"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "[0 1 4 9 16]", out
