"""klongtorch against the reference interpreter kg, on seeded random expressions.

The generator (tests/differential/generator.py) covers every verb in both valences, every
adverb and every value kind; each expression runs in kg and in klongtorch, and each pair of
outcomes is classified (tests/differential/runner.py). The differences kept on purpose are
one table (tests/differential/deviations.py, README "Deviations from kg"); they are counted
apart. Skipped when ../shared (and so kg) is not there.

`python -m tests.differential [N] [SEED]` prints the same figures with examples.
"""
import pytest

from conftest import SHARED_KLONG
from differential import generator, runner
from differential.deviations import DEVIATIONS

N = 1500
SEED = 20221212
# the seed the bounds were first set on, and two that had not been run before the bounds
# were last lowered (new seeds found the last round of differences)
SEEDS = (SEED, 7919, 104729)

# bounds reached on this generator and these seeds; lower them as klongtorch comes closer
# to kg (on 40 other seeds of 5,000 expressions: 0 to 3 differences each, none internal)
MAX_DISAGREE = 0.002         # value or type differs, or an error where kg answers
MAX_LENIENT = 1              # answers where kg reports an error


@pytest.fixture(scope="module", params=SEEDS)
def rows(request):
    if not SHARED_KLONG.exists():
        pytest.skip(f"needs the Klong distribution at {SHARED_KLONG}")
    kg = runner.find_kg(SHARED_KLONG / "build-kg")
    if kg is None:
        pytest.skip(f"{SHARED_KLONG / 'build-kg'} did not build kg")
    return runner.compare(generator.expressions(N, request.param), DEVIATIONS, kg)


def _examples(rows, cls, n=15):
    return "\n".join(f"  {e}\n      kg: {a[1][:100]}\n      kt: {b[1][:100]}"
                     for e, a, b, c, _ in rows if c == cls)[:4000]


def test_the_generator_is_seeded_and_covers_every_verb_and_adverb():
    first = generator.expressions(300, SEED)
    assert first == generator.expressions(300, SEED)
    assert first != generator.expressions(300, SEED + 1)
    text = "\n".join(generator.expressions(N, SEED))
    for word in set(generator.MONADS + generator.DYADS + generator.ADVERBS):
        assert word in text, word
    for kind, literals in generator.NOUNS.items():
        assert any(lit in text for lit in literals), kind


def test_no_internal_text_in_any_message(rows):
    assert not [r for r in rows if r[3] == runner.INTERNAL], _examples(rows, runner.INTERNAL)


def test_no_hangs(rows):
    assert not [r for r in rows if r[3] == runner.HANG], _examples(rows, runner.HANG)


def test_disagreements_under_one_percent(rows):
    counts = runner.tally(rows)
    compared = len(rows) - counts[runner.KG_HANG]
    assert compared >= 0.97 * N
    bad = counts[runner.VALUE] + counts[runner.TYPE] + counts[runner.ERROR]
    assert bad < MAX_DISAGREE * compared, (
        f"{counts}\n" + "\n".join(_examples(rows, c) for c in (runner.VALUE, runner.TYPE,
                                                               runner.ERROR)))


def test_leniencies_are_bounded(rows):
    lenient = runner.tally(rows)[runner.LENIENT]
    assert lenient <= MAX_LENIENT, _examples(rows, runner.LENIENT)


def test_most_expressions_agree_outright(rows):
    counts = runner.tally(rows)
    assert counts[runner.AGREE] >= 0.85 * N, counts


def test_each_deviation_is_seen_and_recognised_narrowly():
    """The table expects what it says and nothing more."""
    by_name = {d.name: d for d in DEVIATIONS}
    floats = by_name["float64 reals"].expects
    assert floats("%3", ("value", "0.333333333333333333"), ("value", "0.3333333333333333"))
    assert not floats("%3", ("value", "0.333333333333333333"), ("value", "0.33"))
    assert not floats("1", ("value", "1"), ("value", "1.0"))
    ieee = by_name["inf and nan"].expects
    assert ieee("%0.0", ("value", "[:undefined 1]"), ("value", "[inf 1]"))
    assert ieee("{x+1}(%[4 0])", ("error", "kg: error: plus: type error: [:undefined 1]"),
                ("value", "[1.25 inf]"))
    assert not ieee("{x+1}(%[4 2])", ("error", "kg: error: plus: type error: [1 :a]"),
                    ("value", "[1.25 inf]"))
    assert floats("_x", ("value", "[4611686018427387900 72057594037927937]"),
                  ("value", "[4611686018427388000 72057594037927936]"))
    assert not floats("_x", ("value", "[1 720575940379279]"), ("value", "[1 720575940379278]"))
    assert floats("_x", ("value", "[0 -6172839450617283900]"),
                  ("value", "[0 -6172839450617284000]"))
    assert not floats("_x", ("value", "6172839450617283900"), ("value", "6172839450617383900"))
    assert not ieee("x", ("value", "[:undefined 1]"), ("value", "[inf 2]"))
    grade = by_name["stable grade"].expects
    assert grade('<"hello"', ("value", "[1 0 3 2 4]"), ("value", "[1 0 2 3 4]"))
    assert not grade('<"hello"', ("value", "[1 0 3 2 4]"), ("value", "[1 0 2 3 5]"))
    # kg's order of ties, followed through what is done with the grade afterwards
    assert grade("{x,x}'(<[2 2])", ("value", "[[1 1] [0 0]]"), ("value", "[[0 0] [1 1]]"))
    assert grade('>"abba"', ("value", "[1 2 3 0]"), ("value", "[2 1 3 0]"))
    assert not grade("{x,x}'(<[2 2])", ("value", "[[1 1] [0 1]]"), ("value", "[[0 0] [1 1]]"))
    past = by_name["float64 range"].expects
    assert past("[1 2 3]^2500.0", ("value", "[1.0 3.75828023454799266e+752 6.3e+1192]"),
                ("value", "[1 inf inf]"))
    assert past("2^2500.0", ("value", "3.75828023454799266e+752"),
                ("error", "kg: error: power: range error: result too large"))
    assert past("(10^400)^-1", ("value", "1.0e-400"), ("value", "0.0"))
    assert not past("[1 2 3]^2.0", ("value", "[1.0 4.0 9.0]"), ("value", "[1 inf inf]"))
    assert not past("2^25.0", ("value", "33554432.0"),
                    ("error", "kg: error: power: range error: result too large"))
    nul = by_name["NUL shown"].expects
    assert nul(":#[4 0]", ("value", "[0c\x04 0c]"), ("value", "[0c\x04 0c\x00]"))
    assert not nul(":#[4 0]", ("value", "[0c\x04 0c]"), ("value", "[0c\x05 0c\x00]"))
    order = by_name["dictionary order"].expects
    assert order("d", ("value", ":{[1 2] [3 [4 5]]}"), ("value", ":{[3 [4 5]] [1 2]}"))
    assert not order("d", ("value", ":{[1 2] [3 [4 5]]}"), ("value", ":{[3 [4 6]] [1 2]}"))
    assert floats("$%7", ("value", '"0.142857142857142857"'), ("value", '"0.14285714285714285"'))
    assert not floats("$1", ("value", '"0.142857142857142857"'), ("value", '"0.14"'))
    powers = by_name["whole powers"].expects
    assert powers("2^11.0", ("value", "2047.99999999999996"), ("value", "2048"))
    assert powers("1^11.0", ("value", "[1.0 0]"), ("value", "[1 0]"))
    assert not powers("2+11.0", ("value", "13.0"), ("value", "13"))
    assert not powers("2^11.0", ("value", "2047.5"), ("value", "2048"))
    negative = by_name["negative index"].expects
    assert negative("[1 2 3]:@[-1]", ("value", "1"),
                    ("error", "kg: error: index-in-depth: range error: [-1]"))
    assert negative("[[1 2] [3 4]]:@[0 -1]", ("value", "1"),
                    ("error", "kg: error: index-in-depth: range error: [0 -1]"))
    assert not negative("[1 2 3]:@[5]", ("value", "1"),
                        ("error", "kg: error: index-in-depth: range error: [5]"))
    assert negative('[["ab" "cd"]]:-(-[4 0])', ("value", '[["ab" "cd"]]'),
                    ("error", "kg: error: amend-in-depth: range error: -4"))
    assert not negative("[1 2 3]@-1", ("value", "1"),
                        ("error", "kg: error: index: range error: -1"))
    sizes = by_name["split sizes"].expects
    assert sizes('[1 [2 3] []]:#["ab" "cd"]', ("value", '[["ab"] ["cd"]]'),
                 ("error", "kg: error: split: expected integer, got: [2 3]"))
    assert not sizes('[1 [2 3] []]:#["ab" "cd"]', ("value", '[["ab"] ["cd"]]'),
                     ("error", "kg: error: split: range error: 0"))
    nilad = by_name["nilad under an adverb"].expects
    assert nilad("{1}'[1 2]", ("error", "kg: error: wrong arity: :nilad"), ("value", "[1 1]"))
    assert not nilad("{1}'[1 2]", ("error", "kg: error: wrong arity: :monad"),
                     ("value", "[1 1]"))
    slots = by_name["projection slots"].expects
    assert slots("{x}(1;;)", ("value", ":dyad"),
                 ("error", "kg: error: projection: arity error: 3 arguments for a monad"))
    assert not slots("{x}(1;;)", ("value", "1"),
                     ("error", "kg: error: projection: arity error: 3 arguments for a monad"))
    huge = by_name["huge counts"].expects
    assert huge("!12345678901234567890", ("value", "[]"),
                ("error", "kg: error: enumerate: range error: 12345678901234567890"))
    assert not huge("!5", ("value", "[]"), ("error", "kg: error: enumerate: range error: 5"))
    assert huge("&[4 0 9223372036854775807]", ("value", "[0 0 0 0]"),
                ("error", "kg: error: expand: range error: [4 0 9223372036854775807]"))
    assert huge("9223372036854775807:+[1 2 3]", ("value", "[1 2 3]"), ("value", "[3 1 2]"))
    assert not huge("9223372036854775807:+[1 2 3]", ("value", "[1 2 3]"), ("value", "[3 1 1]"))
    assert not huge("1:+[1 2 3]", ("value", "[1 2 3]"), ("value", "[3 1 2]"))
    assert huge('9223372036854775807:+"abc"', ("value", '"abc"'), ("value", '"cab"'))
    assert not huge('9223372036854775807:+"abc"', ("value", '"abc"'), ("value", '"cad"'))
