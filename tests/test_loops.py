"""Adverb loops over lambda literals written inline (klongtorch/engine/loops.py): the same values
and errors as the adverbs, which the same programs reach through a variable."""
import pytest

from klongtorch import Klong, KlongError
from klongtorch.value.text import show

# (program with literals, the same through variables s and c), s and c are defined below
CASES = [
    ("{x<100}{x*2}:~1", "c1 s2:~1"),
    ("{x<3}{x+1}:~0.5", "c3 s1:~0.5"),
    ("{3>#x}{x,1}:~[]", "c4 s3:~[]"),
    ("5{x+1}:*0", "5 s1:*0"),
    ("0{x+1}:*7", "0 s1:*7"),
    ("3{1,x}:*[]", "3 s4:*[]"),
    ("{x+y}/!10", "add/!10"),
    ("{x+y}/[]", "add/[]"),
    ("{x+y}/5", "add/5"),
    ("{x+y}/[7]", "add/[7]"),
    ("{x,y}/\"abc\"", "cat/\"abc\""),
    ("{x-y}/[[1 2] [3 4] [5 6]]", "sub/[[1 2] [3 4] [5 6]]"),
    ("{x+y}/[1 2.5 3]", "add/[1 2.5 3]"),
    ("{(x+2%x)%2}:~2", "newton:~2"),
    ("{_x%2}:~100", "halve:~100"),
    ("{x}:~[1 2]", "same:~[1 2]"),
]
ERRORS = [
    ("(-1){x+1}:*0", "(-1)s1:*0"),
    ("1.5{x+1}:*0", "1.5 s1:*0"),
    ("{x<3}{x+\"a\"}:~0", "c3 bad:~0"),
    ("{x+y*\"a\"}/!3", "badadd/!3"),
]
SETUP = ("s1::{x+1};s2::{x*2};s3::{x,1};s4::{1,x};c1::{x<100};c3::{x<3};c4::{3>#x};add::{x+y};"
         "cat::{x,y};sub::{x-y};newton::{(x+2%x)%2};halve::{_x%2};same::{x};"
         "bad::{x+\"a\"};badadd::{x+y*\"a\"}")


@pytest.fixture
def k():
    k = Klong()
    k(SETUP)
    return k


@pytest.mark.parametrize("inline, through", CASES)
def test_the_written_loop_is_the_adverb(k, inline, through):
    want = show(k(through))
    assert show(k(inline)) == want
    assert show(k("{" + inline + "}()")) == want          # in a function body too


@pytest.mark.parametrize("inline, through", ERRORS)
def test_the_written_loop_fails_as_the_adverb(k, inline, through):
    with pytest.raises(KlongError) as want:
        k(through)
    with pytest.raises(KlongError) as got:
        k(inline)
    assert got.value.message.split(": ")[:3] == want.value.message.split(": ")[:3]
    assert got.value.pos is not None                    # the caret still has a place


def test_loops_are_written_inline_only_where_they_can_be(k):
    k("w::{{x<10}{x+1}:~x}")
    assert "while True" in k["w"].body.klong_source
    k("w2::{{x<10}{[a];a::x;a+1}:~x}")                   # a local: through the adverb
    assert "while True" not in k["w2"].body.klong_source
    assert k("w(0)") == 10 and k("w2(0)") == 10


def test_an_interrupt_stops_a_written_loop():
    from conftest import interrupting
    k = Klong()
    with interrupting(), pytest.raises(KeyboardInterrupt):
        k("{x>-1}{x+1}:~0")