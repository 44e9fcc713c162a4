"""The verb records (klongtorch.engine.primitives.VERBS): each operator's facts in one
place, and the parts that read them agree with them."""
import pytest
import torch

from klongtorch import Klong, KlongError
from klongtorch.parse.parser import MONADIC_OPS
from klongtorch.engine.primitives import VERBS


def test_the_parser_knows_the_monads_the_records_have():
    # the parser cannot import the records (they import the parser's users), so it keeps
    # its own set: this holds the two together
    assert MONADIC_OPS == {sym for sym, v in VERBS.items() if v.monad is not None}


@pytest.mark.parametrize("sym", [s for s, v in VERBS.items() if v.atomic is not None])
def test_an_atomic_record_names_its_own_symbol_and_error_name(sym):
    v = VERBS[sym]
    assert v.atomic.sym == sym
    k = Klong()
    with pytest.raises(Exception) as info:
        k(f"[1 2 3]{sym}[1 2]")
    assert f"kg: error: {v.atomic.name}:" in str(info.value)


@pytest.mark.parametrize("sym", [s for s, v in VERBS.items() if v.python is not None])
def test_the_python_fast_path_is_the_primitive(sym):
    """The compiler's fast path on Python numbers gives what the dyad itself gives."""
    v = VERBS[sym]
    for a in (3, -2, 2.5, 0):
        for b in (3, 0.5, -1, 7):
            fast = eval(f"a {v.python} b")
            if v.compares:
                fast = 1 if fast else 0
            assert fast == v.dyad(a, b) and type(fast) is type(v.dyad(a, b))


@pytest.mark.parametrize("sym", [s for s, v in VERBS.items() if v.monoid is not None])
def test_a_monoid_reduces_as_its_fold(sym):
    k = Klong()
    want = k(f"{{x{sym}y}}/[3 1 4 1 5]")
    assert k(f"{sym}/[3 1 4 1 5]") == want and k(f"0{sym}/[3 1 4 1 5]") == k(f"0{sym}{want}")


def test_every_verb_is_its_own_adverb_callable():
    k = Klong()
    assert k("+/[1 2 3]") == 6 and k("-'[1 2]").tolist() == [-1, -2]
    with pytest.raises(KlongError, match=":\\^ has no monadic form"):
        VERBS[":^"].call1([1, 2])        # as an adverb would call it


@pytest.mark.parametrize("kind", ["distinct", "ties", "nan", "signed zeros", "float32"])
def test_grades_of_long_real_vectors_are_the_stable_order(kind):
    """Reals of 1,024 elements and more are graded by NumPy's faster sort when no two are
    equal; with ties, nans or a -0.0 beside a 0.0 the order must still be the stable one."""
    k = Klong()
    g = torch.Generator().manual_seed(7)
    v = torch.rand(5000, dtype=torch.float64, generator=g)
    if kind == "ties":
        v = torch.round(v * 40) / 40
    elif kind == "nan":
        v[[10, 20, 4000]] = float("nan")
    elif kind == "signed zeros":
        v[[3, 9]] = torch.tensor([0.0, -0.0], dtype=torch.float64)
    elif kind == "float32":
        v = v.float()
    k["v"] = v
    stable = torch.argsort(v, stable=True)
    assert torch.equal(k("<v"), stable)
    assert torch.equal(k(">v"), torch.flip(stable, (0,)))
    assert torch.equal(k("v@<v"), v[stable]) or kind == "nan"


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_a_real_square_is_one_multiplication(dtype):
    """x^2 on reals is x*x: the correctly rounded square that Python's x**2 and torch's own
    scalar pow give, and a gradient as cheap as a product's."""
    k = Klong()
    v = torch.randn(1000, dtype=dtype, generator=torch.Generator().manual_seed(3)) * 1e3
    k["v"] = v
    assert torch.equal(k("v^2"), v * v) and torch.equal(k("v^2.0"), v * v)
    assert torch.equal(k("v^2"), torch.pow(v, 2))
    leaf = v.clone().requires_grad_(True)
    assert torch.equal(k("{+/x^2}:>v"), torch.autograd.grad((leaf ** 2).sum(), [leaf])[0])
    assert [float(e) ** 2 for e in v[:5].tolist()] == k("v^2")[:5].tolist() or dtype != torch.float64


def test_enumerate_on_one_thread_is_numpys_arange_and_the_same_values(monkeypatch):
    """!n takes NumPy's arange where torch computes on one thread (faster there, see
    build.enumerate_): the same int64 values and bound, and arithmetic on them as on
    torch's, exact past int64 where it must be."""
    from klongtorch.verbs import build
    k = Klong(device="cpu")
    monkeypatch.setattr(build.torch, "get_num_threads", lambda: 1)
    n = build.ONE_THREAD_NUMPY + 5
    a = k(f"!{n}")
    assert a.dtype == torch.int64 and torch.equal(a, torch.arange(n))
    assert not a.untyped_storage().resizable()              # NumPy's memory, shared
    assert a._kb == n - 1
    assert k(f"+/!{n}") == n * (n - 1) // 2
    assert torch.equal(k(f"1+!{n}"), torch.arange(1, n + 1))
    assert k(f"*/1+!{n}") > 2 ** 64                           # exact, not wrapped
    monkeypatch.setattr(build.torch, "get_num_threads", lambda: 2)
    b = k(f"!{n}")
    assert torch.equal(b, a) and b.untyped_storage().resizable()     # torch's own


# -- pervade.with_number: the dyad with a literal number, as the compiler calls it -------------

def _answer(fn, *args):
    """fn's value as Klong shows it, with its type and dtype, or the words of its error."""
    from klongtorch.value.text import show
    try:
        v = fn(*args)
    except KlongError as e:
        return "error", str(e).split(":")[:3]
    except Exception as e:         # the same Python failure from both is the same answer
        return "failure", type(e)
    return show(v), type(v), getattr(v, "dtype", None)


@pytest.mark.parametrize("sym", ["+", "-", "*"])
@pytest.mark.parametrize("n", [1, -3, 0, 2.5, -0.5, 2 ** 53 - 1, 2 ** 53 + 1, 2 ** 62,
                               -(2 ** 62), 2 ** 70])
@pytest.mark.parametrize("left", [True, False])
def test_a_number_form_answers_as_dyadic(sym, n, left):
    """For every operand kind a form meets (int and real tensors, empty and 0-d ones, bounds
    near int64's, other dtypes, lists, strings), the form made for n answers as dyadic."""
    from klongtorch.verbs import pervade
    verb = VERBS[sym]
    form = pervade.with_number(verb.dyad, verb.atomic, n, left)
    k = Klong(device="cpu")
    operands = [torch.arange(5), torch.arange(4, dtype=torch.float64),
                torch.tensor([], dtype=torch.int64), torch.tensor(7),
                torch.tensor([2 ** 62, -(2 ** 62)]), torch.tensor([1, 2], dtype=torch.int32),
                [1, [2, 3]], "ab", torch.arange(6).reshape(2, 3), [1, 2.5]]
    with k.active():
        for x in operands:
            a, b = (n, x) if left else (x, n)
            assert _answer(form, x) == _answer(pervade.dyadic, verb.dyad, verb.atomic, a, b), \
                (sym, n, left, x)


def test_enumerate_keeps_the_interpreters_device_under_torchs_default_device():
    """!n on the CPU leaves out arange's device keyword only while no torch function mode
    runs: under `with torch.device(...)` or torch.set_default_device it still makes a CPU
    tensor (the meta device holds no values, so a tensor made there would show none)."""
    k = Klong(device="cpu")
    with torch.device("meta"):
        assert k("!5").device.type == "cpu"
        assert k("1+!5").tolist() == [1, 2, 3, 4, 5]
    torch.set_default_device("meta")
    try:
        assert k("!4").device.type == "cpu"
    finally:
        torch.set_default_device(None)
    assert k("!3").device.type == "cpu"
