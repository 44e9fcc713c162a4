"""The KlongPy dialect (klongtorch.verbs.dialect): off by default, on by four switches.

Each dialect answer is checked against the same computation spelled in kg's Klong (an
each, an explicit position), run by a standard interpreter: the dialect changes how arrays
pair and where indices count from, nothing else.
"""
import io
import sys

import pytest
import torch

from klongtorch import Klong, KlongError
from klongtorch.engine import lift
from klongtorch.shell.cli import main
from klongtorch.value.text import show


@pytest.fixture
def kp():
    return Klong(device="cpu", klongpy=True)


@pytest.fixture
def kg():
    return Klong(device="cpu")


def same(kp, kg, dialect, standard):
    assert show(kp(dialect)) == show(kg(standard)), dialect


# -- broadcasting -------------------------------------------------------------------------

@pytest.mark.parametrize("dialect, standard", [
    ("[3 3]-[[1 2] [2 3] [3 4]]", "{[3 3]-x}'[[1 2] [2 3] [3 4]]"),          # knn.kg
    ("[[1 2] [2 3] [3 4]]-[3 3]", "{x-[3 3]}'[[1 2] [2 3] [3 4]]"),
    ("([5 5]:^!25)-[5 1]:^!5", "([5 5]:^!25){x-*y}'[5 1]:^!5"),             # transformer.kg
    ("([5 5]:^!25)%[5 1]:^1+!5", "([5 5]:^!25){x%*y}'[5 1]:^1+!5"),
    ("[[1 2] [3 4]]+[10 20]", "{x+[10 20]}'[[1 2] [3 4]]"),        # NumPy's pairing wins
    ("([2 1 3]:^!6)*[4 1]:^!4", "{[a];a::*x;{a**x}'[4 1]:^!4}'[2 1 3]:^!6"),
    ("[2.5 1.0]<[[1 2] [3 0]]", "{[2.5 1.0]<x}'[[1 2] [3 0]]"),
])
def test_arrays_of_different_shapes_pair_as_numpy_does(kp, kg, dialect, standard):
    same(kp, kg, dialect, standard)


def test_where_numpy_cannot_pair_klongs_rule_still_does(kp, kg):
    same(kp, kg, "[[1 2 3] [4 5 6]]+[10 20]", "[[1 2 3] [4 5 6]]+[10 20]")


def test_shapes_that_pair_neither_way_are_a_length_error_naming_the_dialect(kp):
    with pytest.raises(KlongError, match=r"minus: shape error \(klongpy dialect\): \[.*\]: shapes "
                                         r"\[3\] and \[2\]"):
        kp("[1 2 3]-[4 5]")


def test_lifted_eaches_pair_elements_not_the_batch(kp):
    """Lifting runs the body once over a batch of elements: the dialect's pairing must see
    each element's shape, so a batch of 20 meets a [20 2] array as twenty [2]-[20 2]."""
    loop = Klong(device="cpu", klongpy=True, lift=False)
    for k in (kp, loop):
        k("m::[20 2]:^!40;c::[3 1]:^!3")
    for src in ["{x-m}'!20", "{x-[1 2]}'m", "{x-[[1] [2]]}'m", "{(x*2)-c}'[20 3]:^!60",
                "{+/x*x}'m-[3 3]", "{x-m}'m"]:
        before = lift.counts["lifted"]
        got = kp(src)
        assert lift.counts["lifted"] > before, src
        assert torch.equal(got, loop(src)), src


# -- negative indices ----------------------------------------------------------------------

@pytest.mark.parametrize("dialect, standard", [
    ("[1 2 3]@-1", "[1 2 3]@2"),
    ("[1 2 3]@[-1 -3 0]", "[1 2 3]@[2 0 0]"),
    ('"abc"@-1', '"abc"@2'),
    ("[1 [2] :a]@-1", "[1 [2] :a]@2"),
    ("[[1 2] [3 4]]:@[-1 0]", "[[1 2] [3 4]]:@[1 0]"),
    ("[1 2 3]:=9,-1", "[1 2 3]:=9,2"),
    ("[1 2.5 3]:=0,-2", "[1 2.5 3]:=0,1"),
    ("[[1 2] [3 4]]:-9,[-1 -1]", "[[1 2] [3 4]]:-9,[1 1]"),
])
def test_negative_indices_count_from_the_end(kp, kg, dialect, standard):
    same(kp, kg, dialect, standard)


def test_an_index_before_the_first_is_still_a_range_error(kp):
    with pytest.raises(KlongError, match=r"index: range error \(klongpy dialect\): -4"):
        kp("[1 2 3]@-4")


# -- off by default: kg's Klong -------------------------------------------------------------

def test_off_by_default_and_the_length_error_names_the_dialect(kg):
    with pytest.raises(KlongError) as e:
        kg("[3 3]-[[1 2] [2 3] [3 4]]")
    assert "minus: shape error: [[3 3] [[1 2] [2 3] [3 4]]]: shapes [2] and [3 2] do not match" \
        in e.value.message
    assert "KlongPy dialect (.klongpy(1))" in e.value.message
    with pytest.raises(KlongError, match="NumPy would broadcast them.*KlongPy dialect"):
        kg("([5 5]:^!25)-[5 1]:^!5")
    with pytest.raises(KlongError, match=r"^kg: error: index: range error: -1$"):
        kg("[1 2 3]@-1")
    assert show(kg("[[1 2] [3 4]]+[10 20]")) == "[[11 12] [23 24]]"


def test_standard_index_in_depth_takes_no_negative_index(kg):
    with pytest.raises(KlongError, match="index-in-depth: range error"):
        kg("[[1 2] [3 4]]:@[-1 0]")


# -- the switches ----------------------------------------------------------------------------

def test_system_function_switches_and_returns_the_setting_before(kg):
    assert kg(".klongpy(1)") == 0
    assert kg.klongpy is True
    assert show(kg("[[1 2] [3 4]]-[1 2]")) == "[[0 0] [2 2]]"
    assert kg(".klongpy(0)") == 1
    assert show(kg("[[1 2] [3 4]]-[1 2]")) == "[[0 1] [1 2]]"
    with pytest.raises(KlongError, match=".klongpy: type error"):
        kg('.klongpy("on")')


def test_the_setting_belongs_to_the_interpreter(kg, kp):
    assert show(kp("[1 2 3]@-1")) == "3"
    with pytest.raises(KlongError):
        kg("[1 2 3]@-1")
    assert show(kp("[1 2 3]@-1")) == "3"


def test_command_line_flag(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["--klongpy", "-e", "[1 2 3]@-1"]) == 0
    assert capsys.readouterr().out == "3\n"
    assert main(["-e", "[1 2 3]@-1"]) == 1
    assert "range error: -1" in capsys.readouterr().err


def test_kernel_setting(monkeypatch):
    from klongtorch.kernel.startup import make_interpreter
    monkeypatch.setenv("KLONGTORCH_DEVICE", "cpu")
    monkeypatch.setenv("KLONGTORCH_KLONGPY", "1")
    k, problem = make_interpreter()
    assert problem is None and k.klongpy
    monkeypatch.setenv("KLONGTORCH_KLONGPY", "0")
    assert not make_interpreter()[0].klongpy


def test_magic_option():
    pytest.importorskip("IPython")
    from IPython.testing import globalipapp
    ip = globalipapp.get_ipython()
    ip.run_line_magic("load_ext", "klongtorch")
    ip.run_line_magic("klong_reset", "--device cpu")
    assert ip.run_cell_magic("klong", "--klongpy", "[1 2 3]@-1") == 3
    with pytest.raises(KlongError, match="range error: -1"):
        ip.run_cell_magic("klong", "", "[1 2 3]@-1")        # that cell only
    assert ip.run_line_magic("klong", "--klongpy [1 2 3]@-2") == 2
