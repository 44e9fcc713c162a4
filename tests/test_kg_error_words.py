"""Error texts begin with kg's words and operands: `plus: type error: [1 "a"]`, then, where
it helps, what they mean. People coming from Klong search for kg's words, so for each common
kind the beginning of our message is kg's whole message; where ../shared is beside the clone,
kg itself is asked too (the expected texts below were taken from it)."""
import subprocess

import pytest

from klongtorch import Klong, KlongError

# expression: kg's message (kg -n -e EXPR), which ours must begin with
KG_SAYS = {
    '1+"a"': 'kg: error: plus: type error: [1 "a"]',
    '[1 [2 "a"]]+1': 'kg: error: plus: type error: ["a" 1]',
    '"ab"|"ba"': 'kg: error: max: type error: ["ab" "ba"]',
    '-"x"': 'kg: error: negate: type error: ["x"]',
    ':a%2': 'kg: error: divide: type error: [:a 2]',
    '5:%2.5': 'kg: error: integer-divide: type error: [5 2.5]',
    '1<"a"': 'kg: error: less: type error: [1 "a"]',
    '1+[]': 'kg: error: plus: type error: [1 []]',
    '[1 2]+[1 2 3]': 'kg: error: plus: shape error: [[1 2] [1 2 3]]',
    '[1 2]=[1 2 3]': 'kg: error: equal: shape error: [[1 2] [1 2 3]]',
    '[1 2 3]-[[1] [2]]': 'kg: error: minus: shape error: [[1 2 3] [[1] [2]]]',
    '[1 2]@5': 'kg: error: index: range error: 5',
    '"abc"@1.5': 'kg: error: index: type error: ["abc" 1.5]',
    '5@0': 'kg: error: index: type error: [5 0]',
    '{x}(1;2)': 'kg: error: wrong arity: :monad',
    '{x+y}(1)': 'kg: error: wrong arity: :dyad',
    'a::1;a(2)': 'kg: error: call: type error: [1]',
    'foo': 'kg: error: undefined: foo',
}
# syntax errors: kg says some as "syntax error: :eof" and some without the kind
# ("expected :), got: :eof"); ours always name the kind, then kg's words, then (sometimes) where
SYNTAX = {
    "1+": "kg: error: syntax error: :eof",
    "foo(1": "kg: error: expected :), got: :eof",
    "(1;2": "kg: error: expected :), got: :;",
    "{x": "kg: error: expected :}, got: :eof",
    ":[1": "kg: error: expected :;, got: :eof",
    "1+)": "kg: error: monad expected: :)",
    "1 2": "kg: error: syntax error: 2",
    '#"a" "b"': 'kg: error: syntax error: "b"',
    "1 :a": "kg: error: syntax error: :a",
    "[1 2": "kg: error: unexpected end of list/dict",
}


def syntax_words(message):
    """A syntax error's words after kg's prefix and the kind."""
    return message.removeprefix("kg: error: ").removeprefix("syntax error: ")


@pytest.fixture(scope="module")
def k():
    return Klong()


def ours(k, src):
    with pytest.raises(KlongError) as e:
        k(src)
    return e.value.message


@pytest.mark.parametrize("src", list(KG_SAYS))
def test_our_message_begins_with_kg_s(k, src):
    mine = ours(k, src)
    assert mine == KG_SAYS[src] or mine.startswith(KG_SAYS[src] + ": "), mine


@pytest.mark.parametrize("src", list(SYNTAX))
def test_syntax_errors_are_kg_s_words_after_the_kind(k, src):
    mine = ours(k, src)
    assert mine.startswith("kg: error: syntax error: ")
    words = syntax_words(SYNTAX[src])
    assert syntax_words(mine) == words or syntax_words(mine).startswith((words + ":", words + " (")), mine


def test_the_table_is_what_kg_says(kg):
    for src, said in {**KG_SAYS, **SYNTAX}.items():
        done = subprocess.run([str(kg), "-n", "-e", src], capture_output=True, text=True,
                              timeout=30)
        assert (done.stdout + done.stderr).splitlines()[0] == said, src


@pytest.fixture(scope="module")
def kg():
    from pathlib import Path

    from tests.differential.runner import find_kg
    found = find_kg(Path(__file__).resolve().parents[2] / "shared" / "klong" / "build-kg")
    if found is None:
        pytest.skip("the reference interpreter kg is not here (../shared/klong)")
    return found
