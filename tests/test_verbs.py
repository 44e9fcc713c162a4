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
