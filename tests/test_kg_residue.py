"""The last differences from kg (issue 19), decided with kg as the oracle.

Each fixed class gives kg's answer, written here as Klong data (what `kg -n -e EXPR`
prints); the classes kept as deviations are in README "Deviations from kg" and in
tests/differential/deviations.py. Where ../shared is present, tests/test_differential.py
compares the same kinds of expression with kg itself.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from klongtorch import Klong, KlongError
from klongtorch.value.text import show

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def k():
    return Klong(device="cpu")


def kg_says(k, expr, answer):
    assert show(k(expr)) == answer, expr


def kg_errs(k, expr, kind):
    with pytest.raises(KlongError, match=f": {kind} error"):
        k(expr)


@pytest.mark.parametrize("expr, answer", [
    ("3.0&3", "3"), ("3&3.0", "3.0"), ("2.0|2", "2.0"), ("2|2.0", "2"),
    ("[1 2 3]|2.0", "[2.0 2 3]"), ("[1 2 3]&2.0", "[1 2.0 2.0]"), ("2.0&[1 2 3]", "[1 2 2.0]"),
    ("[1.0 5.0]|[2 3]", "[2 5.0]"), ("[[1 2] [3 4]]|2.5", "[[2.5 2.5] [3 4]]"),
    ("1e-5|[[[1 2] [3 4]]]", "[[[1 2] [3 4]]]"), ("{x|3}:~[2.0]", "[3]"),
    ("-2.25&(>[1.5 2.5])", "[-1 0]"),
])
def test_min_and_max_keep_the_winners_type(k, expr, answer):
    kg_says(k, expr, answer)


@pytest.mark.parametrize("expr, answer", [
    ("2^3.0", "8"), ("2.5^0", "1"), ("[1 2]^2.0", "[1 4]"), ("[0.5 0.25 4.0]^0", "[1 1 1]"),
    ("2^[2.0 0.5]", "[4 1.4142135623730951]"), ("^:'[1 2.0 3]", "[1 8.0]"),
    ("[[1 2 3] [4 5 6]]^3.0", "[[1 8 27] [64 125 216]]"), ("2.5^0.0", "1.0"),
    ("0^1.5", "0"), ("[0 1]^0.0", "[0 1.0]"), ("2.0^3", "8.0"), ("[1 2 3]^0.5",
                                                                 "[1.0 1.4142135623730951 1.7320508075688772]"),
])
def test_power_keeps_kgs_integers(k, expr, answer):
    kg_says(k, expr, answer)


@pytest.mark.parametrize("expr, answer", [
    (":{[1 2]}?1.0", ":undefined"), (":{[1.0 2]}?1", ":undefined"),
    (":{[[1 2] 5]}?[1.0 2]", ":undefined"), (":{[1.5 2]}?1.5", "2"),
    ("=[1 1.0]", "[[0] [1]]"), ("?[1 1.0]", "[1 1.0]"), ("#:{[1 2] [1.0 3]}", "2"),
])
def test_a_real_key_is_not_an_integer_key(k, expr, answer):
    kg_says(k, expr, answer)


@pytest.mark.parametrize("expr, answer", [
    ("2:^[]", "[[] []]"), ("[2 2]:^[]", "[[[] []] [[] []]]"), ("1:^!0", "[[]]"),
    ("0:^[1 2]", "[1 2]"),
])
def test_reshape_repeats_an_empty_list_whole(k, expr, answer):
    kg_says(k, expr, answer)


@pytest.mark.parametrize("expr", ["[0]:^[1 2]", "[2 0]:^[1 2]", "[0 2]:^[1 2]"])
def test_reshape_refuses_an_axis_of_length_zero(k, expr):
    kg_errs(k, expr, "range")


@pytest.mark.parametrize("expr, kind", [
    ('"abc":@1', "type"), ('"abc":@[1]', "type"), ('[["ab" "cd"]]:@""', "type"),
    ("[[1 2] [3 4]]:@[]", "type"), ('["ab" "cd"]:@[0 1]', "shape"), ("[1 [2 3]]:@[0 1]", "shape"),
    ("[1.5 2.5]:@[[1 0] [0 0]]", "type"), ("[[1 2] [3 4]]:@[-1 0]", "range"),
])
def test_index_in_depth_into_a_string_is_an_error(k, expr, kind):
    kg_errs(k, expr, kind)


def test_index_in_depth_still_reaches_elements(k):
    kg_says(k, "[[1 2] [3 4]]:@[1 0]", "3")
    kg_says(k, "[1 [2 3]]:@[1 1]", "3")
    kg_says(k, "{x+1}:@[2]", "3")


@pytest.mark.parametrize("expr", ["{x}(1)(2)", "f::{x+y};f(1)(2)", "{{x+y}}()(1;2)"])
def test_a_second_argument_list_is_a_syntax_error(k, expr):
    with pytest.raises(KlongError, match="syntax error"):
        k(expr)


def test_a_projection_may_be_applied_at_once(k):
    kg_says(k, "{x+y}(;1)(5)", "6")
    kg_says(k, "f::{x+y};f(;1)(5)", "6")


@pytest.mark.parametrize("expr, answer", [
    ('[]:$"ba"', '"ba"'), ('{x}:$"1"', '"1"'), (':{[:a 1]}:$""', '""'), ('[1 2]:$"12"', "[12 12]"),
])
def test_form_keeps_the_string_for_any_other_prototype(k, expr, answer):
    kg_says(k, expr, answer)


@pytest.mark.parametrize("expr", ['<[1 "a" :b 0cc]', "<(2,[:a :b :c])", '<["ab" [1 2]]',
                                  "<[[1] [:a]]", '<[0ca "ab"]'])
def test_grading_values_of_two_kinds_is_a_type_error(k, expr):
    kg_errs(k, expr, "type")


@pytest.mark.parametrize("expr, answer", [
    ("0.1,'[]", "[0.1]"), ("[],'1", "[1]"), ("[],'[]", "[]"), ('"",\'[1]', '""'),
    (":a,'\"\"", '[:a ""]'),
])
def test_each2_calls_once_when_an_atom_meets_an_empty_list(k, expr, answer):
    kg_says(k, expr, answer)


def test_each2_of_a_verb_with_an_empty_list_is_its_error(k):
    kg_errs(k, "1+'[]", "type")
    kg_errs(k, "0.1&'[]", "type")


def test_rotating_the_empty_string_needs_an_integer(k):
    kg_errs(k, '[2 2]:+""', "type")
    kg_says(k, '1:+""', '""')
    kg_says(k, "[2 2]:+5", "5")


def test_a_string_scanned_from_is_one_element(k):
    kg_says(k, '"ab",\\2', '["ab" ["ab" 2]]')
    kg_says(k, "[1 2],\\3", "[1 2 [1 2 3]]")


def test_splitting_nothing_by_a_list_is_nothing(k):
    kg_says(k, "[0ca 0cb]:#[]", "[]")
    kg_errs(k, "[]:#[]", "type")           # no sizes at all: kg's type error, [[] []]


def test_a_drop_count_beyond_memory_is_a_range_error(k):
    kg_errs(k, "100000000000000000000_[4 0 1 3]", "range")
    kg_says(k, "17_[1 2 3]", "[]")


# -- a line is parsed whole before any of it runs ---------------------------------------------

def run_script(tmp_path, text):
    path = tmp_path / "prog.kg"
    path.write_text(text)
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH",
                                                                                    ""))
    return subprocess.run([sys.executable, "-m", "klongtorch", str(path)], capture_output=True,
                          text=True, env=env, timeout=120)


def test_a_script_runs_the_lines_before_a_syntax_error_and_none_of_its_line(tmp_path):
    # kg prints 1 and 2, then "kg: error: ... 3: ...": its lines run one by one
    done = run_script(tmp_path, ".p(1)\n.p(2)\n.p(3);1+)\n.p(4)\n")
    assert done.returncode == 1
    assert done.stdout == "1\n2\n"
    assert "syntax error" in done.stderr and "line 3" in done.stderr


def test_one_line_with_a_syntax_error_runs_nothing(k):
    with pytest.raises(KlongError, match="syntax error"):
        k("a::1;.p(2);b::1+)")
    assert "a" not in k
