"""Bounded displays (klongtorch/value/summary.py): small values as show writes them, large ones as
head … tail with their shape, huge integers with their digit count."""
import math
import random
import sys
from contextlib import contextmanager

import pytest
import torch

from klongtorch import Klong
from klongtorch.value.text import show
from klongtorch.value.values import Dict
from klongtorch.value.summary import MAX_DIGITS, int_text, summary


@pytest.fixture(scope="module")
def k():
    return Klong(device="cpu")


@contextmanager
def all_digits():
    """str() of any int, whatever limit the process has (to check against)."""
    saved = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else None
    if saved is not None:
        sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        if saved is not None:
            sys.set_int_max_str_digits(saved)


@pytest.mark.parametrize("src", ["42", "-7", "3.5", '"hi ""x"""', "0cx", ":foo", "[1 2 3]",
                                 "[1 \"a\" :b]", ":{[1 2] [3 [4 5]]}", "{x+1}", "[[1 2] [3 4]]",
                                 "[]", '""', "!1000", "[2 3 4]:^!24", "1.5*!1000",
                                 "10^999", "-10^999", "{x}'!1000", "400:^\"abc\""])
def test_small_values_are_shown_whole(k, src):
    v = k(src)
    assert summary(v) == show(v)


def test_float32_elements_as_show_writes_them():
    t = torch.linspace(0, 1, 2000, dtype=torch.float32)
    text = summary(t)
    ends = show(t[:3])[1:-1], show(t[-3:])[1:-1]      # float32's shortest digits
    assert text == f"[{ends[0]} … {ends[1]}]\n(shape [2000])"
    assert "0.00050025014" in text


def test_long_vector(k):
    assert summary(k("!10000000")) == "[0 1 2 … 9999997 9999998 9999999]\n(shape [10000000])"
    assert summary(k("!1001")) == "[0 1 2 … 998 999 1000]\n(shape [1001])"


def test_matrix_one_row_a_line(k):
    lines = summary(k("[1000 1000]:^!1000000")).split("\n")
    assert lines[0] == "[[0 1 2 … 997 998 999]"
    assert lines[1] == " [1000 1001 1002 … 1997 1998 1999]"
    assert lines[3] == " …"
    assert lines[6] == " [999000 999001 999002 … 999997 999998 999999]]"
    assert lines[7] == "(shape [1000 1000])"


def test_higher_rank_stays_small(k):
    text = summary(k("[100 100 100]:^!1000000"))
    assert text.endswith("(shape [100 100 100])") and len(text) < 3000
    assert text.startswith("[[[0 1 2 … 97 98 99]\n  [100 101 102 … 197 198 199]")
    assert "999997 999998 999999]]]" in text


def test_lists_strings_and_dicts(k):
    assert summary(k('(!2000),"abc"')) == '[0 1 2 … 1998 1999 "abc"]\n(length 2001)'
    text = summary(k('1000000:^"ab"'))
    assert text.startswith('"abab') and text.endswith('abab" (1000000 chars)')
    assert "…" in text and len(text) < 500
    d = Dict((i, i) for i in range(3000))
    text = summary(d)
    assert text.startswith(":{[0 0] [1 1] [2 2] … ") and len(text) < 100


def test_nested_lists_are_bounded(k):
    nested = k("[10 10 10 10 10 10]:^!1000000")
    v = [["x" * 100000, 2 ** 100000, nested]] * 5000
    text = summary(v)
    assert len(text) < 60000 and text.endswith("(length 5000)")
    assert "(30103 digits)" in text and "(100000 chars)" in text


def test_huge_integers_have_a_digit_cap(k):
    text = summary(k("2^3000000"))
    head, tail = text.split(" ")[0].split("…")
    count = math.floor(3000000 * math.log10(2)) + 1
    assert text.endswith(f"({count} digits)") and count == 903090
    assert tail == str(pow(2, 3000000, 10 ** 20)).rjust(20, "0")
    assert len(head) == 20 and head.startswith("970491963")
    assert summary(k("-2^3000000")).startswith("-970491963")


def test_capped_digits_are_exact():
    rng = random.Random(11)
    with all_digits():
        cases = [10 ** 1000, 10 ** 1000 - 1, 10 ** 5000, 10 ** 5000 - 1, 10 ** 5000 + 1,
                 2 ** 20000, 3 ** 9000, -(7 ** 4000)]
        cases += [rng.getrandbits(rng.randint(3300, 30000)) for _ in range(40)]
        for n in cases:
            full = str(abs(n))
            sign = "-" if n < 0 else ""
            if len(full) <= MAX_DIGITS:
                assert int_text(n) == sign + full
            else:
                assert int_text(n) == f"{sign}{full[:20]}…{full[-20:]} ({len(full)} digits)"


def test_huge_integers_need_no_digit_limit_lifted():
    saved = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else None
    if saved is None:
        pytest.skip("this Python has no limit on an int's digits")
    sys.set_int_max_str_digits(4300)
    try:
        assert int_text(10 ** 5000).endswith("(5001 digits)")
    finally:
        sys.set_int_max_str_digits(saved)


def test_error_messages_quote_big_values_bounded(k):
    from klongtorch import KlongError
    with pytest.raises(KlongError) as info:
        k(".jacobian(!10000000;1)")
    assert info.value.message == ("kg: error: .jacobian: type error: not a function: "
                                  "[0 1 2 … 9999997 9999998 9999999]")
    from klongtorch.value.errors import err
    assert err("plus", "type", 2 ** 100000).message.endswith("(30103 digits)")
