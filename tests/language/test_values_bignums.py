"""SEMANTICS : VALUES, the integer lexeme ("There is no limit on the values of integers"),
and the .d/.w/.p text of values (SEMANTICS : FUNCTIONS, [Write]).

Integers are exact at any size: Python ints for scalars, int64 tensors for uniform lists,
which fall back to exact Python integers whenever int64 could overflow.
"""
import math

import pytest
import torch

from klongtorch import Char, Dict, Klong, KlongError, Symbol
from klongtorch.value.text import show

I64_MAX = 2 ** 63 - 1
I64_MIN = -2 ** 63


@pytest.fixture
def k():
    return Klong()


def ints(v):
    """A Klong list of integers as a Python list, whatever its representation."""
    if isinstance(v, torch.Tensor):
        assert not v.dtype.is_floating_point
        return v.tolist()
    assert all(type(e) is int for e in v), v
    return list(v)


# -- bignum scalars ------------------------------------------------------------------------

def test_two_to_the_hundred(k):
    v = k("2^100")
    assert type(v) is int and v == 2 ** 100
    assert show(v) == "1267650600228229401496703205376"


def test_factorial_30_is_exact(k):
    assert k("*/1+!30") == math.factorial(30)
    assert show(k("*/1+!30")) == "265252859812191058636308480000000"


def test_bignum_literal_arithmetic(k):
    assert k("1267650600228229401496703205376+1") == 2 ** 100 + 1
    assert k("1267650600228229401496703205376-1267650600228229401496703205375") == 1
    assert k("1267650600228229401496703205376*1267650600228229401496703205376") == 2 ** 200
    assert k("1267650600228229401496703205376:%3") == 2 ** 100 // 3
    assert k("1267650600228229401496703205376!7") == 2 ** 100 % 7
    assert k("(2^100)=1267650600228229401496703205376") == 1
    assert k("(2^100)<2^101") == 1


def test_bignums_in_reductions_and_scans(k):
    assert k("+/[1267650600228229401496703205376 1267650600228229401496703205376]") == 2 ** 101
    assert ints(k("*\\1+!25")) == [math.factorial(n) for n in range(1, 26)]
    assert k("*/[100000000000 100000000000]") == 10 ** 22


def test_very_long_integers_read_and_print(k):
    # built without str(): outside Klong's calls Python's 4300-digit limit is the user's
    digits, value = "7" * 5000, 7 * (10 ** 5000 - 1) // 9
    assert k(digits) == value
    assert show(k(digits + "+1")) == "7" * 4999 + "8"      # shown outside a call, too
    assert k("#$2^20000") == 6021           # 20000 * log10(2), rounded up
    k["s"] = digits
    assert k(".rs(s)") == value


def test_negative_bignum_literals_in_lists(k):
    assert ints(k("[-1267650600228229401496703205376 1]")) == [-2 ** 100, 1]


def test_real_and_bignum_mix_to_real(k):
    assert k("(2^100)+0.5") == pytest.approx(2.0 ** 100)
    assert type(k("(2^100)%2")) is float


# -- int64 arrays fall back to exact values ------------------------------------------------

@pytest.mark.parametrize("src, expected", [
    ("+/[9223372036854775807 1]", I64_MAX + 1),
    ("9223372036854775807+1", I64_MAX + 1),
    ("-/[-9223372036854775807 2]", I64_MIN - 1),
    ("*/[4611686018427387904 4]", 2 ** 64),
    ("*/[3037000500 3037000500]", 3037000500 ** 2),
    ("+/[9223372036854775807 9223372036854775807 2]", 2 ** 64),
])
def test_int64_overflow_in_scalars(k, src, expected):
    assert k(src) == expected


@pytest.mark.parametrize("src, expected", [
    ("(!3)*10^18*10", [0, 10 ** 180, 2 * 10 ** 180]),        # right to left: 10^(18*10)
    ("((!3)*10^18)*10", [0, 10 ** 19, 2 * 10 ** 19]),
    ("[9223372036854775807]+1", [I64_MAX + 1]),
    ("2*[9223372036854775807 2]", [2 * I64_MAX, 4]),
    ("[9223372036854775807]*[9223372036854775807]", [I64_MAX ** 2]),
    ("[2]^[63]", [2 ** 63]),
    ("2^[63 64]", [2 ** 63, 2 ** 64]),
    ("+\\[9223372036854775807 1]", [I64_MAX, I64_MAX + 1]),
    ("*\\[4611686018427387904 4]", [2 ** 62, 2 ** 64]),
    ("-\\[-9223372036854775807 2]", [-I64_MAX, I64_MIN - 1]),
    ("(-[9223372036854775807])-2", [I64_MIN - 1]),
    ("(!5)-9223372036854775807", [n - I64_MAX for n in range(5)]),
    ("-[-9223372036854775808]", [2 ** 63]),
    ("-[-9223372036854775808 5]", [2 ** 63, -5]),
    ("[-9223372036854775808]:%-1", [2 ** 63]),
    ("[-9223372036854775808 6]:%[-1 -2]", [2 ** 63, -3]),
    ("[-9223372036854775808]!-1", [0]),
    ("[1 2]|[9223372036854775808 2]", [2 ** 63, 2]),
    ("(1267650600228229401496703205376)+!3", [2 ** 100, 2 ** 100 + 1, 2 ** 100 + 2]),
    ("[1267650600228229401496703205376 1]:%2", [2 ** 99, 0]),
])
def test_int64_array_overflow_falls_back_to_exact_values(k, src, expected):
    assert ints(k(src)) == expected


def test_exact_matrix_results(k):
    v = k("-[[-9223372036854775808 1] [1 1]]")
    assert [ints(row) for row in v] == [[2 ** 63, -1], [-1, -1]]
    v = k("+/[[9223372036854775807 1] [1 1]]")
    assert ints(v) == [I64_MAX + 1, 2]


def test_results_that_fit_stay_tensors(k):
    v = k("[1 2 3]*10^18")
    assert isinstance(v, torch.Tensor) and v.tolist() == [10 ** 18, 2 * 10 ** 18, 3 * 10 ** 18]
    assert isinstance(k("-[-9223372036854775807]"), torch.Tensor)
    assert isinstance(k("[6 4]:%2"), torch.Tensor)


def test_exact_results_compare_with_match(k):
    assert k("(+/[9223372036854775807 1])~9223372036854775808") == 1
    assert k("((!3)*10^19)~[0 10000000000000000000 20000000000000000000]") == 1


# -- readable text of values ---------------------------------------------------------------

@pytest.mark.parametrize("src, text", [
    ("5.0", "5.0"), ("1.5", "1.5"), ("3%2", "1.5"), ("1%4", "0.25"), ("10%2", "5.0"),
    ("0.1", "0.1"), ("-0.5", "-0.5"), ("1.", "1.0"), ("1e6", "1000000.0"),
    ("1e100", "1.0e+100"), ("2.5e-10", "0.00000000025"), ("123", "123"), ("-123", "-123"),
    ("[1.0 2.5]", "[1.0 2.5]"), ("[1 2.5]", "[1 2.5]"), ("!0", "[]"), ("[]", "[]"),
    ("0cx", "0cx"), ("0c ", "0c "), ('"test"', '"test"'), ('""', '""'),
    ('"say ""hi"""', '"say ""hi"""'), (":foo", ":foo"), ("[a b]", "[:a :b]"),
    ('[1 "a" 0cb :c [2]]', '[1 "a" 0cb :c [2]]'), ("[[1 2] [3 4]]", "[[1 2] [3 4]]"),
    (":{[1 2]}", ":{[1 2]}"), (":{}", ":{}"), ('{x}', ":monad"), ("{1}", ":nilad"),
    ("{x+y}", ":dyad"), ("{x+y+z}", ":triad"), ("{x+y}(1;)", ":monad"), (".p", ":monad"),
    (".rn", ":nilad"), (":undefined", ":undefined"), ("1%0", ":undefined"),
])
def test_show(k, src, text):
    assert show(k(src)) == text


@pytest.mark.parametrize("src, d_text, w_text", [
    ("0cx", "x", "0cx"),
    ('"test"', "test", '"test"'),
    ('"say ""hi"""', 'say "hi"', '"say ""hi"""'),
    ('""', "", '""'),
    ("0c\"", '"', '0c"'),
    ("123", "123", "123"),
    ("1.5", "1.5", "1.5"),
    ("5.0", "5.0", "5.0"),
    ("2^100", "1267650600228229401496703205376", "1267650600228229401496703205376"),
    (":sym", ":sym", ":sym"),
    ("[1 2 3]", "[1 2 3]", "[1 2 3]"),
    ("[]", "[]", "[]"),
    (":{[1 2] [3 4]}", ":{[1 2] [3 4]}", ":{[1 2] [3 4]}"),
    ("{x}", ":monad", ":monad"),
    ("{x;y;z}", ":triad", ":triad"),
    (":undefined", ":undefined", ":undefined"),
])
def test_d_and_w_text_as_in_the_reference_table(k, capsys, src, d_text, w_text):
    k[".v"] = k(src)
    k(".d(.v)")
    assert capsys.readouterr().out == d_text
    k(".w(.v)")
    assert capsys.readouterr().out == w_text
    k(".p(.v)")
    assert capsys.readouterr().out == d_text + "\n"


def test_d_w_p_return_their_argument(k, capsys):
    assert k('.d("x")') == "x"
    assert k(".w(0cx)") == Char("x")
    assert k(".p(5)") == 5
    capsys.readouterr()


def test_p_of_empty_string_prints_a_newline(k, capsys):
    k('.p("")')
    assert capsys.readouterr().out == "\n"


def test_eof_object_text(k, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.txt").write_text("")
    k('.fc(.ic("e.txt"));e::.r();.fc(0)')
    k(".w(e)")
    assert capsys.readouterr().out == ":eof"


# -- values in Python -----------------------------------------------------------------------

def test_python_types_of_values(k):
    assert type(k("1")) is int
    assert type(k("1.5")) is float
    assert type(k("0cx")) is Char
    assert type(k('"ab"')) is str
    assert k(":foo") is Symbol("foo")
    assert isinstance(k("[1 2 3]"), torch.Tensor)
    assert type(k('[1 "a"]')) is list
    assert type(k(":{[1 2]}")) is Dict


def test_lists_auto_quote_symbols(k):
    k("a::1")
    assert show(k("[a 1]")) == "[:a 1]"
    assert k("[a]~[:a]") == 1


def test_dictionaries(k):
    k('d:::{[1 "one"] [:two 2] ["three" [3]]}')
    assert k("d?1") == "one"
    assert k("d?:two") == 2
    assert show(k('d?"three"')) == "[3]"
    assert show(k("d?4")) == ":undefined"
    assert k("#d") == 3
    k('d,[4 "four"]')
    assert k("d?4") == "four"
    assert show(k("d?4.0")) == ":undefined"    # as kg: a real key is not an integer key


def test_dictionary_literals_are_fresh_each_time(k):
    k("mk::{:{[1 2]}}")
    k("a::mk();a,[3 4]")
    assert k("#a") == 2
    assert k("#mk()") == 1


def test_undefined(k):
    assert show(k(":undefined")) == ":undefined"
    assert show(k("1%0")) == ":undefined"
    assert show(k(":{}?1")) == ":undefined"
    assert show(k("{[a];a}()")) == ":undefined"


def test_undefined_variable_is_an_error_not_undefined(k):
    with pytest.raises(KlongError, match="^kg: error: "):
        k("never.defined")


def test_set_and_get_globals_from_python(k):
    k["big"] = 2 ** 100
    assert k("big+1") == 2 ** 100 + 1
    k["lst"] = [1, 2, 3]
    assert show(k("lst")) == "[1 2 3]"
    k["big2"] = [2 ** 64, 1]
    assert ints(k("big2+1")) == [2 ** 64 + 1, 2]
