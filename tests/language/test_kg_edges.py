"""Edges where klongtorch once let Python show through, now answered as kg answers them:
bignums as positions, counts and rotations; matrices and dictionaries as keys; real formats
that pad but never cut; and the catch-all for what is left, which says "internal error" only."""
import pytest

from klongtorch import Klong
from klongtorch.value.errors import python_error
from klongtorch.value.text import show

from .support import BIG, message


@pytest.fixture
def k():
    return Klong()


@pytest.mark.parametrize("src, culprit", [
    (f'"a"@[1 {BIG}]', BIG), (f"[1 2 3]@[1 {BIG}]", BIG), (f"&[1 {BIG}]", BIG),
    (f"&(-[1 {BIG}])", "-" + BIG), (f"{BIG}1:+[1 2]", BIG + "1")])
def test_a_bignum_position_count_or_rotation_is_a_range_error(k, src, culprit):
    assert message(k, src).startswith("kg: error: ") and f"range error: {culprit}" in \
        message(k, src)


def test_a_bignum_is_found_in_no_numeric_list(k):
    assert show(k(f"[2.0]?{BIG}")) == "[]"
    assert show(k(f"[1 2 3]?-{BIG}")) == "[]"
    assert show(k("2:+[1.5 2.5 3.5]")) == "[2.5 3.5 1.5]"


def test_matrices_group_and_range_as_lists(k):
    assert show(k("=[[[1 2] [3 4]] [[1 2] [3 4]] 1]")) == "[[0 1] [2]]"
    assert show(k("?[[[1 2] [3 4]] [[1 2] [3 4]]]")) == "[[[1 2] [3 4]]]"


@pytest.mark.parametrize("src", ["d:::{[1 2]};d,:{},3", "=[:{} :{}]", "?[:{} :{}]"])
def test_a_dictionary_is_no_dictionary_key(k, src):
    assert message(k, src) == "kg: error: bad dictionary key: :{}"


def test_looking_up_a_dictionary_or_a_list_holding_one(k):
    assert message(k, ":{[1 2]}?:{[1 2]}") == "kg: error: find: type error: [:{[1 2]} :{[1 2]}]"
    assert show(k(":{[1 2]}?[1 :{}]")) == ":undefined"
    assert show(k("d:::{[1 2]};:{}_d")) == ":{[1 2]}"


@pytest.mark.parametrize("src, text", [
    ("5.2$3.14159", "3.14159"), ("5.3$3.14159", "3.14159"), ("5.2$3.1", "    3.10"),
    ("5.2$2.0", "    2.00"), ("5.3$123.45", "  123.450"), ("5.2$-3.1", "   -3.10"),
    ("2.2$123.456", "123.456"), ("1.2$123.4", "123.4"), ("0.2$1.5", "1.5"),
    ("1.2$1.5", "1.50"), ("2.2$12.5", "12.50"), ("5.2$0.00001", "0.00001"),
    ("0.4$19.0", "19.0000"),        # kg writes before its buffer here: the whole number
])
def test_a_real_format_pads_the_fraction_but_never_cuts_it(k, src, text):
    assert k(src) == text


def test_the_catch_all_says_internal_error_and_keeps_python_behind_it():
    cause = ValueError("secret python words")
    e = python_error(cause, "plus")
    assert str(e) == "kg: error: plus: internal error"
    assert "secret" not in e.message


def test_an_internal_error_shows_its_python_side_under_klongtorch_traceback(tmp_path):
    import os
    import subprocess
    import sys
    import klongtorch
    script = tmp_path / "bug.py"
    # a primitive broken on purpose, run through the CLI as a user would meet it
    script.write_text("import sys\nfrom klongtorch.engine import primitives\n"
                      "from klongtorch.shell import cli\n"
                      "def bad(a):\n    raise ValueError('secret python words')\n"
                      "primitives.VERBS['#'].monad = bad\n"
                      "sys.exit(cli.main(['-e', '#[1 2]']))\n")
    env = dict(os.environ, PYTHONPATH=str(os.path.dirname(os.path.dirname(klongtorch.__file__))))
    quiet = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           env=dict(env, KLONGTORCH_TRACEBACK="0"), timeout=120)
    assert "internal error" in quiet.stderr and "secret" not in quiet.stderr
    loud = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=dict(env, KLONGTORCH_TRACEBACK="1"), timeout=120)
    assert "internal error" in loud.stderr and "secret python words" in loud.stderr
    assert "Traceback" in loud.stderr


@pytest.mark.parametrize("src, culprit", [
    ('0c0:=""', '[0c0 ""]'), ('"":="a"', '["" "a"]'), (f"{BIG}:=[]", f"[{BIG} []]"),
    ('"xy":="abc"', '["xy" "abc"]')])
def test_amend_needs_a_list_or_string_target_and_a_list_amendment(k, src, culprit):
    assert message(k, src) == f"kg: error: amend: type error: {culprit}"
    assert show(k("[1 2 3]:=[]")) == "[1 2 3]" and show(k('"abc":=[0cx 0]')) == '"xbc"'


@pytest.mark.parametrize("src", ['"abc"?1', '"abc"?[1]', '"abc"?:a', '""?:{[1 2]}'])
def test_a_string_is_searched_for_text_only(k, src):
    assert "find: type error" in message(k, src)
    assert show(k('"abc"?0cb')) == "[1]"


def test_index_in_depth_needs_an_index(k):
    assert message(k, "[1 2]:@[]") == "kg: error: index-in-depth: type error: [[1 2] []]"
    assert k("[[1 2] [3 4]]:@[1 0]") == 3


@pytest.mark.parametrize("src", ["{x}@[1 2]", "{x}@[]", "{x}@!3", "{x}:@[1 2]"])
def test_a_monad_applied_to_a_list_takes_its_one_element(k, src):
    assert message(k, src).startswith("kg: error: apply: wrong number of arguments: ")
    assert show(k("{x}@[[1 2]]")) == "[1 2]" and k("{x}@,1") == 1 and k("{1}@[]") == 1
