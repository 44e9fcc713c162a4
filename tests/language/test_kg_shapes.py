"""Reshape, cut, split and form as kg does them (kg.c's reshape, cut, split and form): the
strings of a reshaped list are read as their characters, a cut cannot reach past the end of
its list, a split reads only the sizes it uses, and a form needs a string. Every answer and
message here is what `kg -n -e EXPR` prints."""
import pytest

from klongtorch import Klong
from klongtorch.value.text import show

from .support import BIG, message


@pytest.fixture
def k():
    return Klong()


# -- a:^b --------------------------------------------------------------------------------

@pytest.mark.parametrize("src, answer", [
    ('5:^["ab"]', '"ababa"'), ('10:^["x"]', '"xxxxxxxxxx"'), ('3:^["a" "bcd" ""]', '"abc"'),
    ('[2 2]:^["ab" "cd"]', '["ab" "cd"]'), ('[1 2 3]:^["ab" "cd"]', '[["abc" "dab"]]'),
    ('[3 3 3]:^["ab" "cd"]',
     '[["abc" "dab" "cda"] ["bcd" "abc" "dab"] ["cda" "bcd" "abc"]]'),
    ('[2 3]:^["abcd"]', '["abc" "dab"]'),
    ('[-1]:^["ab" "cd"]', '"ab"'), ('[-1 2]:^["ab" "cd"]', '["ab" "cd"]'),
])
def test_reshape_reads_a_list_of_strings_as_its_characters(k, src, answer):
    assert show(k(src)) == answer


def test_reshape_joins_runs_of_strings_and_keeps_everything_else_whole(k):
    assert show(k('4:^[1 "ab" "cd" 2]')) == '[1 "abcd" 2 1]'
    assert show(k('4:^["ab" 1 "cd"]')) == '["ab" 1 "cd" "ab"]'
    assert show(k('[2 3]:^["ab" :a "cd"]')) == '[["ab" :a "cd"] ["ab" :a "cd"]]'
    assert show(k('2:^[["ab" "cd"]]')) == '[["ab" "cd"] ["ab" "cd"]]'
    assert show(k("[2]:^[[1 2 3]]")) == "[[1 2 3] [1 2 3]]"
    assert show(k("[2 2]:^[[1 2] [3 4]]")) == "[[[1 2] [3 4]] [[1 2] [3 4]]]"


def test_every_minus_one_in_a_shape_is_half_the_source(k):
    assert show(k("[-1 -1]:^!8")) == "[[0 1 2 3] [4 5 6 7] [0 1 2 3] [4 5 6 7]]"
    assert show(k('[-1 -1]:^["ab" "cd"]')) == '["ab" "cd"]'
    assert show(k("[2 -1]:^!6")) == "[[0 1 2] [3 4 5]]"


@pytest.mark.parametrize("src, text", [
    ("[]:^[1 2 3]", "reshape: expected integer, got: []"),
    ('[]:^"abc"', "reshape: expected integer, got: []"),
    ("[2.0]:^[1 2]", "reshape: expected integer, got: 2.0"),
    ("[[2]]:^[1 2]", "reshape: expected integer, got: [2]"),
    ("2.0:^[1 2]", "reshape: type error: [2.0 [1 2]]"),
    (":a:^[1 2]", "reshape: type error: [:a [1 2]]"),
    ("[-2]:^[1 2]", "reshape: range error: -2"),
    ("[2 0 :a]:^[1 2]", "reshape: range error: 0"),
    ("[-1 2]:^[]", "reshape: range error: -1"),
    (f"[{BIG}]:^[1 2]", f"reshape: range error: {BIG}"),
])
def test_reshape_names_the_dimension_that_is_wrong(k, src, text):
    assert message(k, src) == "kg: error: " + text


# -- a:_b --------------------------------------------------------------------------------

@pytest.mark.parametrize("src, text", [
    ('"":_[1 2]', 'cut: type error: ["" [1 2]]'), ('"":_"abc"', 'cut: type error: ["" "abc"]'),
    ("2:_3", "cut: type error: [2 3]"), ("2.0:_[1 2 3]", "cut: type error: [2.0 [1 2 3]]"),
    ("0ca:_[1 2]", "cut: type error: [0ca [1 2]]"),
])
def test_cut_needs_an_integer_or_a_list_of_them_and_a_list_or_string(k, src, text):
    assert message(k, src) == "kg: error: " + text


@pytest.mark.parametrize("src, text", [
    ("10:_[]", "cut: length error: [10]"), ("[2 2]:_[]", "cut: length error: [2 2]"),
    ("4:_[1 2 3]", "cut: length error: [4]"), ("[2 5]:_[1 2 3]", "cut: length error: [2 5]"),
    ("[5 :a]:_[1 2]", "cut: length error: [5 :a]"),
    (":_:'[1 [2 3] []]", "cut: length error: [2 3]"),
    ('4:_"abc"', "cut: range error: [4]"), ('1:_""', "cut: range error: [1]"),
    ("(-1):_[1 2]", "cut: range error: [-1]"),
])
def test_a_cut_beyond_the_end_is_a_length_error_or_in_a_string_a_range_error(k, src, text):
    assert message(k, src) == "kg: error: " + text


def test_a_cut_may_reach_the_end_exactly(k):
    assert show(k("3:_[1 2 3]")) == "[[1 2 3] []]"
    assert show(k('3:_"abc"')) == '["abc" ""]'
    assert show(k("[0 0]:_[]")) == "[[] []]" and show(k('0:_""')) == '[""]'
    assert message(k, "4:_[1 2 3]") == "kg: error: cut: length error: [4]"


@pytest.mark.parametrize("src, culprit", [
    ("[1 :a]:_[1 2 3]", ":a"), ("[1 2.0]:_[1 2 3]", "2.0"), ('[1 2.0]:_"abc"', "2.0"),
    ("[[1]]:_[1 2]", "[1]"),
])
def test_a_cut_position_must_be_an_integer(k, src, culprit):
    assert message(k, src) == "kg: error: cut: expected integer, got: " + culprit


# -- a:#b --------------------------------------------------------------------------------

@pytest.mark.parametrize("src, answer", [
    ('[2.0]:#""', "[]"), ('[0 5 -2]:#""', "[]"), ("0:#[]", "[]"), ('0:#""', "[]"),
    ("[1 2.0 3]:#[[]]", "[[[]]]"), ("[10 0.5]:#([:a :b :c]=:foo)", "[[0 0 0]]"),
    ("[4 0 1 3]:#(,0cz)", '["z"]'), ('[1 ["a" [2]]]:#[[[1 2] [3 4]]]', "[[[[1 2] [3 4]]]]"),
    ("[1 2 :a]:#[1 2 3]", "[[1] [2 3]]"), ("[1 2 0]:#[1 2 3]", "[[1] [2 3]]"),
    ("[2 0]:#[1 2]", "[[1 2]]"),
])
def test_split_reads_only_the_sizes_it_uses(k, src, answer):
    assert show(k(src)) == answer


@pytest.mark.parametrize("src, text", [
    ("[2.0]:#[1 2 3]", "split: expected integer, got: 2.0"),
    ('[1 2.0]:#"abcde"', "split: expected integer, got: 2.0"),
    ('[1 2.0]:#"ab"', "split: expected integer, got: 2.0"),
    ("[:a]:#[1 2]", "split: expected integer, got: :a"),
    ('[1 [2]]:#"abcd"', "split: expected integer, got: [2]"),
    ("[1 0]:#[1 2 3]", "split: range error: 0"), ("[1 -1]:#[1 2]", "split: range error: -1"),
    ("[2 0]:#[1 2 3]", "split: range error: 0"),
    ("[]:#[1 2]", "split: type error: [[] [1 2]]"), ("[]:#[]", "split: type error: [[] []]"),
    ("2:#3", "split: type error: [2 3]"), ("2.0:#[1 2]", "split: type error: [2.0 [1 2]]"),
    ('"ab":#[1 2]', 'split: type error: ["ab" [1 2]]'),
    (":a:#[]", "split: type error: [:a []]"),
])
def test_a_split_size_is_checked_when_it_is_used(k, src, text):
    assert message(k, src) == "kg: error: " + text


@pytest.mark.parametrize("src", ["12345678901234567890:#[1]", "3000000000:#[1 2]",
                                 "[1 12345678901234567890]:#[1.5 2.5]"])
def test_a_split_size_past_a_machine_int_is_a_range_error(k, src):
    # kg reads such a size as 0 ("split: range error: 0"); here the size itself is named
    assert "split: range error: " in message(k, src)


def test_a_split_size_below_a_machine_int_is_one_piece(k):
    assert show(k("2147483647:#[1 2]")) == "[[1 2]]"


# -- a:$b and a$b ------------------------------------------------------------------------

@pytest.mark.parametrize("src, culprit", [
    ("[]:$[]", "[]"), ("[]:$3", "3"), ("1:$[]", "[]"), ("1:$:a", ":a"), ("1:$[1 2]", "1"),
    ("[[]]:$[[]]", "[]"), ('[1 []]:$["2" []]', "[]"), ('1:$["1" ["2" 3]]', "3"),
    ('"":$1', "1"), ("{x}:$1", "1"),
])
def test_form_reads_strings_only(k, src, culprit):
    assert message(k, src) == "kg: error: form: expected string, got: " + culprit


@pytest.mark.parametrize("src, text", [
    ('[1 2]:$["1"]', 'form: shape error: [["1"] [1 2]]'),
    ("[]:$[1 2]", "form: shape error: [[1 2] []]"),
    ('[]:$["1" "2"]', 'form: shape error: [["1" "2"] []]'),
    ("[]$[]", "format2: type error: [[] []]"), ("[]$1", "format2: type error: [1 []]"),
    (":a$1", "format2: type error: [1 :a]"), ("[1 2]$[]", "format2: shape error: [[] [1 2]]"),
])
def test_form_and_format2_name_the_value_before_the_prototype_or_width(k, src, text):
    assert message(k, src) == "kg: error: " + text


@pytest.mark.parametrize("src, text", [
    ("[1 :a]$[1 2 3]", "format2: type error: [2 :a]"),
    ('[1 :a]$["a" "bcd" ""]', 'format2: type error: ["bcd" :a]'),
    ("[[2]]$[[] []]", "format2: shape error: [[] [2]]"),
    ("[[2]]:$[[1 2 3]]", "form: expected string, got: 1"),
    ("[2 2]:$[1 2 3]", "form: expected string, got: 1"),
    ("(!3):$[0ca 0cb]", "form: expected string, got: 0ca"),
])
def test_the_pairs_two_lists_have_come_before_their_shape_error(k, src, text):
    assert message(k, src) == "kg: error: " + text
