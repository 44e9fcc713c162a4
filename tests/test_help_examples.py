"""Executable help: every `Example:` in the help table runs and gives what it says.

The help is the docstrings (klongtorch.shell.help): an example there is `EXPR --> RESULT`, several
to a line, four spaces apart, and the examples of one entry run in order in one interpreter
(`f::{x*x} --> :monad    f(3) --> 9`). `...` in a RESULT stands for what is left out (a
number ending in it is approximate). Where the
reference interpreter is beside the clone (../shared), each example that kg can run is also
asked of kg, so that a wrong example (as `:#[72 105] --> "Hi"` once was) cannot hide behind
an implementation that agrees with it.
"""
import re

import pytest

from klongtorch import Klong, KlongError
from klongtorch.shell import help as helptable
from klongtorch.value.text import show

from tests.differential.runner import find_kg, run_kg

# an example's expression and its result: up to four spaces (or the line's end) after it
_EXAMPLE = re.compile(r"(.+?) --> (.+?)(?: {4,}|$)")


def examples_of(text):
    """[(expr, expected)] of a help text, in order."""
    found = []
    for line in text.split("\n"):
        head, colon, rest = line.strip().partition(":")
        if not colon or head not in ("Example", "Examples"):
            continue
        found += [(e.strip(), r.strip()) for e, r in _EXAMPLE.findall(rest.strip())]
    return found


def table():
    """{topic: [(expr, expected)]} for every entry with examples."""
    k = Klong()
    out = {}
    for entry in helptable.entries(k):
        got = examples_of(entry.text)
        if got:
            out.setdefault(entry.topic, []).extend(got)
    return out


EXAMPLES = table()


def _number(text):
    try:
        return float(text)
    except ValueError:
        return None


def matches(shown, expected, digits=1e-15):
    """shown is expected; `...` makes expected approximate (a number to within 1e-8, else a
    prefix), and a real may differ in its last digits (kg prints 17 and more)."""
    if shown == expected:
        return True
    if expected.endswith("..."):
        a, b = _number(shown), _number(expected[:-3])
        if a is not None and b is not None:
            return abs(a - b) <= 1e-8 * max(1.0, abs(b))
    if "..." in expected:                     # what is left out: ["a" "b" ...]
        head, _, tail = expected.partition("...")
        return shown.startswith(head) and shown.endswith(tail) and \
            len(shown) >= len(head) + len(tail)
    a, b = _number(shown), _number(expected)
    return a is not None and b is not None and abs(a - b) <= digits * max(1.0, abs(b))


# where kg and the help (and the manual) part ways, on purpose
KG_DIFFERS = {
    '<"hello"': "kg's grade is not stable (its sort is not); the manual's grade, and ours, is",
}


def test_the_help_has_examples_to_run():
    assert sum(map(len, EXAMPLES.values())) > 150
    assert ("12+3", "15") in EXAMPLES["+"]


@pytest.mark.parametrize("topic", sorted(EXAMPLES))
def test_each_example_gives_what_it_says(topic, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)             # examples that write files write them here
    k = Klong()
    for expr, expected in EXAMPLES[topic]:
        try:
            shown = show(k(expr))
        except KlongError as e:
            shown = e.message
        assert matches(shown, expected, digits=0), \
            f"{expr} gave {shown}, the help says {expected}"


@pytest.fixture(scope="module")
def kg():
    from pathlib import Path
    build = Path(__file__).resolve().parents[2] / "shared" / "klong" / "build-kg"
    found = find_kg(build)
    if found is None:
        pytest.skip("the reference interpreter kg is not here (../shared/klong)")
    return found


# what only klongtorch has: examples that use it are not asked of kg
OURS = re.compile(r"[∇∂˙]|:>|\.(compile|graph|export|cmodes|jacobian|hessian|jvp|vjp|grad|"
                  r"sgd|adam|plot|scatter|hist|draw|device|dtype|py|bkf|sigmoid|tanh|relu|"
                  r"exp|log|sin|cos|sqrt|abs|softmax|rn|timer|async|os)\b")


def test_the_examples_are_what_kg_says(kg):
    asked, wrong = 0, []
    for topic, pairs in sorted(EXAMPLES.items()):
        if any(OURS.search(e) for e, _ in pairs):
            continue
        outcomes = run_kg([e for e, _ in pairs], kg)
        for (expr, expected), (kind, text) in zip(pairs, outcomes):
            if kind != "value":
                continue                      # kg has no such function, or it is an error
            asked += 1
            if not matches(text.strip(), expected) and expr not in KG_DIFFERS:
                wrong.append(f"{topic}: {expr} --> {expected}, kg says {text.strip()}")
    assert asked > 100
    assert wrong == []
